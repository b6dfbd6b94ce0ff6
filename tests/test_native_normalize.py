"""The native normalization (smsguard._cnormalize) against the pure-Python steps: the same NormalizedText for any
text, through normalize, normalize_any and normalize_pattern."""

from __future__ import annotations

import pickle
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from native_support import missing_accelerator

import smsguard.normalize as normalize_module
from smsguard.lexicon import LexiconEntry
from smsguard.lookalikes import LookalikeStep
from smsguard.normalize import (
    CJK_CHARS,
    SEPARATOR_CHARS,
    ZERO_WIDTH,
    CharFoldStep,
    NormalizedText,
    Normalizer,
    SeparatorStep,
    TraditionalToSimplifiedStep,
    default_normalizer,
    default_steps,
    replace_surrogates,
)

if normalize_module._native is None:
    missing_accelerator("normalize")

from smsguard._cnormalize import Plan

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synth import Generator

NATIVE = default_normalizer()
PYTHON = Normalizer(default_steps(), native=False)

# Characters at the edges of the native code: CJK (BMP and astral) and the ranges' ends, every separator,
# full-width forms, zero-width characters, folds that change length (ligatures, ㈱, ½, Ⅻ, ﷺ, İ), final sigma,
# traditional characters, the characters of homophone entries, ASCII, emoji, U+FFFD and lone surrogates.
EDGE = (
    "起诉法院欠款逾期还款您的借贷信用我司将"
    "\u2e80\u2eff\u3400\u4dbf\u4e00\u9fff\uf900\ufaff\U00020000\U0003134f\u2e7f\u3040\ua000\ufb00"
    + SEPARATOR_CHARS
    + "".join(sorted(ZERO_WIDTH))
    + "ＡＢＶＸｆａ１２，。！？：；（）　＋＊－／．＃～＠"
    + "ﬁﬂ㈱½¼Ⅻⅻ㍿\ufdfa™…‥İΑΣς"
    + "訴訟銀行貸歀將對還錢於請內"
    + "薇徽嶶威芯亻言扌甲斤代袋坻底低抵押压企鹅扣抠秋加添号群支附吱付宝失征限催律传票"
    + "vVxXwWqQfFaAsSuUyYnNzZbBdDiIhH0123456789:_@-./ \t\n"
    + "😀❤\U0001f600\ufffd\u00b7\u2010\u3001\u3035\u303c\ud800\udbff\udfff"
)
edge_text = st.text(st.sampled_from(EDGE), max_size=60)
# st.characters() leaves out lone surrogates unless asked
any_text = st.text(st.characters(exclude_categories=()), max_size=60)
texts = edge_text | any_text


def messages() -> list[str]:
    return [m.text for m in Generator(7).messages(3000)]


def same(text: str) -> None:
    """Native and Python agree on ``text``, and the native code ran (the plan answered, not the fallback)."""
    plan = NATIVE._plan
    assert isinstance(plan, Plan)
    assert plan.normalize(text, False) is not None
    assert plan.normalize(text, True) is not None
    assert NATIVE.normalize(text) == PYTHON.normalize(text)
    assert NATIVE.normalize_any(text) == PYTHON.normalize_any(text)


def test_the_default_normalizer_runs_natively() -> None:
    assert isinstance(NATIVE._plan, Plan)
    assert PYTHON._plan is None
    done = NATIVE._plan.normalize("您好，请于今日还款", False)
    assert isinstance(done, NormalizedText) and done.text == "您好,请于今日还款"


def test_what_the_plan_takes_for_granted() -> None:
    # Every step after charfold tells where it changes a text, so the Normalizer tests them all at once
    # after charfold, as the plan does after separators.
    assert NATIVE._tail == 1
    # Separators and CJK characters are apart: after the separators step no run between CJK characters is left.
    assert not re.search(f"[{CJK_CHARS}]", SEPARATOR_CHARS)


def test_other_steps_run_in_python() -> None:
    assert Normalizer([CharFoldStep(), SeparatorStep(), TraditionalToSimplifiedStep()])._plan is None
    assert Normalizer([*default_steps(), CharFoldStep()])._plan is None

    class Fold(CharFoldStep):
        pass

    assert Normalizer([Fold(), *default_steps()[1:]])._plan is None


@given(texts)
@settings(max_examples=600)
def test_same_as_python(text: str) -> None:
    same(text)


