"""Quality figures for a rule pack judged against labelled messages (what ``smsguard eval`` prints).

The entry point is :func:`evaluate`: it reads nothing and writes nothing, it calls ``judge`` once per labelled
record and hands the outcomes to :func:`compute_report`. :func:`read_labelled` (from :mod:`smsguard.labelled`)
turns JSON Lines into records.

Division by zero gives ``None``, never a made-up number: precision is undefined for a category nothing was
predicted as, recall for a category without gold messages. F1 is ``2·TP / (2·TP + FP + FN)``, so it is defined
(possibly 0) for every category that occurs in the gold labels or in the predictions, and macro-F1 averages
exactly those categories. A declared category that occurs in neither is listed but left out of the average.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from smsguard.errors import InputError
from smsguard.labelled import LabelledRecord
from smsguard.model import Verdict
from smsguard.report_text import render_text


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the judge said about one labelled message: its gold label, the category and the rules that fired."""

    label: str
    predicted: str
    rules: tuple[str, ...] = ()
    id: str = ""


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """A rule of the pack under test, so rules that never fire (dead rules) are listed too.

    A rule with a negative weight is evidence against its category: it should fire on other messages.
    """

    id: str
    category: str
    title: str = ""
    weight: float = 1.0


class Judge(Protocol):
    """Judges one message: returns the chosen category and the ids of the rules that fired.

    ``Engine.check`` has the same positional parameters; wrap it with :func:`verdict_judge`.
    """

    def __call__(self, text: str, sender: str | None, received_at: datetime | None, /) -> tuple[str, Sequence[str]]: ...


def verdict_judge(check: Callable[[str, str | None, datetime | None], Verdict]) -> Judge:
    """A :class:`Judge` from a function returning a verdict, such as ``engine.check``."""

    def judge(text: str, sender: str | None, received_at: datetime | None, /) -> tuple[str, Sequence[str]]:
        verdict = check(text, sender, received_at)
        return verdict.category, [hit.rule for hit in verdict.hits]

    return judge


# ---------------------------------------------------------------- figures


@dataclass(frozen=True, slots=True)
class CategoryFigures:
    """Precision, recall and F1 of one category; ``None`` where the denominator is zero."""

    category: str
    precision: float | None
    recall: float | None
    f1: float | None
    support: int
    predicted: int
    true_positives: int


@dataclass(frozen=True, slots=True)
class RuleFigures:
    """How often one rule fired on messages of each gold label (ordered as the report's categories)."""

    rule: str
    category: str | None
    title: str
    weight: float | None
    hits: tuple[int, ...]
    total: int
    own_share: float | None
    dead: bool
    noisy: bool


