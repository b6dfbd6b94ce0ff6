"""The sender checker's C body (smsguard_plugins._csender) against its Python reference, sender.detect_reference:
the same signals (values, types, order), the same exceptions, for any sender and any text."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import native_detectors as nd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from smsguard_plugins import _brands, sender

from smsguard.extract import Features, TextFeature
from smsguard.model import Message, Signal

C = nd.accelerator(sender, "sender")

PORT_HEADS = nd.terms("ports")
HOTLINES = nd.terms("hotlines")
HEADS = ["", "1", "13", "19", "10", "12", "95", "96", "400", "800", "010", "0", "00", "86", *PORT_HEADS, *HOTLINES]
digit_sender = st.tuples(st.sampled_from(HEADS), st.text(st.sampled_from("0123456789"), max_size=14)).map("".join)
odd_sender = st.text(st.sampled_from("0123456789+-() .·（）\t\u3000１８６\ud800\U0001d7ce" + "abc"), max_size=18)
any_sender = st.none() | digit_sender | odd_sender | st.text(max_size=12)
NAMES = nd.terms("brands")
WORDS = [
    *NAMES,
    *["通知", "提醒", "客服", ":", "我是", "这里是", "来自", "您好", "冻结你的", "，", "。", "【", "】", "[", "]"],
    "http://a.top/x ",
    "\ud800",
]
claim_text = nd.joined(WORDS, 16)
SENDERS = [
    None,
    "",
    "  \u3000",
    "13800138000",
    "17012345678",
    "16512345678",
    "1701234567",
    "10690123456789",
    "1065795555",
    "106",
    "1069" + "1" * 20,
    "1069" + "1" * 17,
    "1069" + "1" * 18,
    "10690123",
    "1069012",
    "19212345678",
    "12912345678",
    "12368",
    "123681234",
    "1236812345",
    "106900498311",
    "12381",
    "96110",
    "95588",
    "955881234",
    "95599",
    "4001234567",
    "01062345678",
    "8613800138000",
    "008613800138000",
    "+86 170 1234 5678",
    "+85221234567",
    "１３８００１３８０００",
    "abc",
    "1380013800\ud800",
]


def c_only() -> AbstractContextManager[Any]:
    """Within, the C detect (yielded) raises HandedToPython where it would hand its input to the Python
    reference."""
    return nd.bound(sender._bind, (nd.refuse, nd.refuse), (sender.detect_reference, sender._brand_mismatch))


def same(detect: Any, message: object, ntext: object, features: object) -> Any:
    """``detect`` gives what the reference gives on the arguments; returns the reference's result."""
    return nd.agree(nd.fresh_claims(sender.detect_reference), [nd.fresh_claims(detect)], message, ntext, features)


def test_the_detector_is_the_c_one() -> None:
    assert sender.detect is C.detect and type(C.detect).__name__ == "builtin_function_or_method"
    ntext, features = nd.inputs("您好")
    assert sender.smsguard_detect(Message("您好", "13800138000"), ntext, features)[0].value == "mobile"


def test_the_synthetic_messages() -> None:
    mismatches = 0
    with c_only() as detect:
        for i, m in enumerate(nd.synthetic_messages()):
            ntext, features = nd.inputs(m.text)
            result = same(detect, Message(m.text, m.sender or None), ntext, features)
            mismatches += "sender.brand_mismatch" in str(result)
            same(detect, Message(m.text, SENDERS[i % len(SENDERS)]), ntext, features)
    assert mismatches > 300  # the generator's mobile senders claim brands


@given(any_sender, claim_text)
@settings(max_examples=600)
def test_any_sender_and_claim(number: str | None, text: str) -> None:
    ntext, features = nd.inputs(text)
    same(C.detect, Message(text, number), ntext, features)


@given(digit_sender)
@settings(max_examples=400)
def test_the_c_judges_what_the_port_table_and_the_mobile_shape_decide(number: str) -> None:
    check_decided(number)


def test_the_c_judges_the_listed_senders() -> None:
    for number in SENDERS:
        check_decided(number or "")


def check_decided(number: str) -> None:
    """The C's own reading of the port table: a number it decides does not reach the cached Python parse (which
    would give the same signals, hiding a miss), and one it does not decide does."""
    ntext, features = nd.inputs("您好")
    plain = number.isascii() and number.isdigit() and not number.startswith(("00", "86"))
    decided = plain and sender._by_prefix(number, _brands.from_lexicons(*sender._PORT_TABLE, "")) is not None
    before = sender._judged.cache_info()
    C.detect(Message("您好", number), ntext, features)
    after = sender._judged.cache_info()
    calls = after.hits + after.misses - before.hits - before.misses
    assert calls == (0 if decided or not number.strip() else 1)
    same(C.detect, Message("您好", number), ntext, features)


@given(st.sampled_from(SENDERS), claim_text, st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=3))
@settings(max_examples=300)
def test_any_signatures(number: str | None, text: str, spans: list[tuple[int, int]]) -> None:
    ntext = nd.NORMALIZER.normalize(text)
    features = Features(signatures=tuple(TextFeature("x", s, s) for s in spans))
    same(C.detect, Message(text, number), ntext, features)


def test_the_usual_senders_and_claims_run_in_c() -> None:
    with c_only() as detect:
        for number in SENDERS:
            for text in ["", "您好", "【招商银行】账单已出", "这里是支付宝客服", "【工商银行】您好，我是建设银行客服"]:
                same(detect, Message(text, number), *nd.inputs(text))


