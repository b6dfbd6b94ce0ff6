"""The native credential detector (smsguard_plugins._ccredential) against its Python reference,
credential.detect_reference: the same signals in the same order for any message, the reference's answer (or
exception) for anything else, and the C body running where it should."""

from __future__ import annotations

import re
from typing import Any

import native_detectors as nd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from smsguard_plugins import _cues, credential
from smsguard_plugins._terms import TermHit

C = nd.accelerator(credential, "credential")


DETECTOR = nd.KeywordDetector(credential, C)
check = DETECTOR.same_text


TERMS = nd.terms("credential_terms")
NEGATORS = nd.words_of(_cues._NEGATORS, _cues._FAR_NEGATORS, _cues._CLAUSE_DENIALS)
OTHERS = ["他人", "给他人", "予别人", "任何人", "陌生人", "第三方"]
CODES = ["123456", "1234", "12345678", "123", "123456789", "12.3456", "1234.5", "٣٤٥٦", "１２３４", "12 34"]
FILLER = ["。", ",", "，", "!", ";", "\n", " ", "“", "《", '"', "x", "xxxxx", "的", "您", "请", "是诈骗", "均为诈骗"]
WORDS = TERMS + NEGATORS + OTHERS + CODES + FILLER
# Credentials, asks and codes at every distance from each other, either side of the windows.
spaced_text = st.lists(
    st.sampled_from(
        ["验证码", "密码", "身份证正反面", "提供", "填写", "回复", "泄露", "下载", "app", "“", "123456", "。", ","]
        + ["x" * n for n in range(1, 14)]
    ),
    max_size=12,
).map("".join)


def test_the_detector_is_the_c_one(monkeypatch: pytest.MonkeyPatch) -> None:
    DETECTOR.assert_in_use()
    assert type(credential.detect) is C.Detector
    nd.hook_calls_detect(credential, "请把验证码告诉客服", monkeypatch)


def test_the_synthetic_messages() -> None:
    assert len(nd.fired(check, (m.text for m in nd.synthetic_messages()))) >= 4


def test_each_signal_and_each_branch() -> None:
    firing = {
        "credential.request": "为完成解冻，请提供银行卡号和取款密码。",
        "credential.otp_notice": "您的验证码是483920，请勿泄露。",
        "credential.warning": "任何人索取验证码均为诈骗。",
        "credential.screen_share": "请下载会议软件，进入会议后开启屏幕共享，按我的指引操作。",
        "credential.app_download": "请立即下载“安心贷”完成认证。",
        "credential.face_scan": "提现前需完成人脸识别验证。",
    }
    others = [
        "我行工作人员不会向您索取密码或验证码。",
        "【某平台】验证码123456，验证码提供给他人将导致账号被盗。",
        "本次支付验证码为062935，请在页面提交验证码完成购买。",
        "请勿泄露验证码，请提供身份证正反面和密码，验证码发给我",
        "请上传身份证正反面照片，密码告诉客服，请勿告诉他人验证码",
        "不要开启屏幕共享，请勿下载app",
    ]
    nd.each_fires(check, firing, others)


def test_codes_are_looked_for_only_where_one_may_be() -> None:
    calls: list[int] = []

    def code_value(t: str, hit: TermHit) -> tuple[int, int] | None:
        calls.append(hit.start)
        return credential._code_value(t, hit)

    detector = DETECTOR.bind(reference=nd.refuse, code_value=code_value)
    for code in CODES:
        for gap in range(0, 14):
            for text in [f"验证码{'x' * gap}{code}", f"{code}{'x' * gap}是验证码", f"验证码{code[:2]}x{code[2:]}"]:
                calls.clear()
                check(text, detector)
                t = credential._TERMS.read(nd.NORMALIZER.normalize(text))[0]
                near = [h for h in credential._TERMS.read(nd.NORMALIZER.normalize(text))[1] if h.kind == "code"]
                windows = [t[max(0, h.start - credential._CODE_WINDOW) : h.end + credential._CODE_WINDOW] for h in near]
                assert len(calls) == sum(bool(CODE_RUN.search(w)) for w in windows), text


