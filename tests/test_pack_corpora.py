"""The default pack on a sample of the third-party corpora in ``../shared/corpora`` (research-only licences: they
are read here, never copied; only figures are reported, no message text).

The corpora are found through ``$SMSGUARD_CORPORA`` or ``../shared/corpora`` next to the repository; the test skips
cleanly when they are absent. ``SMSGUARD_CORPUS_LIMIT`` sets how many messages per set are judged (default 400,
0 for all). The full figures come from ``../shared/checks/corpus_figures.py``.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from smsguard import Engine

REPO = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("SMSGUARD_CORPORA") or REPO.parent / "shared" / "corpora")
ALARMS = frozenset({"scam", "illegal_collection", "legal_threat"})


def _limit() -> int:
    return int(os.environ.get("SMSGUARD_CORPUS_LIMIT", "400"))


def _telecom(name: str) -> list[str]:
    path = CORPORA / "telecom-fraud-texts-5" / name
    with path.open(encoding="utf-8", newline="") as fh:
        return [row["content"] for row in csv.DictReader(fh) if row.get("content")]


def _mudou_ham() -> list[str]:
    texts: set[str] = set()
    for part in ("mudou_spam.train", "mudou_spam.test"):
        for line in (CORPORA / "mudou-spam" / part).read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if len(cols) >= 2 and cols[0] == "0" and cols[1].strip():
                texts.add(cols[1])
    return sorted(texts)


def _spam80w_ham() -> list[str]:
    out = []
    for line in (CORPORA / "spam80w-subset50k" / "dataset.csv").read_text(encoding="utf-8").splitlines():
        label, _, text = line.partition(",")
        if label == "0" and text.strip():
            out.append(text)
    return out


# (name, reader, kind, target): "recall" wants the share judged scam >= target, "alarm" the alarm share <= target.
CORPUS_SETS: list[tuple[str, Callable[[], list[str]], str, float]] = [
    ("telecom fake police/court", lambda: _telecom("label01-last.csv"), "recall", 0.90),
    ("telecom loan/credit", lambda: _telecom("label02-last.csv"), "recall", 0.90),
    ("telecom fake customer service", lambda: _telecom("label03-last.csv"), "recall", 0.90),
    ("telecom fake acquaintance", lambda: _telecom("label04-last.utf8.csv"), "recall", 0.80),
    ("telecom normal", lambda: _telecom("label00-last.csv"), "alarm", 0.01),
    ("mudou ham", _mudou_ham, "alarm", 0.01),
    ("80w ham", _spam80w_ham, "alarm", 0.005),
]


@pytest.mark.skipif(not CORPORA.is_dir(), reason="third-party corpora not present (set SMSGUARD_CORPORA)")
@pytest.mark.parametrize(("name", "reader", "kind", "target"), CORPUS_SETS, ids=[s[0] for s in CORPUS_SETS])
def test_corpus_figures(engine: Engine, name: str, reader: Callable[[], list[str]], kind: str, target: float) -> None:
    try:
        texts = reader()
    except FileNotFoundError:
        pytest.skip(f"{name}: corpus file missing")
    limit = _limit()
    if limit:
        texts = texts[:limit]
    categories = [engine.check(text).category for text in texts]
    if kind == "recall":
        share = sum(c == "scam" for c in categories) / len(categories)
        assert share >= target, f"{name}: scam recall {share:.3f} < {target} on {len(categories)} messages"
    else:
        share = sum(c in ALARMS for c in categories) / len(categories)
        assert share <= target, f"{name}: false alarms {share:.4f} > {target} on {len(categories)} messages"
