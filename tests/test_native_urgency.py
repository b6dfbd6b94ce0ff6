"""The native urgency detector (smsguard_plugins._curgency) against its Python reference,
plugins/urgency.py's detect_reference: the same signals, in the same order, with the same values and types,
and the same exceptions, for any input."""

from __future__ import annotations

from typing import Any

import native_detectors as nd
import pytest
from hypothesis import given, settings
from smsguard_plugins import urgency
from smsguard_plugins._terms import Entry, TermHit

C = nd.accelerator(urgency, "urgency")

# The pieces the C reads: the marks and day words of its pre-check, the parts of both deadline patterns, numbers
# around the short limits and the patterns' bounds, units, the lexicon's words (with its masks), clause ends,
# full-width and other decimal digits, and a lone surrogate.
PIECES = sorted(
    {
        urgency._WITHIN_MARK,
        urgency._BEFORE_MARK,
        *urgency._DAY_WORDS,
        *("之前", "以前", "之内", "以内", "有效", "下午五点", "内有效"),
        *("3", "24", "72", "73", "1234", "0003", "３", "٣", "三", "十二", "七十二", "七十三", "一百"),
        *("小时", "分钟", "天", "日", "工作日", "个", " ", "\t", "\n", ",", "，", "。", "!", "x", "您", "请"),
        *nd.terms("urgency_terms"),
        "\ud800",
        # where the C starts its searches: the run of digits, spaces and _WITHIN_LEAD before a unit + end
        *urgency._UNITS,
        *urgency._WITHIN_ENDS,
        *urgency._WITHIN_LEAD,
        *("零", "两", "²", "\u3000", "\x1c", "12345", "个个", "时内", "作日内", "工作", "天天内", "日以内有效"),
    }
)


DETECTOR = nd.Rebinding(urgency, C)
c_only, same, same_text = DETECTOR.c_only, DETECTOR.same, DETECTOR.same_text


def test_the_detector_is_the_c_one() -> None:
    DETECTOR.assert_in_use()


test_texts_of_the_pieces, test_any_text = nd.text_tests(same_text, PIECES)


# Texts of what a span is made of: the C starts each search of _WITHIN at the run of digits, spaces and
# _WITHIN_LEAD before the first unit + end from where the search would start, and each of _BY_DAY at the first day
# word; those searches must find what the pattern finds searched from there.
SPAN_PIECES = sorted(
    {*urgency._UNITS, *urgency._WITHIN_ENDS, *urgency._WITHIN_LEAD, *urgency._DAY_WORDS}
    | {"1", "٣", "²", " ", "\u3000", "有效", "前", "x", "\ud800"}
)


@settings(max_examples=600, deadline=None)
@given(nd.joined(SPAN_PIECES))
def test_texts_of_deadlines(text: str) -> None:
    same_text(text)


def test_every_synthetic_message() -> None:
    found = nd.fired(same_text, (m.text for m in nd.synthetic_messages()))
    assert found == {spec.name for spec in urgency._SPECS} - {"urgency.final_notice"}  # not in the generator


@pytest.mark.parametrize(
    "text",
    [
        "",
        "内前",
        "最后通知：请立即还款，否则将起诉，限时24小时内处理，今天下午五点前，三日内，30天内，5分钟内",
        "验证码5分钟内有效，今天之前有效，今日内有效内，明天以前",
        "1234天内 七十二小时内 七十三小时内 3个工作日内 72小时以内 73小时之内 4天内 三天内",
        "马上消费提醒您马上还款，马上金融，立即立即立刻，最后警告最后警告",
        "今天,前 明日。内 当天!!之前 本日\n以内 今晚一二三四五六七八九前",
    ],
)
def test_chosen_texts(text: str) -> None:
    same_text(text)


def test_long_texts() -> None:
    unit = "最后通知：请立即还款，否则将起诉，限时24小时内处理，今天下午五点前。"
    for text in (unit * 3000, "x" * 100_000, "内" * 100_000, "今天前" * 30_000, "立即" * 50_000):
        same_text(text)


