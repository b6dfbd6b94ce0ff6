"""The native specificity detector (smsguard_plugins._cspecificity) against its Python reference,
plugins/specificity.py's detect_reference: the same signals, in the same order, with the same values and types,
and the same exceptions, for any input."""

from __future__ import annotations

import dataclasses

import native_detectors as nd
import pytest
from smsguard_plugins import specificity
from smsguard_plugins._terms import Entry, TermHit

from smsguard.extract import Amount, Features, TextFeature

C = nd.accelerator(specificity, "specificity")

# The pieces the C reads: the words of its pre-check and of the patterns it calls, numbers of every length around
# the patterns' bounds, units, due words and dates, hotlines and phones, signatures, amounts, the lexicon's
# channels, clause ends, full-width and other decimal digits, and a lone surrogate.
PIECES = sorted(
    {
        *specificity._OVERDUE_WORDS,
        *specificity._TAIL_WORDS,
        specificity._UNPAID,
        specificity._UNRETURNED,
        "未还款",
        *("已经", "已", "了", "达", "第", "为", "是", ":", " ", "\t", "\n", ",", "，", "。", "!", "x", "您"),
        *("4", "45", "123", "1234", "12345", "0045", "３", "٣", "三", "十二", "一百二十", "两", "零一二三四五六七"),
        *("天", "日", "个月", "月", "个", "/", ".", "-"),
        *("前", "之前", "以前", "到期", "还款日", "到期日", "最后还款日", "截止", "应还", "账单日", "请于", "务必于"),
        *("5月20日", "2024-05-20", "5/20", "12月31日", "2024.5.20", "今天", "明日", "3天内", "24小时内"),
        *("95555", "96123", "9555", "955555", "13812345678", "400-123-4567"),
        *("【招商银行】", "[某某金融]", "【】", "1,234.56元", "¥500", "300元", "2万元", "人民币8"),
        *nd.terms("specificity_terms"),
        "\ud800",
    }
)


DETECTOR = nd.Rebinding(specificity, C)
c_only, same, same_text = DETECTOR.c_only, DETECTOR.same, DETECTOR.same_text


def test_the_detector_is_the_c_one() -> None:
    DETECTOR.assert_in_use()


test_texts_of_the_pieces, test_any_text = nd.text_tests(same_text, PIECES)


def test_every_synthetic_message() -> None:
    found = nd.fired(same_text, (m.text for m in nd.synthetic_messages()))
    assert found == {spec.name for spec in specificity._SPECS}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "逾期",
        "您尾号1234的卡已逾期45天，欠款1,234.56元，请于5月20日前还款【招商银行】，详询95555或官方app。",
        "您的借款已逾期三个月，另有一笔30天未还，尾号为 98765，尾数12345，后4位:0012",
        "您的借款45天未还，已逾期50天，30个月未归还",
        "拖欠已经第 12日，超期两月，逾期一百二十天，逾期零一二三四五六七天",
        "还款日2024-05-20，账单日5/20，截止到12月31日，本店5月20日起营业",
        "致电95555、96123、95555或官方客服、官方客服，手机银行与网上银行",
    ],
)
def test_chosen_texts(text: str) -> None:
    same_text(text)


def test_long_texts() -> None:
    unit = "您尾号1234的卡已逾期45天，欠款1,234.56元，请于5月20日前还款【招商银行】，详询95555或官方app。"
    for text in (unit * 1500, "x" * 100_000, "逾期" * 50_000, "官方app" * 20_000 + "95555"):
        same_text(text)


def _odd_features(f: Features) -> list[object]:
    """Features of shapes extraction never makes, each of which the C hands to the reference."""

    date = TextFeature("5月20日", (0, 5), (0, 5))
    return [
        None,
        nd.OddFeatures(*dataclasses.astuple(f)),
        dataclasses.replace(f, amounts=list(f.amounts)),  # type: ignore[arg-type]
        dataclasses.replace(f, dates=(nd.OddFeature("5月20日", (0, 5), (0, 5)),)),
        dataclasses.replace(f, dates=(TextFeature(5, (0, 5), (0, 5)),)),  # type: ignore[arg-type]
        dataclasses.replace(f, dates=(TextFeature("5月20日", (0, 5), [0, 5]),)),  # type: ignore[arg-type]
        dataclasses.replace(f, dates=(TextFeature("5月20日", (0, 5), (-1, 5)),)),
        dataclasses.replace(f, dates=(TextFeature("5月20日", (0, 5), (0, 2**70)),)),
        dataclasses.replace(f, dates=(date, 7)),  # type: ignore[arg-type]
        dataclasses.replace(f, amounts=(Amount(1.0, 5, (0, 1), (0, 1)),)),  # type: ignore[arg-type]
        dataclasses.replace(f, phones=(TextFeature(95555, (0, 5), (0, 5)),)),  # type: ignore[arg-type]
        dataclasses.replace(f, signatures=(nd.OddFeature("x", (0, 1), (0, 1)),)),
    ]


