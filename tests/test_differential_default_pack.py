"""The compiled engine against the reference evaluator, and the prefiltered plan against running every rule.

Messages come from the project's own generator (benchmarks/synth.py): every kind of the default pack, evasions
included, plus long texts made of many messages.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from smsguard import Engine
from smsguard.lang.reference import ReferenceEvaluator

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from synth import Generator

Sample = list[tuple[str, str | None]]


@pytest.fixture(scope="module")
def sample() -> Sample:
    gen = Generator(seed=2024)
    messages: Sample = [(m.text, m.sender or None) for m in gen.messages(400)]
    messages += [(gen.text_of_length(n), None) for n in (1, 10, 300, 2000)]
    messages += [("", None), ("（2025）沪0115民初12345号", "12368"), ("号" * 30, None)]
    return messages


def without_plan(engine: Engine) -> Engine:
    """The same pack with every rule evaluated on every message (no literal triggers)."""
    return Engine(replace(engine.pack, plan=None), engine.host, engine.normalizer)


def test_the_default_pack_has_a_plan(engine: Engine) -> None:
    plan = engine.pack.plan
    assert plan is not None and plan.rule_count == len(engine.pack.rules)
    # Most rules wait for a literal; only a few run on every message.
    assert len(plan.always) < len(engine.pack.rules) / 2


def test_compiled_engine_agrees_with_the_reference_evaluator(engine: Engine, sample: Sample) -> None:
    reference = ReferenceEvaluator(engine)  # slow by design: every fourth message, and the edge cases
    disagreements = []
    for text, sender in sample[:400:4] + sample[400:]:
        verdict = engine.check(text, sender=sender)
        fired, scores, chosen = reference.fired(text, sender)
        compiled = frozenset(hit.rule for hit in verdict.hits)
        if compiled != fired or verdict.category != chosen or verdict.scores != pytest.approx(scores):
            disagreements.append((len(text), sorted(compiled ^ fired), verdict.category, chosen))
    assert not disagreements


def test_prefilters_change_no_result(engine: Engine, sample: Sample) -> None:
    plain = without_plan(engine)
    for text, sender in sample:
        message = engine.judge(engine_message(text, sender))
        expected = plain.judge(engine_message(text, sender))
        assert message.rule_results == expected.rule_results
        assert message.verdict == expected.verdict


def engine_message(text: str, sender: str | None) -> object:
    from smsguard.model import Message

    return Message(text, sender)


CATEGORIES = """
category bad { title: "bad" threshold: 0.5 priority: 10 risk: high }
category normal { title: "ok" threshold: 0 priority: 0 risk: none fallback: true }
"""
EVERY_CONSTRUCT = r"""
list debts = ["欠款", "逾期", "还款"]
list threats = ["起诉", "立案", "律师函"]
rule r_any { category: bad when: any(debts) }
rule r_all { category: bad when: all("欠款", "逾期") }
rule r_and { category: bad when: any(threats) and not sender("12368") and "法院" }
rule r_or { category: bad when: "验证码" or near("转账", ["安全账户", "指定账户"], within=20) }
rule r_nof { category: bad when: 2 of (any(debts), any(threats), amount() > 1000, signal("link.shortener")) }
rule r_count { category: bad when: count(debts, threats) >= 2 }
rule r_count_low { category: bad when: count(threats) < 1 }
rule r_regex { category: bad when: /[(（]\d{4}[)）].{1,8}号/ and r_any }
rule r_regex_any { category: bad when: any(/转入.{0,6}账户/, "冻结") }
rule r_regex_open { category: bad when: /\d{6}/ }
rule r_ref_not { category: bad when: not r_any and length() > 20 }
rule r_signature { category: bad when: signature(/银行/) or link("t.cn") }
rule r_sender { category: bad when: sender(/^170/) or sender("95555") }
rule r_amount { category: bad when: amount() >= 1000 and any(debts) }
rule r_signal_value { category: bad when: signal("link.present") >= 1 }
rule r_false { category: bad when: false }
rule r_true { category: bad weight: 0.1 when: true }
"""


def test_prefilters_on_every_construct(tmp_path: Path, sample: Sample) -> None:
    pack = tmp_path / "pack.sg"
    pack.write_text(CATEGORIES + EVERY_CONSTRUCT, encoding="utf-8")
    engine = Engine.from_paths(pack)
    plain = without_plan(engine)
    fired: set[str] = set()
    for text, sender in sample:
        result = engine.judge(engine_message(text, sender))
        assert result.rule_results == plain.judge(engine_message(text, sender)).rule_results
        fired |= {hit.rule for hit in result.verdict.hits}
    # The sample exercises most rules, so the comparison above means something.
    assert len(fired) >= 12, sorted(fired)