def test_a_brand_named_twice_goes_to_the_reference() -> None:
    text = "【支付宝】您好，这里是支付宝客服"
    calls: list[object] = []

    def mismatch(*args: object) -> Signal | None:
        calls.append(args[0])
        found: Signal | None = sender._brand_mismatch(*args)
        return found

    with nd.bound(sender._bind, (nd.refuse, mismatch), (sender.detect_reference, sender._brand_mismatch)) as detect:
        result = same(detect, Message(text, "13800138000"), *nd.inputs(text))
        assert "sender.brand_mismatch" in str(result)
        assert calls == [sender.SenderInfo("mobile", "13800138000")]


def test_long_and_empty_texts() -> None:
    for text in [
        "",
        nd.long_text(),
        "【招商银行】" * 20_000,
    ]:  # brands named many times: the reference builds the claim
        for number in ("13800138000", "95588", "12368", None):
            same(C.detect, Message(text, number), *nd.inputs(text))


class OddSender(str):
    pass


class OddMessage:
    def __init__(self, sender: object) -> None:
        self.sender = sender


def test_odd_inputs_get_what_the_reference_gives() -> None:
    ntext, features = nd.inputs("【招商银行】账单已出")
    for number in (OddSender("13800138000"), 13800138000, b"13800138000", OddSender(" ")):
        same(C.detect, OddMessage(number), ntext, features)
    for message in (object(), None, OddMessage("13800138000")):
        same(C.detect, message, ntext, features)
    for args in [(ntext, None), (ntext, object()), ("text", features), (None, features)]:
        for plain in ("13800138000", "95588", "1065795555", None):
            same(C.detect, Message("x", plain), *args)
    with pytest.raises(TypeError):
        C.detect(Message("x"), ntext)
    args = (Message("x"), ntext, features, 1)
    assert nd.outcome(nd.fresh_claims(C.detect), *args) == nd.outcome(nd.fresh_claims(sender.detect_reference), *args)


def test_a_lexicon_path_change_reaches_the_port_table(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "ports.txt").write_text("192\tvirtual\tweak\n1391234\tport\ttest_carrier\n", encoding="utf-8")
    text = "您好"
    for number in ("19212345678", "13912345678", "13800138000"):
        same(C.detect, Message(text, number), *nd.inputs(text))
    monkeypatch.setenv("SMSGUARD_LEXICON_PATH", str(tmp_path))
    results = [same(C.detect, Message(text, n), *nd.inputs(text)) for n in ("19212345678", "13912345678")]
    assert "virtual" in str(results[0]) and "test_carrier" in str(results[1])


ODD_TABLE_SENDERS = [
    "1069012345",
    "10655123456",
    "1065",
    "106",
    "10",
    "",
    "17012345678",
    "9611",
    "96110",
    "961101234",
    "9611012345",
    "12345678901",
    "13800138000",
    "1770000000",
    "177000000001",
]


def odd_port_table(heads: frozenset[object]) -> sender._PortTable:
    """A table that _port_table would not build: a full-width key, a key of a length not looked up, heads given."""
    rows = {
        "１０６": ("port", "wide"),
        "1065": ("port", "short"),  # the lengths below leave 4 out: never looked up
        "10655": ("port", "five"),
        "106": ("port", "three"),
        "177": ("virtual", "strong"),
        "9611": ("antifraud", "x"),
        "96110": ("court", "y"),
        "123": ("other", "z"),
    }
    return sender._PortTable(rows, (5, 3), 3, heads)


@pytest.mark.parametrize(
    "heads",
    [
        frozenset({"106", "177", "961", "123", "１０６", "1"}),
        frozenset({"106", "10"}),
        frozenset(),
        frozenset({"106", 106}),  # a head that is no str: the C hands the table to the reference
    ],
)
def test_odd_port_tables(monkeypatch: pytest.MonkeyPatch, heads: frozenset[object]) -> None:
    text = "您好"
    ntext, features = nd.inputs(text)
    env = sender.lexicon_env(ntext)
    monkeypatch.setitem(_brands._DERIVED, sender._PORT_TABLE[0], (env, odd_port_table(heads)))
    sender._judged.cache_clear()
    handed = any(not isinstance(head, str) for head in heads)
    try:
        with c_only() as detect:
            for number in ODD_TABLE_SENDERS:
                if handed and number.isdigit():  # the C reads the table only for a sender of digits
                    with pytest.raises(nd.HandedToPython):
                        detect(Message(text, number), ntext, features)
                else:
                    same(detect, Message(text, number), ntext, features)
        for number in ODD_TABLE_SENDERS:
            same(C.detect, Message(text, number), ntext, features)
    finally:
        sender._judged.cache_clear()


def test_no_references_leak() -> None:
    cases = [(Message(t, n), *nd.inputs(t)) for t in ("【招商银行】您好", "您好，这里是支付宝客服") for n in SENDERS]
    cases.append((Message("x", OddSender("1")), *nd.inputs("x")))
    detect = nd.fresh_claims(C.detect)
    calls: list[nd.LeakCall] = [(detect, case, None) for case in cases]
    try:
        nd.assert_calls_leak_nothing([*calls, (C.detect, (object(), *cases[0][1:]), AttributeError)], 150)
    finally:
        _brands._LAST[0] = None
