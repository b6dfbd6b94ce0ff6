from __future__ import annotations

import json
import sys
import time
import types
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path

import pytest

from smsguard import Engine, InputError, Message, Signal, SignalSpec
from smsguard.hookspecs import hookimpl
from smsguard.model import Verdict
from smsguard.testing import make_engine, plugin_module

# Messages written for these tests, one per category of the default pack.
BY_CATEGORY = {
    "scam": ("您的贷款已审批通过，需先缴纳解冻费2000元到指定账户后才能放款", "17012345678"),
    "illegal_collection": ("你这个老赖，今天再不还钱，我们就联系你家人和你单位领导", "13912345678"),
    "legal_threat": (
        "您的欠款已严重逾期，我司将于三日内向法院提起诉讼，届时你将被列入失信名单",
        "1069012345678",
    ),
    "legal_notice": (
        "【上海市浦东新区人民法院】您的案件（2025）沪0115民初12345号已立案，请登录12368查询。",
        "12368",
    ),
    "collection_notice": (
        "【招商银行】您尾号1234的信用卡本期账单应还1,234.56元，已逾期3天，请通过官方APP还款，以免影响您的个人信用记录。",
        "95555",
    ),
    "normal": ("妈，我周末回家吃饭，帮我留点饺子", "13812345678"),
}


@pytest.mark.parametrize("category", sorted(BY_CATEGORY))
def test_each_category(engine: Engine, category: str) -> None:
    text, sender = BY_CATEGORY[category]
    verdict = engine.check(text, sender=sender)
    assert verdict.category == category
    assert verdict.advice, "every verdict carries advice"
    json.dumps(verdict.to_dict(), ensure_ascii=False)


def test_risk_follows_category(engine: Engine) -> None:
    assert engine.check(*BY_CATEGORY["scam"]).risk == "high"
    assert engine.check(*BY_CATEGORY["legal_threat"]).risk == "medium"
    assert engine.check(*BY_CATEGORY["normal"]).risk == "none"


def test_spans_point_into_the_original_text(engine: Engine) -> None:
    text = "您的欠款已逾期，我司将向法院提起\u200b诉讼，请于２４小时内处理"
    verdict = engine.check(text, sender="10690000")
    assert verdict.hits
    for hit in verdict.hits:
        for (start, end), evidence in zip(hit.spans, hit.evidence, strict=True):
            assert text[start:end] == evidence
    assert any("起\u200b诉" in e for hit in verdict.hits for e in hit.evidence)
    for signal in verdict.signals:
        assert all(0 <= s <= e <= len(text) for s, e in signal.spans)


def test_full_width_text_is_matched(engine: Engine) -> None:
    verdict = engine.check("您的贷款已审批，需缴纳保证金２０００元后放款")
    assert verdict.category == "scam"


def test_verdict_to_dict_has_the_stable_keys(engine: Engine) -> None:
    data = engine.check(*BY_CATEGORY["legal_threat"]).to_dict()
    assert {"category", "risk", "scores", "hits", "signals", "advice", "errors", "version"} <= set(data)
    hit = data["hits"][0]
    assert {"rule", "category", "weight", "title", "spans", "evidence"} <= set(hit)
    assert data["version"]["engine"] and data["version"]["pack"].startswith("default")
    assert all(0.0 <= p <= 1.0 for p in data["scores"].values())


def test_check_many_keeps_order_and_accepts_shapes(engine: Engine) -> None:
    items = [
        BY_CATEGORY["scam"][0],
        Message(BY_CATEGORY["normal"][0]),
        {"text": BY_CATEGORY["legal_notice"][0], "sender": "12368"},
    ]
    verdicts = list(engine.check_many(items))
    assert [v.category for v in verdicts] == ["scam", "normal", "legal_notice"]


def test_received_at_is_accepted(engine: Engine) -> None:
    verdict = engine.check("晚上好", received_at=datetime(2025, 1, 1, 23, 30))
    assert verdict.category == "normal"


@pytest.mark.parametrize("text", ["", " ", "\x00\x01", "\ud800孤立代理", "起" * 100_000, "😀" * 50, "\u202e反向"])
def test_any_text_gets_a_verdict(engine: Engine, text: str) -> None:
    verdict = engine.check(text)
    assert isinstance(verdict, Verdict)
    json.dumps(verdict.to_dict())