@dataclass(frozen=True, slots=True)
class Mistake:
    """A message judged into another category than its label (ids only, never text)."""

    id: str
    label: str
    predicted: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class EvalReport:
    """The figures of one evaluation; ``confusion[i][j]`` counts gold ``categories[i]`` judged ``categories[j]``."""

    categories: tuple[str, ...]
    total: int
    correct: int
    accuracy: float | None
    macro_f1: float | None
    per_category: tuple[CategoryFigures, ...]
    confusion: tuple[tuple[int, ...], ...]
    rules: tuple[RuleFigures, ...]
    mistakes: tuple[Mistake, ...]
    noisy_below: float
    category_titles: Mapping[str, str] = field(default_factory=dict)

    def figures(self, category: str) -> CategoryFigures:
        for figures in self.per_category:
            if figures.category == category:
                return figures
        raise KeyError(category)

    @property
    def dead_rules(self) -> tuple[RuleFigures, ...]:
        return tuple(r for r in self.rules if r.dead)

    @property
    def noisy_rules(self) -> tuple[RuleFigures, ...]:
        return tuple(r for r in self.rules if r.noisy)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict; undefined figures are ``null``."""
        support = {f.category: f.support for f in self.per_category}
        return {
            "total": self.total,
            "correct": self.correct,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "categories": list(self.categories),
            "category_titles": {c: self.category_titles.get(c, "") for c in self.categories},
            "per_category": {
                f.category: {
                    "precision": f.precision,
                    "recall": f.recall,
                    "f1": f.f1,
                    "support": f.support,
                    "predicted": f.predicted,
                    "true_positives": f.true_positives,
                }
                for f in self.per_category
            },
            "confusion": {
                "rows": "gold label",
                "columns": "predicted category",
                "matrix": [list(row) for row in self.confusion],
            },
            "rules": [
                {
                    "rule": r.rule,
                    "category": r.category,
                    "title": r.title,
                    "weight": r.weight,
                    "total": r.total,
                    "hits": dict(zip(self.categories, r.hits, strict=True)),
                    "rate": {c: _ratio(n, support[c]) for c, n in zip(self.categories, r.hits, strict=True)},
                    "own_share": r.own_share,
                    "dead": r.dead,
                    "noisy": r.noisy,
                }
                for r in self.rules
            ],
            "noisy_below": self.noisy_below,
            "mistakes": [
                {"id": m.id, "label": m.label, "predicted": m.predicted, "rules": list(m.rules)} for m in self.mistakes
            ],
        }

    def render_text(self, *, max_mistakes: int = 50) -> str:
        """The report as aligned plain-text tables (see :mod:`smsguard.report_text`)."""
        return render_text(self, max_mistakes=max_mistakes)


def compute_report(
    outcomes: Iterable[Outcome],
    categories: Sequence[str] = (),
    rules: Iterable[RuleInfo] = (),
    *,
    category_titles: Mapping[str, str] | None = None,
    noisy_below: float = 0.5,
) -> EvalReport:
    """The figures for judged outcomes.

    ``categories`` fixes the order of tables and matrix; labels or predictions outside it are appended in
    sorted order. ``rules`` lists the pack's rules so dead ones show; a fired rule missing from it is still
    counted, with an unknown category. A rule is *noisy* when fewer than ``noisy_below`` of its hits fall on
    messages labelled with its own category (for a negative-weight rule: when more than ``1 - noisy_below``
    do). A rule fired twice on one message counts once.
    """
    items = list(outcomes)
    order = list(dict.fromkeys(categories))
    extra = {o.label for o in items} | {o.predicted for o in items}
    order.extend(sorted(extra - set(order)))
    index = {c: i for i, c in enumerate(order)}
    size = len(order)

    matrix = [[0] * size for _ in range(size)]
    for o in items:
        matrix[index[o.label]][index[o.predicted]] += 1
    per_category = tuple(_category_figures(c, i, matrix) for i, c in enumerate(order))
    defined = [f.f1 for f in per_category if f.f1 is not None]
    correct = sum(matrix[i][i] for i in range(size))

    infos: dict[str, RuleInfo] = {}
    for info in rules:
        infos.setdefault(info.id, info)
    counts: dict[str, list[int]] = {rid: [0] * size for rid in infos}
    for o in items:
        for rid in dict.fromkeys(o.rules):
            counts.setdefault(rid, [0] * size)[index[o.label]] += 1
    rule_figures = [_rule_figures(rid, hits, infos.get(rid), index, noisy_below) for rid, hits in counts.items()]
    rule_figures.sort(key=lambda r: (-r.total, r.rule))

    mistakes = tuple(Mistake(o.id, o.label, o.predicted, o.rules) for o in items if o.label != o.predicted)
    return EvalReport(
        categories=tuple(order),
        total=len(items),
        correct=correct,
        accuracy=_ratio(correct, len(items)),
        macro_f1=sum(defined) / len(defined) if defined else None,
        per_category=per_category,
        confusion=tuple(tuple(row) for row in matrix),
        rules=tuple(rule_figures),
        mistakes=mistakes,
        noisy_below=noisy_below,
        category_titles=dict(category_titles or {}),
    )


def evaluate(
    records: Iterable[LabelledRecord],
    judge: Judge,
    categories: Sequence[str] = (),
    rules: Iterable[RuleInfo] = (),
    *,
    category_titles: Mapping[str, str] | None = None,
    noisy_below: float = 0.5,
) -> EvalReport:
    """Judge every labelled record and compute the report (the whole of ``smsguard eval`` but printing).

    When ``categories`` is given, a gold label outside it is an :class:`InputError` (a typo would otherwise
    count as a category nobody can predict).
    """
    known = set(categories)
    outcomes: list[Outcome] = []
    for record in records:
        if known and record.label not in known:
            raise InputError(f"{record.where}: label {record.label[:40]!r} is not a category of the pack")
        category, fired = judge(record.text, record.sender, record.received_at)
        outcomes.append(Outcome(record.label, category, tuple(fired), record.id))
    return compute_report(outcomes, categories, rules, category_titles=category_titles, noisy_below=noisy_below)


def _category_figures(category: str, i: int, matrix: list[list[int]]) -> CategoryFigures:
    tp = matrix[i][i]
    support = sum(matrix[i])
    predicted = sum(row[i] for row in matrix)
    fp, fn = predicted - tp, support - tp
    return CategoryFigures(
        category=category,
        precision=_ratio(tp, predicted),
        recall=_ratio(tp, support),
        f1=_ratio(2 * tp, 2 * tp + fp + fn),
        support=support,
        predicted=predicted,
        true_positives=tp,
    )


def _rule_figures(
    rid: str, hits: list[int], info: RuleInfo | None, index: Mapping[str, int], noisy_below: float
) -> RuleFigures:
    total = sum(hits)
    own_share: float | None = None
    if info is not None and info.category in index:
        own_share = _ratio(hits[index[info.category]], total)
    elif info is not None:
        own_share = 0.0 if total else None
    noisy = False
    if own_share is not None and info is not None:
        noisy = own_share > 1 - noisy_below if info.weight < 0 else own_share < noisy_below
    return RuleFigures(
        rule=rid,
        category=info.category if info else None,
        title=info.title if info else "",
        weight=info.weight if info else None,
        hits=tuple(hits),
        total=total,
        own_share=own_share,
        dead=total == 0,
        noisy=noisy,
    )


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None
