"""The sender checker: every kind of sender and the brand-mismatch signal, with messages written for these tests."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
import smsguard_plugins.sender as sender
from hypothesis import given
from hypothesis import strategies as st

from smsguard.extract import extract
from smsguard.model import Message, Signal
from smsguard.normalize import default_normalizer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from synth import Generator

N = default_normalizer()
DOCS = Path(__file__).resolve().parent.parent / "docs" / "detectors.md"
BILL = "【招商银行】您的信用卡本期账单已出，请按时还款。"


def detect(text: str, number: str | None) -> dict[str, Signal]:
    ntext = N.normalize(text)
    signals = list(sender.smsguard_detect(message=Message(text, number), text=ntext, features=extract(ntext)))
    declared = {spec.name: spec.type for spec in sender.smsguard_signals()}
    found: dict[str, Signal] = {}
    for signal in signals:
        assert signal.name in declared
        assert signal.name not in found, f"{signal.name} emitted twice"
        kind = declared[signal.name]
        if kind == "bool":
            assert signal.value is True
        else:
            assert isinstance(signal.value, str) and signal.value
        for start, end in signal.spans:
            assert 0 <= start < end <= len(text)
        found[signal.name] = signal
    return found


def value(found: dict[str, Signal], name: str) -> Any:
    return found[name].value if name in found else None


@pytest.mark.parametrize(
    ("number", "kind", "digits", "detail"),
    [
        (None, "empty", "", ""),
        ("", "empty", "", ""),
        ("   ", "empty", "", ""),
        ("13800138000", "mobile", "13800138000", ""),
        ("+86 138 0013 8000", "mobile", "13800138000", ""),
        ("8613800138000", "mobile", "13800138000", ""),
        ("１３８００１３８０００", "mobile", "13800138000", ""),
        ("19212345678", "mobile", "19212345678", ""),  # 中国广电, a real carrier
        ("17012345678", "virtual", "17012345678", "170"),
        ("0086-171 1234 5678", "virtual", "17112345678", "171"),
        ("16512345678", "virtual", "16512345678", "165"),
        ("+85261234567", "international", "+85261234567", "HK"),
        ("0060123456789", "international", "+60123456789", "MY"),
        ("+1 650 253 0000", "international", "+16502530000", "US"),
        ("+999123", "international", "+999123", "unknown"),
        ("1065795555", "port", "1065795555", "china_mobile"),
        ("10655012345", "port", "10655012345", "china_unicom"),
        ("1065901234567", "port", "1065901234567", "china_telecom"),
        ("106901234567", "port", "106901234567", "multi_carrier"),
        ("106812345678", "port", "106812345678", "enterprise"),
        ("+86 10657 95555", "port", "1065795555", "china_mobile"),
        ("106900498311", "court", "106900498311", "spc_eservice"),
        ("12368", "court", "12368", "12368"),
        ("12381", "antifraud", "12381", "12381"),
        ("96110", "antifraud", "96110", "96110"),
        ("95588", "hotline", "95588", "工商银行"),
        ("95555", "hotline", "95555", "招商银行"),
        ("9555501", "hotline", "9555501", "招商银行"),
        ("95384", "hotline", "95384", "微众银行"),
        ("95999", "hotline", "95999", "unknown"),
        ("10086", "hotline", "10086", "中国移动"),
        ("4001234567", "service400", "4001234567", ""),
        ("800-123-4567", "service400", "8001234567", ""),
        ("010-12345678", "fixed", "01012345678", ""),
        ("0755 12345678", "fixed", "075512345678", ""),
        ("ICBC", "unknown", "ICBC", ""),
        ("12", "unknown", "12", ""),
        ("12012345678", "unknown", "12012345678", ""),
    ],
)
def test_parse_sender(number: str | None, kind: str, digits: str, detail: str) -> None:
    info = sender.parse_sender(number)
    assert (info.kind, info.number, info.value) == (kind, digits, detail)


def test_kind_is_always_emitted_without_spans() -> None:
    found = detect("您好", None)
    assert value(found, "sender.kind") == "empty"
    assert found["sender.kind"].spans == ()
    assert set(found) == {"sender.kind"}


@pytest.mark.parametrize("number", ["13800138000", "+86 13800138000", "17012345678"])
def test_personal(number: str) -> None:
    assert value(detect("您好", number), "sender.personal") is True


@pytest.mark.parametrize("number", ["95588", "1065795555", "+85261234567", "4001234567", None])
def test_not_personal(number: str | None) -> None:
    assert "sender.personal" not in detect("您好", number)


@pytest.mark.parametrize(
    ("number", "prefix", "confidence"),
    [("17012345678", "170", 0.9), ("+86 171 1234 5678", "171", 0.9), ("16712345678", "167", 0.5)],
)
def test_virtual_operator(number: str, prefix: str, confidence: float) -> None:
    signal = detect("您好", number)["sender.virtual_operator"]
    assert (signal.value, signal.confidence) == (prefix, confidence)


@pytest.mark.parametrize("number", ["13812345678", "19212345678", "1701234567"])
def test_not_virtual_operator(number: str) -> None:
    assert "sender.virtual_operator" not in detect("您好", number)


def test_international() -> None:
    assert value(detect("您好", "00852 6123 4567"), "sender.international") == "HK"
    assert "sender.international" not in detect("您好", "0086 13800138000")


def test_port_hotline_court_antifraud() -> None:
    assert value(detect("您好", "1065795555"), "sender.port") == "china_mobile"
    assert value(detect("您好", "95533"), "sender.hotline") == "建设银行"
    assert value(detect("您好", "12368"), "sender.court") is True
    assert value(detect("您好", "106900498311"), "sender.court") is True
    assert value(detect("您好", "12381"), "sender.antifraud") is True
    assert value(detect("您好", "96110"), "sender.antifraud") is True
    for signal in ("sender.port", "sender.hotline", "sender.court", "sender.antifraud"):
        assert signal not in detect("您好", "13800138000")


@pytest.mark.parametrize(
    ("text", "number", "brand", "claim", "confidence"),
    [
        (BILL, "13800138000", "招商银行", "招商银行", 0.9),
        ("【招商銀行】您的信用卡已逾期", "+86 138 0013 8000", "招商银行", "招商銀行", 0.9),
        ("【招 商 银 行】您的信用卡已逾期", "１３８００１３８０００", "招商银行", "招 商 银 行", 0.9),
        (BILL, "95588", "招商银行", "招商银行", 0.8),  # ICBC's hotline signing as CMB
        ("我是招商银行客服，您的额度已提升", "17012345678", "招商银行", "招商银行", 0.6),
        ("【微粒贷】您的借款已逾期", "+85261234567", "微众银行", "微粒贷", 0.9),
        ("北京市朝阳区人民法院通知：您被起诉", "13800138000", "人民法院", "人民法院", 0.6),
        ("【京东金融】您的白条已逾期", "0060123456789", "京东", "京东金融", 0.9),
        ("【支付宝】您的账户异常", "12368", "支付宝", "支付宝", 0.8),
    ],
)
def test_brand_mismatch(text: str, number: str, brand: str, claim: str, confidence: float) -> None:
    signal = detect(text, number)["sender.brand_mismatch"]
    assert signal.value == brand
    assert [text[a:b] for a, b in signal.spans] == [claim]
    assert signal.confidence == pytest.approx(confidence)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        (BILL, "95555"),
        (BILL, "9555501"),
        (BILL, "1065795555"),  # a rented port proves nothing either way
        (BILL, "4008205555"),
        (BILL, None),
        ("【微众银行】您的借款即将到期", "95384"),
        ("【中国移动】您的话费余额不足", "10086"),
        ("【某某人民法院】您有一条立案信息", "12368"),
        ("【反诈中心】警方提示：冒充招商银行客服的都是诈骗", "12381"),
        ("我司将向法院起诉您", "13800138000"),  # names a court without speaking for it
        ("北京东路店今日开业", "13800138000"),
        ("你好，周末一起吃饭吧", "13800138000"),
        ("您好，请登录 cmb-vip.top 查询", "13800138000"),  # a brand inside a link is not a claim
    ],
)
def test_no_brand_mismatch(text: str, number: str | None) -> None:
    assert "sender.brand_mismatch" not in detect(text, number)


def test_hotline_table_extends_through_lexicon_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "hotlines.txt").write_text("# source: test\n95999\tcmb\t招商银行\n", encoding="utf-8")
    assert value(detect(BILL, "95999"), "sender.hotline") == "unknown"
    monkeypatch.setenv("SMSGUARD_LEXICON_PATH", str(tmp_path))
    found = detect(BILL, "95999")
    assert value(found, "sender.hotline") == "招商银行"
    assert "sender.brand_mismatch" not in found


def test_every_signal_is_documented() -> None:
    body = DOCS.read_text(encoding="utf-8")
    match = re.search(r"^## sender\n(.*?)(?=^## |\Z)", body, re.S | re.M)
    assert match, "docs/detectors.md has no '## sender' section"
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", match.group(1), re.M))
    assert documented == {spec.name for spec in sender.smsguard_signals()}


@pytest.mark.parametrize(
    "text",
    [
        "张先生，你的欠款已逾期，我们将申请冻结你的微信和支付宝余额。",  # brands named as objects
        "周末去招商银行门口等你，记得带卡。",
    ],
)
def test_brand_named_as_an_object_is_no_claim(text: str) -> None:
    assert "sender.brand_mismatch" not in detect(text, "13800138000")


@pytest.mark.parametrize(
    ("text", "brand"),
    [
        ("您好，这里是支付宝客服，您的账户存在风险。", "支付宝"),
        ("支付宝通知：您的花呗额度已冻结。", "支付宝"),
    ],
)
def test_brand_claimed_by_a_mobile(text: str, brand: str) -> None:
    assert detect(text, "13800138000")["sender.brand_mismatch"].value == brand


def fields(signals: Any) -> list[tuple[Any, ...]]:
    """Every field of the signals with the types of value and confidence (True == 1 == 1.0 would hide a change)."""
    return [
        (type(s), s.name, type(s.value), s.value, type(s.confidence), s.confidence, s.spans, s.detail, s.plugin)
        for s in signals
    ]


def check_fast_path(number: str | None) -> None:
    """The signals of a plain-digit sender, judged afresh without the cache, are those of the cached parse."""
    ntext = N.normalize("您好")
    got = list(sender.smsguard_detect(message=Message("您好", number), text=ntext, features=extract(ntext)))
    if number is None or not number.strip():
        expected = sender._EMPTY[1]
    else:
        expected = sender._kind_signals(sender._parse(number, ""))
    assert fields(got) == fields(expected)


def test_fast_path_on_generated_senders() -> None:
    numbers = {m.sender for m in Generator(7).messages(3000)}
    assert len(numbers) > 1000  # mostly random mobile and port numbers: the case the fast path is for
    for number in sorted(numbers):
        check_fast_path(number)


HEADS = ["", "1", "106", "10657", "1069", "106900498311", "12368", "12381", "96110", "170", "171", "165", "13", "95"]


@given(st.sampled_from(HEADS), st.text(st.sampled_from("0123456789"), max_size=14))
def test_fast_path_on_digit_senders(head: str, tail: str) -> None:
    check_fast_path(head + tail)


@given(st.text(st.sampled_from("0123456789 +-()１٣\ud800a"), max_size=16))
def test_fast_path_on_odd_senders(number: str) -> None:
    check_fast_path(number)


def test_brand_mismatch_with_several_claims() -> None:
    text = "【招商银行】我是招商银行客服，招商银行提醒您"
    signal = detect(text, "13800138000")["sender.brand_mismatch"]
    assert [text[a:b] for a, b in signal.spans] == ["招商银行"] * 3
    assert (signal.value, signal.confidence) == ("招商银行", 0.9)
    assert signal.detail == "claims 招商银行; mobile sender 13800138000"
    text = "【招商银行】【工商银行】您好"
    signal = detect(text, "95588")["sender.brand_mismatch"]
    assert [text[a:b] for a, b in signal.spans] == ["招商银行"]
    assert signal.detail == "claims 招商银行; hotline 95588 belongs to 工商银行"


def test_ports_table_extends_mobile_prefixes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A user's port table may claim mobile prefixes: the numbers judged without the cache follow it."""
    rows = "# source: test\n139\tport\tlocal_gateway\n1380013\tcourt\tlocal_court\n"
    (tmp_path / "ports.txt").write_text(rows, encoding="utf-8")
    assert value(detect("您好", "13912345678"), "sender.kind") == "mobile"
    monkeypatch.setenv("SMSGUARD_LEXICON_PATH", str(tmp_path))
    assert value(detect("您好", "13912345678"), "sender.port") == "local_gateway"
    assert value(detect("您好", "13800131234"), "sender.court") is True
    assert value(detect("您好", "13700131234"), "sender.kind") == "mobile"