def test_non_string_text_is_an_input_error(engine: Engine) -> None:
    with pytest.raises(InputError):
        engine.check(123)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "message",
    [
        Message("三天内不还就上门", received_at="2025-03-01T23:30"),  # type: ignore[arg-type]
        Message("三天内不还就上门", received_at=date(2025, 3, 1)),  # type: ignore[arg-type]
        Message("三天内不还就上门", received_at=1740843000),  # type: ignore[arg-type]
        Message("三天内不还就上门", meta=["not", "a", "mapping"]),  # type: ignore[arg-type]
    ],
)
def test_a_field_of_the_wrong_type_is_an_input_error_before_any_plugin_sees_it(message: Message) -> None:
    engine = Engine.default()
    for _ in range(8):  # more than the circuit breaker's limit: the detectors are never blamed
        with pytest.raises(InputError):
            engine.check_message(message)
    assert not engine.host.guard.disabled
    assert engine.check("三天内不还就上门").errors == ()


def test_check_many_takes_a_datetime_or_an_iso_string_and_refuses_other_times() -> None:
    engine = Engine.default()
    text = "你再不还钱，今晚就天天打电话给你家人和同事"
    night = datetime(2025, 3, 1, 23, 30)
    as_message = engine.check_message(Message(text, "13800000000", night))
    mapped = [
        {"text": text, "sender": "13800000000", "received_at": night},
        {"text": text, "sender": 13800000000, "received_at": night.isoformat()},
    ]
    assert list(engine.check_many(mapped)) == [as_message, as_message]
    assert any(s.name == "harassment.night" for s in as_message.signals)
    with pytest.raises(InputError, match="time of day"):
        list(engine.check_many([{"text": text, "received_at": "2025-03-01"}]))
    for bad in (
        {"text": text, "received_at": 1740843000},
        {"text": text, "sender": {"x": 1}},
        {"text": text, "sender": 1.5},
    ):
        with pytest.raises(InputError):
            list(engine.check_many([bad]))


def _plugin(name: str, **hooks: object) -> types.ModuleType:
    module = types.ModuleType(name)
    for key, value in hooks.items():
        setattr(module, key, value)
    return module


def test_a_plugin_that_raises_is_reported_and_the_message_still_judged() -> None:
    @hookimpl
    def smsguard_detect(message: Message, text: object, features: object) -> list[Signal]:
        raise RuntimeError("boom")

    engine = Engine.default(plugins=[_plugin("broken_plugin", smsguard_detect=smsguard_detect)])
    verdict = engine.check(*BY_CATEGORY["legal_threat"])
    assert verdict.category == "legal_threat"
    assert [(e.plugin, e.hook) for e in verdict.errors] == [("broken_plugin", "smsguard_detect")]
    assert "boom" in verdict.errors[0].error


def test_undeclared_signal_is_rejected() -> None:
    @hookimpl
    def smsguard_detect(message: Message, text: object, features: object) -> list[Signal]:
        return [Signal("link.shortener")]

    engine = Engine.default(plugins=[_plugin("impostor", smsguard_detect=smsguard_detect)])
    verdict = engine.check("你好")
    assert "undeclared signal link.shortener" in verdict.errors[0].error
    assert not [s for s in verdict.signals if s.plugin == "impostor" or s.name == "link.shortener"]


def test_verdict_does_not_depend_on_plugin_registration_order() -> None:
    def make(name: str, signal: str) -> types.ModuleType:
        @hookimpl
        def smsguard_signals() -> list[SignalSpec]:
            return [SignalSpec(signal, "bool", "test")]

        @hookimpl
        def smsguard_detect(message: Message, text: object, features: object) -> list[Signal]:
            return [Signal(signal, True, 1.0, ((0, 1),))]

        return _plugin(name, smsguard_signals=smsguard_signals, smsguard_detect=smsguard_detect)

    text, sender = BY_CATEGORY["scam"]
    first = Engine.default(plugins=[make("p_a", "t.alpha"), make("p_b", "t.beta")]).check(text, sender)
    second = Engine.default(plugins=[make("p_b", "t.beta"), make("p_a", "t.alpha")]).check(text, sender)
    assert first.to_dict() == second.to_dict()


