"""Normalization: each evasion is undone, spans map back to what the sender typed, and it is idempotent."""

from __future__ import annotations

import timeit
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smsguard.normalize as normalize_module
from smsguard.lexicon import LexiconEntry
from smsguard.lookalikes import LookalikeStep
from smsguard.normalize import (
    CharFoldStep,
    Normalizer,
    SeparatorStep,
    TraditionalToSimplifiedStep,
    default_normalizer,
    default_steps,
    replace_surrogates,
)

N = default_normalizer()


def norm(text: str) -> str:
    return N.normalize(text).text


def behind(text: str, word: str) -> str:
    """The original characters behind the first occurrence of ``word`` in the normalized text."""
    ntext = N.normalize(text)
    start = ntext.text.index(word)
    return ntext.original_slice(start, start + len(word))


def test_step_order_is_documented_order() -> None:
    names = [step.name for step in default_steps()]
    assert names == [
        "charfold",
        "separators",
        "t2s",
        "lookalikes-parts",
        "lookalikes-words",
        "separators-after-lookalikes",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＡＢＣ１２３", "abc123"),
        ("您好，请还款！", "您好,请还款!"),
        ("逾\u200b期", "逾期"),
        ("Ⅻ号", "xii号"),
        ("等待……回复", "等待……回复"),  # the ellipsis is sentence punctuation and stays
        ("ＡＰＰ，Ⅻ号，ＡＰＰ", "app,xii号,app"),  # one-for-one folds and a longer one in the same text
        ("逾\u200b期，请还款", "逾期,请还款"),
    ],
)
def test_char_fold(text: str, expected: str) -> None:
    assert norm(text) == expected


@pytest.mark.parametrize(
    ("text", "word", "typed"),
    [
        ("我司将对您起 诉", "起诉", "起 诉"),
        ("请联系法*院", "法院", "法*院"),
        ("即将起-诉", "起诉", "起-诉"),
        ("起_诉、法·院", "法院", "法·院"),
        ("起　诉", "起诉", "起　诉"),  # ideographic space
        ("起 * 诉", "起诉", "起 * 诉"),
        ("律/师/函", "律师函", "律/师/函"),
        ("上.门.催.收", "上门催收", "上.门.催.收"),
        ("起＋诉", "起诉", "起＋诉"),
    ],
)
def test_separators_between_cjk_are_dropped(text: str, word: str, typed: str) -> None:
    assert word in norm(text)
    assert behind(text, word) == typed


@pytest.mark.parametrize(
    "text",
    [
        "请登录 www.abc.com 查询",
        "金额 1,234.50 元",
        "call me at 138-0013-8000",
        "a b c",
        "贷款、代办",  # enumeration comma is punctuation
        "您好，已逾期。请还款！谢谢？是；否：",
    ],
)
def test_separators_outside_cjk_pairs_stay(text: str) -> None:
    folded = Normalizer([CharFoldStep()]).normalize(text).text
    assert norm(text) == folded


def test_sentence_punctuation_between_cjk_stays() -> None:
    assert norm("逾期，请还款。谢谢！") == "逾期,请还款。谢谢!"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我司將對您提起訴訟", "我司将对您提起诉讼"),
        ("請於今日內還款", "请于今日内还款"),
        ("貸款逾期", "贷款逾期"),
    ],
)
def test_traditional_to_simplified(text: str, expected: str) -> None:
    ntext = N.normalize(text)
    assert ntext.text == expected
    assert ntext.starts is None  # character-aligned: the identity map


def test_traditional_with_separators() -> None:
    text = "將依法起 訴"
    assert norm(text) == "将依法起诉"
    assert behind(text, "起诉") == "起 訴"


def test_t2s_falls_back_to_characters_when_phrases_change_length(monkeypatch: pytest.MonkeyPatch) -> None:
    normalize_module._t2s_char_map()  # built with the real converter first

    class Stretching:
        def convert(self, text: str) -> str:
            return text.replace("訴訟", "诉讼案")

    monkeypatch.setattr(normalize_module, "_opencc", lambda: Stretching())
    assert TraditionalToSimplifiedStep().apply("提起訴訟") == "提起诉讼"


def test_t2s_survives_lone_surrogates() -> None:
    assert norm("訴\ud800訟") == "诉\ud800讼"


def test_replace_surrogates_is_one_for_one_and_keeps_clean_text_as_is() -> None:
    clean = "法院传票 court"
    assert replace_surrogates(clean) is clean
    assert replace_surrogates("起\ud800诉\udfff") == "起\ufffd诉\ufffd"


def test_normalize_any_keeps_the_original_and_maps_through_replaced_surrogates() -> None:
    original = "訴 \ud83d 訟，逾期"
    result = N.normalize_any(original)
    assert result.original == original
    assert result.text == N.normalize(replace_surrogates(original)).text
    assert "\ud83d" not in result.text
    start = result.text.index("逾期")
    assert result.original_slice(start, start + 2) == "逾期"
    plain = "您的验证码为1234"
    assert N.normalize_any(plain) == N.normalize(plain)