def test_odd_input_goes_to_the_reference() -> None:
    m, ntext, f = nd.triple("【招商银行】您尾号1234的卡已逾期45天，欠款300元，请于5月20日前还款，详询95555。")
    for odd in _odd_features(f):
        with c_only(), pytest.raises(nd.HandedToPython):
            C.detect(m, ntext, odd)
        same(m, ntext, odd)
    with c_only(), pytest.raises(nd.HandedToPython):
        C.detect(m, ntext, features=f)
    for args, kwargs in nd.odd_calls(m, ntext, f, "not a normalized text"):
        same(*args, **kwargs)


def test_spans_the_signal_helpers_refuse_raise_as_in_python() -> None:
    """Odd spans and values pass through to span_signal and make_signal, which answer for them."""
    m, ntext, f = nd.triple("【招商银行】欠 款 ３００元，详询95555。")
    assert ntext.starts is not None  # an offset map: a span past the end raises
    for odd in (
        dataclasses.replace(f, amounts=(Amount(1.0, "1元", (0, 1), "bad"),)),  # type: ignore[arg-type]
        dataclasses.replace(f, signatures=(TextFeature("x", (0, 1), (5, 2, 1)),)),
        dataclasses.replace(f, phones=(TextFeature("95555", (0, 5), "x"),)),  # type: ignore[arg-type]
        dataclasses.replace(f, phones=(TextFeature("95555", (0, 5), (0, 10**6)),)),
        dataclasses.replace(f, signatures=(TextFeature("x", (0, 1), (10**6, 10**6 + 1)),)),
    ):
        same(m, ntext, odd)


def test_odd_hits_go_to_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    m, ntext, f = nd.triple("请通过官方app还款")
    text = ntext.text
    entry = Entry("官方app", "specificity_terms", "official_channel", (), "test")
    reference = specificity.detect_reference
    reads: list[tuple[str, object]] = [
        (text, [TermHit(entry, 2, 7), (entry, 2, 7, False)]),
        (text, (TermHit(entry, 2, 7),)),
        (text, [TermHit(entry._replace(term=7), 2, 7)]),  # type: ignore[arg-type]
        (text, [TermHit(entry, 2, 7)] * 40 + [TermHit(entry._replace(term="x"), 0, 1)]),
    ]
    for read in reads:
        monkeypatch.setattr(specificity._TERMS, "read", lambda ntext, read=read: read)
        tables = {**specificity.NATIVE_TABLES, "read": specificity._TERMS.read}
        with nd.bound(C.bind, (reference, tables), (reference, specificity.NATIVE_TABLES)):
            same(m, ntext, f)


def test_no_references_leak() -> None:
    triples = [nd.triple(m.text) for m in nd.synthetic_messages(3, 200)]
    m, ntext, f = nd.triple("【招商银行】您尾号1234的卡已逾 期 ４５天，欠款300元，请于5月20日前还款，详询95555。")
    assert ntext.starts is not None
    failing = [  # raised inside the C path (by span_signal: no such character), and by the reference
        (m, ntext, dataclasses.replace(f, signatures=(TextFeature("x", (0, 1), (10**6, 10**6 + 1)),))),
        (None, None, None),
    ]
    calls: list[nd.LeakCall] = [(C.detect, t, None) for t in triples]
    nd.assert_calls_leak_nothing([*calls, *((C.detect, t, Exception) for t in failing)], 10)


def test_bind_refuses_incomplete_tables() -> None:
    DETECTOR.bind_checks_its_tables(
        [({"tail_words": ("",)}, ValueError), ({"names": ("a",)}, TypeError)], "您尾号1234的卡已逾期45天"
    )  # a failed bind leaves the detector as it was
