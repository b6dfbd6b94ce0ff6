"""Properties of normalization: idempotent, and its offset map keeps every span inside the original text and
around the characters that produced it."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from smsguard import Engine
from smsguard.normalize import (
    ChangeTestedStep,
    Edit,
    NormalizationStep,
    NormalizedText,
    Normalizer,
    default_normalizer,
    default_steps,
)

NORMALIZER = default_normalizer()
# Characters whose normalization does not depend on far context: CJK, traditional forms, full-width letters and
# digits, zero-width characters, separators (dropped between two CJK characters), punctuation.
LOCAL = "起诉法院欠款逾期訴訟銀行ＡＢ１２ab12 *-·\u200b\u200d，。！"
any_text = st.text(st.characters(codec="utf-8"), max_size=60)
local_text = st.text(LOCAL, max_size=30)


def _check_map(normalized: NormalizedText) -> None:
    original, text = normalized.original, normalized.text
    if normalized.starts is None or normalized.ends is None:
        assert len(text) == len(original)
        return
    starts, ends = normalized.starts, normalized.ends
    assert len(starts) == len(ends) == len(text)
    for i in range(len(text)):
        assert 0 <= starts[i] <= ends[i] <= len(original)
        if i:
            assert starts[i - 1] <= starts[i] and ends[i - 1] <= ends[i]


@given(any_text | local_text)
def test_normalization_is_idempotent(text: str) -> None:
    once = NORMALIZER.normalize(text).text
    assert NORMALIZER.normalize(once).text == once


@given(any_text | local_text)
def test_offset_map_stays_inside_the_original_and_in_order(text: str) -> None:
    normalized = NORMALIZER.normalize(text)
    _check_map(normalized)
    n = len(normalized.text)
    for start in range(0, n + 1, max(1, n // 7)):
        for end in range(start, n + 1, max(1, n // 5)):
            a, b = normalized.to_original(start, end)
            assert 0 <= a <= b <= len(text)


@given(local_text, st.data())
def test_a_span_covers_exactly_the_characters_that_normalize_to_it(text: str, data: st.DataObject) -> None:
    normalized = NORMALIZER.normalize(text)
    n = len(normalized.text)
    if not n:
        return
    start = data.draw(st.integers(0, n - 1))
    end = data.draw(st.integers(start + 1, n))
    a, b = normalized.to_original(start, end)
    assert NORMALIZER.normalize(text[a:b]).text == normalized.text[start:end]


@given(st.text("起诉法院欠款逾期訴訟 *\u200b，我司将向提起", max_size=40))
def test_hit_spans_lie_in_the_text_and_hold_the_evidence(engine: Engine, text: str) -> None:
    for hit in engine.check(text).hits:
        for (start, end), evidence in zip(hit.spans, hit.evidence, strict=True):
            assert 0 <= start <= end <= len(text)
            assert text[start:end] == evidence


class _Untested:
    """A step without its change test, so the normalizer runs it on every text."""

    def __init__(self, step: NormalizationStep) -> None:
        self.name = step.name
        self._step = step

    def apply(self, text: str) -> str | list[Edit]:
        return self._step.apply(text)


EVERY_STEP = Normalizer([_Untested(step) for step in default_steps()])
EVASIONS = st.text(LOCAL + "徽薇威信vxVXwq扣企鹅亻言扌甲歀代款低押金號碼加fa失xinsuqi律shi号群:+➕交项", max_size=30)


@given(any_text | EVASIONS)
def test_skipping_steps_by_their_change_tests_changes_nothing(text: str) -> None:
    assert NORMALIZER._tail_steps  # the default steps after charfold all have a change test
    skipped, full = NORMALIZER.normalize(text), EVERY_STEP.normalize(text)
    assert (skipped.text, skipped.starts, skipped.ends) == (full.text, full.starts, full.ends)


@given(any_text | EVASIONS)
def test_a_step_changes_only_texts_its_change_test_finds(text: str) -> None:
    for step in default_steps():
        if not isinstance(step, ChangeTestedStep):
            continue
        result = step.apply(text)
        if result == text or result == []:
            continue
        test = step.change_test()
        found = re.search(test.pattern, text)
        assert found is not None, step.name
        assert re.fullmatch(f"[{test.first_chars}]", text[found.start()]), step.name