def test_odd_calls_go_to_the_reference() -> None:
    m, ntext, f = nd.triple("请立即还款，今天下午五点前")
    with c_only(), pytest.raises(nd.HandedToPython):
        C.detect(m, ntext, features=f)
    for args, kwargs in nd.odd_calls(m, ntext, f, "not a normalized text"):
        same(*args, **kwargs)  # (m, ntext, None) among them: the features are not read


def _hit(term: str, kind: str, attrs: tuple[object, ...], start: int = 0) -> TermHit:
    return TermHit(Entry(term, "urgency_terms", kind, attrs, "test"), start, start + len(term))  # type: ignore[arg-type]


# Hits of every shape: weights of digits of other scripts, digits int() refuses, long and empty weights, other
# kinds, and shapes the scan never makes. (hits, whether the C handles them itself)
HIT_LISTS: list[tuple[list[Any], bool]] = [
    ([_hit("立即", "urgent", ("2",)), _hit("立即", "urgent", ("3",), 4), _hit("否则", "final", ("１",), 6)], True),
    ([_hit("立即", "urgent", ("٣",)), _hit("限时", "urgent", ()), _hit("x", "urgent", ("a1",))], True),
    ([_hit("立即", "urgent", ("",)), _hit("立即", "final", ("0",)), _hit("立即", "urgent", ("007",))], True),
    ([_hit(str(i % 20), "final" if i % 3 else "urgent", (str(i),), i) for i in range(60)], True),
    ([_hit("立即", "urgent", ("²",))], False),  # isdigit, but int() raises
    ([_hit("立即", "urgent", ("1234567890123",))], False),
    ([_hit("立即", "urgent", (2,))], False),
    ([_hit("立即", "urgent", ["2"])], False),
    ([_hit("立即", 5, ("2",))], False),  # type: ignore[arg-type]
    ([(Entry("立即", "urgency_terms", "urgent", ("2",), "test"), 0, 2, False)], False),
]


@pytest.mark.parametrize(("hits", "plain"), HIT_LISTS)
def test_hits_of_every_shape(monkeypatch: pytest.MonkeyPatch, hits: list[Any], plain: bool) -> None:
    for text in ("请立即还款，否则将起诉", "请立即还款，今天下午五点前，3天内"):
        m, ntext, f = nd.triple(text)
        for read in ((ntext.text, hits), (ntext.text, tuple(hits)), [ntext.text, hits]):
            monkeypatch.setattr(urgency._TERMS, "read", lambda ntext, read=read: read)
            tables = {**urgency.NATIVE_TABLES, "read": urgency._TERMS.read}
            with nd.bound(C.bind, (nd.refuse, tables), (urgency.detect_reference, urgency.NATIVE_TABLES)):
                if plain and type(read) is tuple and type(read[1]) is list:
                    C.detect(m, ntext, f)
                else:
                    with pytest.raises(nd.HandedToPython):
                        C.detect(m, ntext, f)
                C.bind(urgency.detect_reference, tables)
                same(m, ntext, f)


def test_no_references_leak() -> None:
    triples = [nd.triple(m.text) for m in nd.synthetic_messages(3, 200)]
    triples.append(nd.triple("最后通知：请立即还款，否则将起诉，限时24小时内处理，今天下午五点前，三日内"))
    calls: list[nd.LeakCall] = [(C.detect, t, None) for t in triples]
    nd.assert_calls_leak_nothing([*calls, (C.detect, (None, None, None), Exception)], 10)


def test_bind_refuses_incomplete_tables() -> None:
    DETECTOR.bind_checks_its_tables(
        [({"day_words": ("",)}, ValueError), ({"units": ("a",)}, TypeError)], "请立即还款，今天下午五点前"
    )  # a failed bind leaves the detector as it was