@given(edge_text)
@settings(max_examples=300)
def test_native_path_is_idempotent(text: str) -> None:
    once = NATIVE.normalize(text).text
    assert NATIVE.normalize(once).text == once


@given(st.text(st.sampled_from(EDGE), max_size=20))
def test_pattern_normalization_is_the_same(pattern: str) -> None:
    assert NATIVE.normalize_pattern(pattern) == PYTHON.normalize_pattern(pattern)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "ABC",
        "起 诉",
        "起 * - 诉",
        " 起 诉 ",
        "法*院，起 诉",
        "起　诉",  # ideographic space folds to a separator
        "起＋诉",
        "Ａ Ｂ 起 诉",
        "逾\u200b期",
        "\u200b\u200d\ufeff",
        "㈱公司½份ﬁle",
        "ＡⅫ，号",
        "\ufdfa起 诉",
        "İ起 诉",
        "ΑΣ",
        "我司將對您提起 訴 訟",
        "訴\ud800訟",
        "訴 \ud83d 訟，逾期",
        "\ud800",
        "\udfff起 诉\ud800",
        "请加徽信详聊",
        "加 VX 号",
        "薇 亻言联系",
        "fa 院传票",
        "ｆａ院",
        "征 xin 记录",
        "加 绿 泡 泡",
        "vip会员 http://wx.qq.com/wxcs/a",
        "起 \U00020000 诉\U0003134f-法",
        "😀起 诉😀",
        "无抵 扌甲",
    ],
)
def test_examples(text: str) -> None:
    same(text)


def test_every_synthetic_message() -> None:
    for text in messages():
        same(text)


def test_long_texts() -> None:
    joined = " ".join(messages()[:2500])
    assert len(joined) > 100_000
    same(joined)
    same("起 " * 50_000 + "诉")
    same("ﷺ" * 10_000)
    same("\u200b" * 100_000)
    same("訴" * 100_000)


def test_every_character() -> None:
    """Every BMP character and a sample of the others, in runs that also put them next to CJK and separators."""
    chars = [chr(cp) for cp in range(0x80, 0x10000)] + [chr(cp) for cp in range(0x10000, 0x110000, 97)]
    for start in range(0, len(chars), 2048):
        chunk = chars[start : start + 2048]
        same("".join(chunk))
        same("起 ".join(chunk))


def test_user_lookalikes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    lexicon = "# source: test\n绿泡泡\t微信\nＺＺ鸭\t押\n起.v\t起诉\n𠀀x\t债\nab\tqq\tbefore=加\n"
    (tmp_path / "homophones.txt").write_text(lexicon, encoding="utf-8")
    monkeypatch.setenv("SMSGUARD_LEXICON_PATH", str(tmp_path))
    extended = default_normalizer()
    reference = Normalizer(default_steps(), native=False)
    assert isinstance(extended._plan, Plan)
    assert extended.normalize("加绿泡泡").text == "加微信"
    for text in [
        "加绿泡泡",
        "加 绿 泡 泡",
        "zz 鸭",
        "起.v",
        "起 .v",
        "起. v",
        "𠀀 x",
        "𠀀x",
        "加ab",
        "ab",
        *messages()[:300],
    ]:
        assert extended.normalize(text) == reference.normalize(text)
        assert extended.normalize_any(text) == reference.normalize_any(text)


def test_lookalike_tables_passed_as_steps() -> None:
    entries = [LexiconEntry("甲乙", ("微信", "before=加|<start>")), LexiconEntry("丙 x", ("qq",))]
    steps = [*default_steps()[:3], LookalikeStep(entries, "parts"), LookalikeStep(entries, "words"), SeparatorStep()]
    custom, reference = Normalizer(steps), Normalizer(steps, native=False)
    assert isinstance(custom._plan, Plan)
    for text in ["加甲乙", "甲乙", "有甲乙", "丙x", "丙 x", "丙-x", "徽信"]:
        assert custom.normalize(text) == reference.normalize(text)


def test_no_lookalikes_at_all() -> None:
    steps = [*default_steps()[:3], LookalikeStep([], "parts"), LookalikeStep([], "words"), SeparatorStep()]
    bare, reference = Normalizer(steps), Normalizer(steps, native=False)
    assert isinstance(bare._plan, Plan)
    for text in ["加vx", "起 訴", "ＡⅫ"]:
        assert bare.normalize(text) == reference.normalize(text)


