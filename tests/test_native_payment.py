"""The native payment detector (smsguard_plugins._cpayment) against its Python reference,
payment.detect_reference: the same signals in the same order for any message, the reference's answer (or
exception) for anything else, and the C body running where it should."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import native_detectors as nd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from smsguard_plugins import _cues, payment
from smsguard_plugins._terms import TermHit

C = nd.accelerator(payment, "payment")


DETECTOR = nd.KeywordDetector(payment, C)
check = DETECTOR.same_text


TERMS = nd.terms("payment_terms")
DEMANDS = nd.terms("context", kind="demand")
NEGATORS = nd.words_of(_cues._NEGATORS, _cues._FAR_NEGATORS, _cues._CLAUSE_DENIALS)
CARDS = [
    "6222 0202 1234 5678 901",
    "6217000012345678901",
    "6217-0000-1234-5678",
    "621700001234567",  # 15 digits: no card
    "62170000123456789012",  # 20 digits: no card
    "430102199001011234",  # an ID number
    "6217  0000 1234 5678",  # two separators break the run
    "٦٢١٧٠٠٠٠١٢٣٤٥٦٧٨",  # Arabic-Indic digits are \d too
    "6217000012345678x",
]
FILLER = ["。", ",", "，", "!", ";", "\n", "、", " ", "-", "x", "xxxxx", "的", "您", "元", "5000", "账户", "是诈骗"]
WORDS = TERMS + DEMANDS + NEGATORS + CARDS + FILLER
digit_text = st.lists(
    st.sampled_from(["转账", "汇款", "卡号", "户名", "请", "0", "1", "9", "٣", "１", " ", "-", "x", "。"]), max_size=60
).map("".join)
# Cues at every distance from a transfer word, either side of the windows.
spaced_text = st.lists(
    st.sampled_from(
        ["请", "立即", "转账", "汇到", "指定账户", "户名", "安全账户", "。", ","] + ["x" * n for n in range(1, 22)]
    ),
    max_size=12,
).map("".join)
# What the C looks for before it runs the card pattern: 16 digits, at most one separator between two.
CARD_RUN = re.compile(rf"\d(?:[{payment._CARD_SEPARATORS}]?\d){{{payment._CARD_DIGITS[0] - 1}}}")


def test_the_detector_is_the_c_one(monkeypatch: pytest.MonkeyPatch) -> None:
    DETECTOR.assert_in_use()
    assert type(payment.detect) is C.Detector
    nd.hook_calls_detect(payment, "请立即将5000元转账至以下账户。", monkeypatch)


def test_the_synthetic_messages() -> None:
    assert len(nd.fired(check, (m.text for m in nd.synthetic_messages()))) >= 4


def test_each_signal_and_each_branch() -> None:
    firing = {
        "payment.transfer_demand": "请立即将5000元转账至以下账户，否则后果自负。",
        "payment.safe_account": "您的账户涉嫌洗钱，请将资金转入安全账户配合调查。",
        "payment.designated_account": "请于今日内将欠款汇入指定账户。",
        "payment.personal_account": "还款请直接打到我的个人卡：6222 0202 1234 5678 901，户名李四。",
        "payment.qr_code": "请扫码支付剩余欠款，逾期将上报征信。",
        "payment.upfront_fee": "您的贷款已审批通过，放款前需缴纳2000元保证金。",
    }
    others = [
        "提醒：切勿向陌生人转账汇款。",
        "公检法机关没有所谓的安全账户，请勿转账。",
        "【某银行】您尾号1234的账户于10日转账支出500.00元。",
    ]
    nd.each_fires(check, firing, others)


def test_the_card_pattern_runs_only_where_a_card_may_be() -> None:
    calls: list[str] = []

    def cards(t: str) -> list[TermHit]:
        calls.append(t)
        return payment._cards(t)

    detector = DETECTOR.bind(reference=nd.refuse, cards=cards)
    for number in [*CARDS, "6217 0000 1234 5678", "6217000012345678", "6-2-1-7-0-0-0-0-1-2-3-4-5-6-7-8"]:
        for text in [f"请转账到{number}", f"请转账到{number}9", f"{number}，请转账", f"汇款{number[:-1]}"]:
            calls.clear()
            check(text, detector)
            t = payment._TERMS.read(nd.NORMALIZER.normalize(text))[0]
            assert bool(calls) == bool(CARD_RUN.search(t)), text


def test_cues_are_tested_only_where_one_may_be() -> None:
    calls: list[str] = []

    def spy(name: str) -> Callable[..., bool]:
        def cue(*args: Any) -> bool:
            calls.append(name)
            return getattr(_cues, name)(*args)  # type: ignore[no-any-return]

        return cue

    detector = DETECTOR.bind(reference=nd.refuse, cue_before=spy("cue_before"), cue_after=spy("cue_after"))
    before, after = payment._CUE_WINDOW, payment._TARGET_WINDOW
    for text, expected in [
        ("请转账", ["cue_before"]),
        (f"请{'x' * before}转账", ["cue_before"]),
        (f"请{'x' * (before + 1)}转账", []),
        (f"转账{'x' * after}指定账户", ["cue_after"]),
        (f"转账{'x' * (after + 1)}指定账户", []),
        (f"请{'x' * (before + 1)}转账{'x' * after}户名", ["cue_after"]),
        ("转账", []),
    ]:
        calls.clear()
        check(text, detector)
        assert calls == expected, text


@given(nd.joined(WORDS) | digit_text | spaced_text)
@settings(max_examples=600, deadline=None)
def test_texts_of_lexicon_words(text: str) -> None:
    check(text)


@given(nd.any_text(80))
@settings(max_examples=200, deadline=None)
def test_any_text(text: str) -> None:
    check(text)


def test_empty_and_long_texts() -> None:
    for text in ["", " ", "转账", "请转账"]:
        check(text)
    assert check(nd.long_text())
    assert check("请转账到6222020212345678901，户名李四，先交保证金。" * 4000)


def test_other_hits_from_the_helpers_are_read_as_python_reads_them() -> None:
    detector = DETECTOR.bind(reference=nd.refuse, by_kind=nd.other_hits_by_kind)
    with nd.replaced(payment, by_kind=nd.other_hits_by_kind):
        for text in [
            "请立即转账到以下账户",
            "您好，请将资金转入安全账户。请先交保证金放款",
            "请把钱转到个人卡6222020212345678901",
        ]:
            assert check(text, detector)


def test_odd_reads_go_to_the_reference() -> None:
    m, ntext, features = nd.triple("请立即转账到以下账户")
    t, hits = payment._TERMS.read(ntext)
    entry = hits[0].entry._replace(kind=None)
    nd.reads_go_to_the_reference(
        lambda reference, read: DETECTOR.bind(reference=reference, read=read),
        payment.detect_reference,
        (m, ntext, features),
        [*nd.reads_of_odd_shape(t, hits), (t, [TermHit(entry, 0, 2)])],
    )


def test_odd_calls_get_what_the_reference_gives() -> None:
    for args, kwargs in nd.odd_calls(*nd.triple("请立即转账到以下账户"), "请转账"):
        assert nd.outcome(payment.detect, *args, **kwargs) == nd.outcome(payment.detect_reference, *args, **kwargs)


def test_errors_of_the_helpers_come_through() -> None:
    nd.helper_errors_come_through(
        lambda name: DETECTOR.bind(reference=nd.refuse, **{name: nd.broken}),
        ("negated", "by_kind", "make_signal", "context_of", "hit_index", "cue_before", "cards"),
        [nd.triple(text) for text in ["请立即转账到以下账户，户名李四", "请转账到6222020212345678901", "请先交保证金"]],
    )


def test_bind_checks_its_arguments() -> None:
    nd.bind_checks_its_arguments(
        C.bind,
        DETECTOR.binding(),
        [
            *(({"term_hit": int}, TypeError), ({"never_negated": set()}, TypeError)),
            *(({"account_kinds": ["safe_account"]}, TypeError), ({"cue_window": 0}, ValueError)),
            *(({"card_min_digits": "16"}, ValueError), ({"target_window": 10**30}, ValueError)),
        ],
    )


def test_no_references_leak() -> None:
    texts = ["请立即转账到以下账户，户名李四，先交保证金", "请转账到6222020212345678901", "切勿转账", "", "您好"]
    triples = [nd.triple(text) for text in texts]
    failing = DETECTOR.bind(reference=nd.refuse, make_signal=lambda *a: 1 / 0)
    calls: list[nd.LeakCall] = [
        call for t in triples for call in ((payment.detect, t, None), (failing, triples[0], ZeroDivisionError))
    ]
    nd.assert_calls_leak_nothing([*calls, (DETECTOR.bind, (), None)], 300)