@pytest.mark.parametrize(
    ("text", "word", "typed"),
    [
        ("请加徽信详聊", "微信", "徽信"),
        ("加薇信号abc", "微信", "薇信"),
        ("请加威信", "微信", "威信"),
        ("加vx：abc123", "微信", "vx"),
        ("加ＶＸ了解", "微信", "ＶＸ"),
        ("加 VX 号", "微信号", "VX 号"),
        ("有意加v信", "微信", "v信"),
        ("详情加V：abc888", "微信", "V"),
        ("请加wx号", "微信", "wx"),
        ("薇 亻言联系", "微信", "薇 亻言"),
        ("fa院传票", "法院", "fa院"),
        ("ｆａ院", "法院", "ｆａ院"),
        ("fa 院", "法院", "fa 院"),
        ("加扣扣群", "qq", "扣扣"),
        ("企鹅号123", "qq", "企鹅"),
        ("支附宝账户", "支付宝", "支附宝"),
        ("银行代款，两天放款", "贷款", "代款"),
        ("信用貸歀", "贷款", "貸歀"),
        ("无抵 扌甲", "抵押", "抵 扌甲"),
        ("无低押", "抵押", "低押"),
        ("dai款秒批", "贷款", "dai款"),
        ("失xin被执行人名单", "失信", "失xin"),
        ("将对你起SU", "起诉", "起SU"),
        ("征 xin 记录", "征信", "征 xin"),
    ],
)
def test_homophones_and_lookalikes(text: str, word: str, typed: str) -> None:
    assert word in norm(text)
    assert behind(text, word) == typed


@pytest.mark.parametrize(
    "text",
    [
        "树立威信很重要",  # 威信 "prestige"
        "请把扣扣子系好",
        "低押金租车",
        "请交代款项用途",
        "http://wx.qq.com/wxcs/a",
        "KTVxx元买断",
        "vip会员",
        "flash",
        "abc@fa.com",
        "起subway",
    ],
)
def test_lookalikes_leave_ordinary_words(text: str) -> None:
    folded = Normalizer([CharFoldStep(), SeparatorStep(), TraditionalToSimplifiedStep()]).normalize(text).text
    assert norm(text) == folded


def test_lookalike_context_attributes() -> None:
    step = LookalikeStep(
        [
            LexiconEntry("甲乙", ("微信", "before=加|<start>")),
            LexiconEntry("丙丁", ("qq", "after=号|<digit>", "notbefore=不")),
            LexiconEntry("戊己", ("贷款", "notafter=项|<end>")),
        ]
    )
    normalizer = Normalizer([CharFoldStep(), step])
    assert normalizer.normalize("加甲乙").text == "加微信"
    assert normalizer.normalize("甲乙在前").text == "微信在前"
    assert normalizer.normalize("有甲乙").text == "有甲乙"
    assert normalizer.normalize("丙丁号").text == "qq号"
    assert normalizer.normalize("丙丁8").text == "qq8"
    assert normalizer.normalize("不丙丁号").text == "不丙丁号"
    assert normalizer.normalize("戊己项").text == "戊己项"
    assert normalizer.normalize("戊己").text == "戊己"
    assert normalizer.normalize("戊己快").text == "贷款快"


def test_lookalike_table_extends_through_lexicon_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "homophones.txt").write_text("# source: test\n绿泡泡\t微信\n", encoding="utf-8")
    assert "微信" not in norm("加绿泡泡")
    monkeypatch.setenv("SMSGUARD_LEXICON_PATH", str(tmp_path))
    assert default_normalizer().normalize("加绿泡泡").text == "加微信"


def test_pattern_normalization_matches_text_normalization() -> None:
    assert N.normalize_pattern("起 訴") == norm("起诉") == "起诉"
    assert N.normalize_pattern("ＶＸ") == "微信"


def test_longer_fold_keeps_the_map() -> None:
    ntext = N.normalize("ＡⅫ，号")
    assert ntext.text == "axii,号"
    assert ntext.original_slice(1, 4) == "Ⅻ"
    assert ntext.original_slice(4, 5) == "，"


def test_plain_text_keeps_the_identity_map() -> None:
    ntext = N.normalize("您好，您在本平台的借款已逾期三十天，请于今日内还款。回复TD退订")
    assert ntext.starts is None and ntext.ends is None
    assert ntext.to_original(3, 5) == (3, 5)


def test_plain_text_is_fast() -> None:
    text = ("您好，您在本平台的借款已逾期三十天，请于今日内还款，否则我司将依法起诉并上门核实情况，详询客服。") * 2
    text = text[:70]
    N.normalize(text)
    per_call = min(timeit.repeat(lambda: N.normalize(text), number=500, repeat=5)) / 500
    assert per_call < 150e-6  # about 10 µs on the development machine; this bound only catches a lost fast path


@pytest.mark.parametrize(
    "text",
    ["加 VX 号", "薇 亻言", "我司將對您提起 訴 訟", "fa 院", "加v信", "ΑΣ\u200bİ", "起 诉 vx 扣扣 号", "加威信号"],
)
def test_idempotent_examples(text: str) -> None:
    once = norm(text)
    assert norm(once) == once


_ALPHABET = st.one_of(
    st.characters(),
    st.sampled_from(
        list(
            "起诉法院微信徽薇威信vxVXwq扣企鹅 *-_.·/|+#，。！？亻言扌甲歀代款低押金號碼訴訟Ａｂ１…\u200b\u3000ΣİⅫ薴苧加fa失xinsuqi律shi"
        )
    ),
)


@settings(max_examples=400, deadline=None)
@given(st.text(_ALPHABET, max_size=40))
def test_idempotent_and_map_is_sound(text: str) -> None:
    ntext = N.normalize(text)
    assert N.normalize(ntext.text).text == ntext.text
    if ntext.starts is None or ntext.ends is None:
        assert len(ntext.text) == len(text)
        return
    assert len(ntext.starts) == len(ntext.ends) == len(ntext.text)
    assert list(ntext.starts) == sorted(ntext.starts)
    for start, end in zip(ntext.starts, ntext.ends, strict=True):
        assert 0 <= start < end <= len(text)
