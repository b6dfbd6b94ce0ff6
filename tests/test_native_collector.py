"""The native collector detector (smsguard_plugins._ccollector) against its Python reference,
collector.detect_reference: the same signals, in the same order, with the same types, for any message."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import native_detectors as nd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from smsguard_plugins import collector

from smsguard.extract import Features
from smsguard.model import Signal
from smsguard.normalize import SEPARATOR_CHARS, NormalizedText

C = nd.accelerator(collector, "collector")

DETECTOR = nd.TableDetector(collector, C)
same = DETECTOR.same_text

TERMS = nd.terms("collectors", "lenders")
# The words around the terms that the body looks at: the reader context (debt, address, framing), the verbs and
# stop characters of a name's left edge, the company tail, signatures, wedges and sentence ends.
WORDS = [
    *TERMS,
    *collector._NAME_VERBS,
    *collector._NAME_STOP,
    *("您", "你", "欠款", "逾期", "请尽快联系", "快讯", "讲座", "普法", "鼎信", "金石", "金诚", "华"),
    *("集团", "股份", "有限", "责任", "公司", "有限公司", "【", "】", "x", "3", "·", " ", "。", "，", "\n", "ａ"),
    "\ud800",
    "\U0001f600",
]
edge_chars = st.text(st.sampled_from("".join(TERMS[:80]) + "您欠款【】x·公司有限集团。" + SEPARATOR_CHARS), max_size=60)


def test_the_detector_is_the_c_one() -> None:
    DETECTOR.assert_in_use()


def test_the_synthetic_messages() -> None:
    fired = sum(bool(same(m.text)) for m in nd.synthetic_messages())
    assert fired > 300  # the messages reach the signals, not only the empty path


@given(nd.joined(WORDS) | nd.any_text() | edge_chars)
@settings(max_examples=600, deadline=None)
def test_any_text(text: str) -> None:
    same(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "您好",
        "永雄资产提醒您，欠款已逾期。",
        "永x雄资产提醒您，微 粒 贷借款已逾期，安逸花账单已出。",
        "您的欠款已移交鼎信信用管理有限公司处理，请联系金石律师事务所。",
        "我们律所受委托通知您，您的欠款将被起诉，法务部已介入，催收部将上门。",
        "【鼎信资产】您的欠款已逾期，请尽快处理。",
        "【法律讲座】金石律师事务所举办普法讲座，欢迎参加。",
        "您的资产管理业务已开通。",
        "华华华华华华华华华华华华华华信用管理有限公司通知您欠款。",
        "委托交由联系移交鼎信资产管理股份有限公司处理您的欠款",
        "【永雄资产】【鼎信律所】您的欠款已逾期",
    ],
)
def test_examples(text: str) -> None:
    same(text)


def test_long_texts() -> None:
    assert same("您的欠款已逾期，永雄资产已委托金石律师事务所处理。【某调解中心】" * 2500)
    same("x" * 100_000)
    same("永" * 100_000)


def test_user_lexicons_with_any_attributes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Known companies without a full name, with an unknown grade or none; lenders with and without a company."""
    (tmp_path / "collectors.txt").write_text(
        "# source: test\n青松智达\n白桦催收\tknown_company\n红杉清收\tknown_company\t红杉清收有限公司\tX\n"
        "蓝鲸追款\tknown_company\t蓝鲸\tH\textra\n",
        encoding="utf-8",
    )
    (tmp_path / "lenders.txt").write_text("# source: test\n松果借\n松果贷\tlender\t松果科技\n", encoding="utf-8")
    monkeypatch.setenv("SMSGUARD_LEXICON_PATH", str(tmp_path))
    for text in (
        "青松智达、白桦催收、红杉清收和蓝鲸追款提醒您欠款逾期，松果借、松果贷已逾期。",
        "青x松智达提醒您，松·果借已逾期。",
        "【红杉清收】您好",
    ):
        assert same(text)


def test_odd_calls_get_what_the_reference_gives() -> None:
    for args, kwargs in nd.odd_calls(*nd.triple("永雄资产提醒您，欠款已逾期。【鼎信资产】"), "永雄资产提醒您"):
        assert nd.outcome(partial(collector.detect, **kwargs), *args) == nd.outcome(
            partial(collector.detect_reference, **kwargs), *args
        )


def test_odd_reads_are_handed_to_the_reference() -> None:
    m, ntext, features = nd.triple("永雄资产提醒您，欠款已逾期。")
    t, found = collector._TERMS.read(ntext)
    calls: list[object] = []

    def reference(*args: object) -> list[Signal]:
        calls.append(args)
        return []

    odd_reads: list[Callable[[NormalizedText], object]] = [
        lambda n: [t, found],  # not a tuple
        lambda n: (t, tuple(found)),  # hits not in a list
        lambda n: (t, [*found, ("not", "a", "hit", False)]),
        lambda n: (t, [found[0]._replace(start=True)]),
    ]
    for read in odd_reads:
        detect = C.bind(reference, {**collector.NATIVE_TABLES, "read": read})
        assert detect(m, ntext, features) == []
    assert len(calls) == len(odd_reads)
    # a grouping that is not a dict of lists, a signatures field that is not a tuple
    for tables, feats in (
        ({**collector.NATIVE_TABLES, "by_kind": lambda hits: {"known_company": tuple(hits)}}, features),
        (collector.NATIVE_TABLES, Features(signatures=[])),  # type: ignore[arg-type]
    ):
        assert C.bind(reference, tables)(m, ntext, feats) == []
    assert len(calls) == len(odd_reads) + 2


def test_errors_of_the_helpers_come_through() -> None:
    nd.helper_errors_come_through(
        lambda name: C.bind(nd.refuse, {**collector.NATIVE_TABLES, name: nd.broken}),
        ("make_signal", "span_signal", "inside", "context_of", "reader_directed", "resolve_overlaps"),
        [nd.triple("永雄资产提醒您，欠款已逾期。【鼎信资产】您好，金石律师事务所")],
    )


def test_bind_checks_its_tables() -> None:
    nd.bind_checks_its_tables(
        C.bind, nd.refuse, collector.NATIVE_TABLES, [({"named_shapes": list(collector._NAMED_SHAPES)}, TypeError)]
    )


def test_no_references_leak() -> None:
    texts = [
        "永x雄资产提醒您，欠款已逾期，微粒贷、安逸花已逾期。",
        "您的欠款已移交鼎信信用管理有限公司处理，金石律师事务所、法务部、调解中心。【鼎信资产】",
        "【法律讲座】金石律师事务所举办普法讲座。",
    ]
    DETECTOR.assert_leaks_nothing(texts, AttributeError)