@pytest.mark.parametrize("bad", [None, 12, b"ABC", ["a"]])
def test_bad_input_raises_as_python_does(bad: object) -> None:
    for method in ("normalize", "normalize_any"):
        with pytest.raises(Exception) as native_error:
            getattr(NATIVE, method)(bad)
        with pytest.raises(Exception) as python_error:
            getattr(PYTHON, method)(bad)
        assert type(native_error.value) is type(python_error.value)


def test_str_subclass() -> None:
    class Text(str):
        pass

    for text in ["起 诉", "ＡⅫ", "訴訟"]:
        assert NATIVE.normalize(Text(text)) == PYTHON.normalize(text)


def test_surrogates_map_one_for_one() -> None:
    original = "\ud800起 诉\udfff"
    result = NATIVE.normalize_any(original)
    assert result.original is original
    assert result.text == NATIVE.normalize(replace_surrogates(original)).text == "\ufffd起诉\ufffd"
    assert result.to_original(1, 3) == (1, 4)


def test_pickles_after_use() -> None:
    normalizer = default_normalizer()
    normalizer.normalize("起 诉")
    again = pickle.loads(pickle.dumps(normalizer))
    assert again.normalize("起 诉") == normalizer.normalize("起 诉")
    assert isinstance(again._plan, Plan)


def test_plan_checks_its_arguments() -> None:
    with pytest.raises(TypeError):
        Plan(NormalizedText, SEPARATOR_CHARS, "a-b", "", [], 12, ())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Plan(NormalizedText, SEPARATOR_CHARS, "a-b", "", [3], None, ())  # type: ignore[list-item]
    with pytest.raises(TypeError):
        Plan(NormalizedText, SEPARATOR_CHARS, "a-b", "", [], None, [])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Plan(NormalizedText, SEPARATOR_CHARS, "ab", "", [], None, ())
    with pytest.raises(TypeError):
        NATIVE._plan.normalize("a")  # type: ignore[union-attr,call-arg]


class Recipe:
    """A step that returns what it is told: edits placed by fractions of the text's length, or a string."""

    name = "recipe"

    def __init__(self, edits: list[tuple[float, int, str]] | None = None, same_length: str | None = None) -> None:
        self.edits = edits or []
        self.same_length = same_length

    def apply(self, text: str) -> str | list[tuple[int, int, str]]:
        if self.same_length is not None:
            return "".join(self.same_length for _ in text)
        placed = []
        for fraction, length, replacement in self.edits:
            start = int(fraction * len(text))
            placed.append((start, min(len(text), start + length), replacement))
        return placed


def plan_with(tail: tuple[Recipe, ...]) -> Plan:
    """A plan whose tail (the recipes) runs on every text with a "#"."""
    return Plan(NormalizedText, SEPARATOR_CHARS, CJK_CHARS, "#", [], None, tail)  # type: ignore[arg-type]


edits = st.lists(st.tuples(st.floats(0, 1), st.integers(0, 3), st.text("xyz起诉", max_size=3)), max_size=6)


@given(st.text(st.sampled_from("#起诉 -ＡⅫ\u200bab"), max_size=20), st.lists(edits, min_size=1, max_size=3))
def test_edits_apply_as_in_python(text: str, recipes: list[list[tuple[float, int, str]]]) -> None:
    text = "#" + text
    tail = tuple(Recipe(r) for r in recipes)
    python = Normalizer([CharFoldStep(), SeparatorStep(), *tail], native=False)  # type: ignore[list-item]
    assert plan_with(tail).normalize(text, False) == python.normalize(text)


def test_steps_that_return_text() -> None:
    tail = (Recipe(same_length="w"), Recipe([]), Recipe([(0.5, 1, "长长")]))
    python = Normalizer([CharFoldStep(), SeparatorStep(), *tail], native=False)  # type: ignore[list-item]
    for text in ["#", "#起 诉", "#ＡⅫ", "#\u200b"]:
        assert plan_with(tail).normalize(text, False) == python.normalize(text)
    for bad in (Recipe(same_length="ww"), Recipe(same_length="")):
        with pytest.raises(ValueError, match="normalization step 'recipe' changed length without edits"):
            plan_with((bad,)).normalize("#起诉", False)
        with pytest.raises(ValueError, match="normalization step 'recipe' changed length without edits"):
            Normalizer([CharFoldStep(), bad], native=False).normalize("#起诉")  # type: ignore[list-item]