def test_no_message_text_in_logs(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    secret = "张三的身份证号110101199001011234"
    with caplog.at_level("DEBUG"):
        engine.check(secret)
    assert secret not in caplog.text


def test_no_network_during_judgement(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access during judgement")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    engine.check("点击 http://t.cn/abc 或 wap.icbc-vip.top 处理", sender="+85261234567")


def test_default_engine_does_not_import_jieba_when_no_rule_needs_words(tmp_path: Path) -> None:
    import subprocess

    probe = (
        "import sys; from smsguard import Engine; e = Engine.default(); e.check('您的欠款已逾期'); "
        "print(e.pack.needs_words, 'jieba' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path)
    out = run.stdout.split()
    needs_words, imported = out == ["True", "True"], out[1] == "True"
    assert imported == needs_words


def test_check_many_judges_in_batches_exactly_like_one_at_a_time() -> None:
    from smsguard.intake import BATCH

    engine = Engine.default()
    texts = [
        f"您在{n}号平台的欠款已逾期{n}天，我司将起诉" if n % 3 else f"第{n}条：明天开会" for n in range(BATCH * 2 + 5)
    ]
    assert [v.to_dict() for v in engine.check_many(texts)] == [engine.check(t).to_dict() for t in texts]
    judged = engine.judge_many([Message(t) for t in texts[:3]])
    assert [j.verdict for j in judged] == [engine.judge(Message(t)).verdict for t in texts[:3]]


def test_check_many_raises_on_a_bad_item_after_the_verdicts_before_it() -> None:
    engine = Engine.default()
    seen = []
    with pytest.raises(InputError):
        for verdict in engine.check_many(["你好", "我们将起诉你", {"no": "text"}, "never judged"]):
            seen.append(verdict.category)
    assert len(seen) == 2


def test_a_breaker_tripping_inside_a_batch_changes_nothing_for_the_messages_before_it() -> None:
    from dataclasses import replace

    @hookimpl
    def smsguard_detect(message: Message) -> list[Signal]:
        raise RuntimeError("detector down")

    @hookimpl
    def smsguard_adjust_verdict(message: Message, verdict: Verdict) -> Verdict:
        return replace(verdict, risk="high")

    def build() -> Engine:
        return Engine.default(
            plugins=[_plugin("flaky", smsguard_detect=smsguard_detect, smsguard_adjust_verdict=smsguard_adjust_verdict)]
        )

    texts = [f"第{n}条：明天开会" for n in range(8)]
    one_at_a_time = [build().check(t) for t in texts[:1]]  # a fresh engine per text never trips the breaker
    engine = build()
    expected = [engine.check(t).risk for t in texts]
    assert expected[0] == one_at_a_time[0].risk == "high" and expected[-1] == "none"  # tripped after 5 failures
    assert [v.risk for v in build().check_many(texts)] == expected


def test_check_many_yields_what_it_judged_before_an_input_that_breaks() -> None:
    engine = Engine.default()

    def items() -> object:
        yield "你好"
        yield "我们将起诉你"
        raise OSError("the source went away")

    seen = []
    with pytest.raises(OSError):
        for verdict in engine.check_many(items()):  # type: ignore[arg-type]
            seen.append(verdict.category)
    assert len(seen) == 2


def test_batches_are_cut_by_count_and_by_characters() -> None:
    from smsguard.intake import BATCH, BATCH_CHARS, batched

    sizes = [len(b) for b in batched(Message("短") for _ in range(BATCH * 2 + 1))]
    assert sizes == [BATCH, BATCH, 1]
    long = Message("长" * BATCH_CHARS)
    assert [len(b) for b in batched([Message("a"), long, Message("b"), Message("c")])] == [1, 1, 2]


def test_threads_sharing_one_engine_get_the_verdicts_of_one_thread() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from synth import Generator

    messages = [Message(m.text, m.sender or None) for m in Generator(11).messages(120)]
    messages[::30] = [Message("您的欠款已逾期，http://a.xyz/ " * 500)] * len(messages[::30])  # long ones too
    one_thread = Engine.default()
    alone = [one_thread.check_message(m) for m in messages]
    shared = Engine.default()
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(shared.check_message, messages))
    assert together == alone
    assert not shared.host.guard.disabled


def test_threads_sharing_one_engine_judge_one_message_at_a_time() -> None:
    """A detector that waits (as one calling a service would) lets other threads run; the engine's lock still
    keeps one message in the engine at a time, so a plugin's per-message state and timing are its own."""
    inside: list[int] = [0]
    most: list[int] = [0]

    @hookimpl
    def smsguard_detect(message: Message) -> list[Signal]:
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        time.sleep(0.002)
        inside[0] -= 1
        return []

    engine = make_engine(plugin_module("waiting", smsguard_detect), time_budget_s=5)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(engine.check, [f"第{n}条：您的欠款已逾期" for n in range(40)]))
    assert most[0] == 1
