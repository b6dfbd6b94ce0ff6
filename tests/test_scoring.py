from __future__ import annotations

import math

from smsguard import scoring
from smsguard.model import Hit
from smsguard.pack import CompiledCategory

CATS = (
    CompiledCategory("scam", "诈骗", 0.6, 100, "high"),
    CompiledCategory("threat", "恐吓", 0.6, 80, "medium"),
    CompiledCategory("normal", "正常", 0.0, 0, "none"),
)


def hit(category: str, weight: float, rule: str = "r") -> Hit:
    return Hit(rule, category, weight, "", (), ())


def test_probability_is_a_noisy_or_of_weights() -> None:
    assert scoring.probability(0) == 0.0
    assert math.isclose(scoring.probability(1.0), 1 - math.exp(-1))
    assert scoring.probability(-3) == 0.0
    assert scoring.probability(50) <= 1.0


def test_negative_weights_pull_back() -> None:
    scores = scoring.scores(CATS, [hit("threat", 2.0), hit("threat", -1.5)])
    assert math.isclose(scores["threat"], scoring.probability(0.5))


def test_priority_decides_between_qualified_categories() -> None:
    scores = scoring.scores(CATS, [hit("scam", 1.0), hit("threat", 3.0)])
    assert scoring.decide(CATS, scores, "normal").id == "scam"


def test_below_threshold_falls_back() -> None:
    scores = scoring.scores(CATS, [hit("scam", 0.5)])
    assert scores["scam"] < 0.6
    assert scoring.decide(CATS, scores, "normal").id == "normal"


def test_unknown_category_hits_are_ignored() -> None:
    assert scoring.scores(CATS, [hit("nope", 5)]) == {"scam": 0.0, "threat": 0.0, "normal": 0.0}


def test_ties_go_to_the_higher_probability_then_the_first_id() -> None:
    cats = (
        CompiledCategory("abc", "", 0.5, 50, "high"),
        CompiledCategory("ab", "", 0.5, 50, "high"),
        CompiledCategory("zz", "", 0.5, 50, "high"),
        CompiledCategory("normal", "", 0.0, 0, "none"),
    )
    equal = scoring.scores(cats, [hit("abc", 1.0), hit("ab", 1.0), hit("zz", 1.0)])
    assert scoring.decide(cats, equal, "normal").id == "ab"
    stronger = scoring.scores(cats, [hit("abc", 1.0), hit("ab", 1.0), hit("zz", 2.0)])
    assert scoring.decide(cats, stronger, "normal").id == "zz"


def test_evidence_is_the_exact_sum_as_a_float() -> None:
    # One weight or many, the total is what math.fsum gives: a float, and 0.0 for a lone -0.0.
    for weights in ([-0.0], [2], [0.1], [0.1, 0.2, 0.3], [1e308, -1e308, 1.0]):
        totals = scoring.category_evidence(CATS, [hit("scam", w) for w in weights])
        assert repr(totals["scam"]) == repr(math.fsum(weights))
    assert scoring.category_evidence(CATS, []) == {"scam": 0.0, "threat": 0.0, "normal": 0.0}