def test_asks_are_tested_only_where_one_may_be() -> None:
    calls: list[int] = []

    def asked(t: str, hit: TermHit, cues: Any) -> bool:
        calls.append(hit.start)
        return credential._asked(t, hit, cues)

    detector = DETECTOR.bind(reference=nd.refuse, asked=asked)
    before, after = credential._ASK_BEFORE, credential._ASK_AFTER
    for text, expected in [
        ("请提供验证码", 1),
        (f"提供{'x' * before}验证码", 1),
        (f"提供{'x' * (before + 1)}验证码", 0),
        (f"验证码{'x' * after}告诉我", 1),
        (f"验证码{'x' * (after + 1)}告诉我", 0),
        (f"验证码{'x' * (after + 1)}请勿泄露", 0),
        ("验证码", 0),
    ]:
        calls.clear()
        check(text, detector)
        assert len(calls) == expected, text


CODE_RUN = re.compile(rf"\d{{{credential._CODE_DIGITS[0]}}}")


@given(nd.joined(WORDS) | spaced_text)
@settings(max_examples=600, deadline=None)
def test_texts_of_lexicon_words(text: str) -> None:
    check(text)


@given(nd.any_text(80))
@settings(max_examples=200, deadline=None)
def test_any_text(text: str) -> None:
    check(text)


def test_empty_and_long_texts() -> None:
    for text in ["", " ", "验证码", "请提供"]:
        check(text)
    check(nd.long_text())
    assert check("请提供验证码123456和密码，请勿泄露给他人，下载“某某”app。" * 3000)


def test_other_hits_from_the_helpers_are_read_as_python_reads_them() -> None:
    detector = DETECTOR.bind(reference=nd.refuse, by_kind=nd.other_hits_by_kind)
    with nd.replaced(credential, by_kind=nd.other_hits_by_kind):
        for text in [
            "请提供银行卡号和取款密码，验证码是123456",
            "密码告诉客服，请勿泄露验证码。请上传身份证正反面",
            "验证码123456，请勿提供给他人，开启屏幕共享，下载“某某”",
        ]:
            assert check(text, detector)


def test_odd_reads_go_to_the_reference() -> None:
    m, ntext, features = nd.triple("请把验证码告诉客服")
    t, hits = credential._TERMS.read(ntext)
    entry = hits[0].entry._replace(kind=None)
    nd.reads_go_to_the_reference(
        lambda reference, read: DETECTOR.bind(reference=reference, read=read),
        credential.detect_reference,
        (m, ntext, features),
        [*nd.reads_of_odd_shape(t, hits), (t, [*hits, TermHit(entry, 0, 2)])],
    )


def test_odd_calls_get_what_the_reference_gives() -> None:
    for args, kwargs in nd.odd_calls(*nd.triple("请把验证码告诉客服"), "验证码", "请提供验证码"):
        assert nd.outcome(credential.detect, *args, **kwargs) == nd.outcome(
            credential.detect_reference, *args, **kwargs
        )


def test_errors_of_the_helpers_come_through() -> None:
    nd.helper_errors_come_through(
        lambda name: DETECTOR.bind(reference=nd.refuse, **{name: nd.broken}),
        [
            "negated",
            "by_kind",
            "resolve_overlaps",
            "make_signal",
            "hit_index",
            "asked",
            "code_value",
            "app_follows",
            "others",
        ],
        [
            nd.triple(text)
            for text in ["请提供验证码123456，请勿泄露给他人，密码告诉客服", "开启屏幕共享", "请下载“某某”"]
        ],
    )


def test_bind_checks_its_arguments() -> None:
    nd.bind_checks_its_arguments(
        C.bind,
        DETECTOR.binding(),
        [
            *(({"entry": int}, TypeError), ({"signalling_kinds": set()}, TypeError)),
            *(({"unless_negated": (("a", 1),)}, TypeError), ({"code_window": -1}, ValueError)),
            ({"code_min_digits": 4.0}, ValueError),
        ],
    )


def test_no_references_leak() -> None:
    texts = ["请提供验证码123456，请勿泄露给他人，密码告诉客服", "开启屏幕共享，请下载“某某”", "验证码", "", "您好"]
    triples = [nd.triple(text) for text in texts]
    failing = DETECTOR.bind(reference=nd.refuse, make_signal=lambda *a, **k: 1 / 0)
    by_kind_other = DETECTOR.bind(by_kind=nd.other_hits_by_kind)
    calls: list[nd.LeakCall] = [
        call
        for t in triples
        for call in ((credential.detect, t, None), (by_kind_other, t, None), (failing, triples[0], ZeroDivisionError))
    ]
    nd.assert_calls_leak_nothing([*calls, (DETECTOR.bind, (), None)], 300)
