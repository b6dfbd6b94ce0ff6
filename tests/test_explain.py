"""``smsguard explain`` and the explanation it prints (smsguard/explain.py, smsguard/cli/explain_cmd.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

from click.testing import CliRunner

from smsguard import Engine, Message
from smsguard.cli import main
from smsguard.explain import explain

THREAT = "您的欠款已严重逾期，我司将于三日内向法院提起诉讼"
PACK = """\
category bad { title: "坏" threshold: 0.5 priority: 10 risk: high }
category meh { title: "一般" threshold: 0.9 priority: 5 risk: low }
category normal { title: "正常" threshold: 0 priority: 0 risk: none fallback: true }
rule first { title: "甲" category: bad weight: 0.5 when: "甲" and not ("乙" or /丙+/) }
rule second { title: "丁" category: bad weight: 0.3 when: count(["甲", "丁"]) >= 2 }
rule third { title: "composite" category: meh weight: 1 when: first and length() > 3 }
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout


def test_the_trace_agrees_with_the_engine_on_every_rule(engine: Engine) -> None:
    explanation = explain(engine, Message(THREAT, "1069012345678"))
    assert len(explanation.rules) == len(engine.pack.rules)
    assert all(r.agrees for r in explanation.rules)
    counted = {r.rule.id for r in explanation.rules if r.counted}
    assert counted == {h.rule for h in explanation.judgement.verdict.hits}
    for category in explanation.categories:
        assert category.evidence == math.fsum(w for _, w in category.weights)
        expected = 1 - math.exp(-category.evidence) if category.evidence > 0 else 0.0
        assert math.isclose(category.probability, expected)
    assert explanation.judgement.verdict.category == "legal_threat"
    assert explanation.decision.startswith("legal_threat reaches its threshold")


def test_sub_results_and_spans(tmp_path: Path) -> None:
    pack = tmp_path / "pack.sg"
    pack.write_text(PACK, encoding="utf-8")
    engine = Engine.from_paths(pack, load_entrypoints=False)
    explanation = explain(engine, Message("甲丁甲丁"))
    rules = {r.rule.id: r for r in explanation.rules}
    first = rules["first"].trace
    assert first.truth and [c.truth for c in first.children] == [True, True]
    literal, negation = first.children
    assert literal.spans == ((0, 1), (2, 3))
    inner = negation.children[0]
    assert not inner.truth and [c.truth for c in inner.children] == [False, False]
    second = rules["second"].trace
    count = second.children[0]
    assert count.values == (2.0,) and second.truth
    assert rules["third"].fired and rules["third"].trace.children[1].truth
    scores = {c.category.id: c for c in explanation.categories}
    assert scores["bad"].weights == (("first", 0.5), ("second", 0.3))
    assert scores["bad"].qualifies and not scores["meh"].qualifies
    assert explanation.judgement.verdict.category == "bad"


def test_text_output_shows_every_stage() -> None:
    code, out = run("explain", THREAT, "--sender", "1069012345678")
    assert code == 0
    assert "规范化 normalized: 您的欠款已严重逾期,我司将于三日内向法院提起诉讼" in out
    assert "信号 signals:" in out and "legal.lawsuit = True" in out
    assert "✔ lawsuit_threat" in out and "[default]" in out
    assert "⟦提起诉讼⟧" in out
    assert "legal_threat" in out and "→ 1 − e^−" in out and "≥ threshold 0.6" in out
    assert "判定 decision: legal_threat reaches its threshold" in out
    assert "结果 verdict:  legal_threat" in out
    fired_only = run("explain", THREAT, "--fired")[1]
    assert len(fired_only.splitlines()) < len(out.splitlines())


def test_json_output() -> None:
    code, out = run("explain", THREAT, "--json")
    assert code == 0
    data = json.loads(out)
    assert {"text", "signals", "rules", "categories", "decision", "verdict"} <= set(data)
    rule = next(r for r in data["rules"] if r["rule"] == "lawsuit_threat")
    assert rule["fired"] and rule["pack"] == "default"
    assert rule["condition"]["truth"] and rule["condition"]["children"]
    assert data["verdict"]["category"] == "legal_threat"
    assert any(c["category"] == "legal_threat" and c["qualifies"] for c in data["categories"])


def test_a_bad_time_is_a_usage_error() -> None:
    assert run("explain", "你好", "--at", "yesterday")[0] == 2
