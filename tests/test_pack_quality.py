"""The default pack measured on the project's own labelled set (eval/labelled.jsonl): the quality target of the
pack is macro-F1 >= 0.90, and every category must be judged well on its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from smsguard import Engine
from smsguard.cli.eval_cmd import evaluate_engine
from smsguard.evaluation import EvalReport
from smsguard.labelled import read_labelled

REPO = Path(__file__).resolve().parent.parent
LABELLED = REPO / "eval" / "labelled.jsonl"


@pytest.fixture(scope="module")
def report(engine: Engine) -> EvalReport:
    return evaluate_engine(engine, read_labelled(LABELLED))


def test_macro_f1_on_the_labelled_set(report: EvalReport) -> None:
    assert report.macro_f1 is not None and report.macro_f1 >= 0.90, report.render_text(max_mistakes=50)


@pytest.mark.parametrize(
    "category", ["scam", "illegal_collection", "legal_threat", "legal_notice", "collection_notice", "normal"]
)
def test_every_category_is_judged_well(report: EvalReport, category: str) -> None:
    figures = report.figures(category)
    assert figures.f1 is not None and figures.f1 >= 0.85, f"{category}: F1 {figures.f1}"


def test_no_rule_is_noisy_on_the_labelled_set(report: EvalReport) -> None:
    assert not report.noisy_rules, [r.rule for r in report.noisy_rules]
