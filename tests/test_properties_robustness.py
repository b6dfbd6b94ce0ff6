"""Property: the engine returns a verdict for any text (empty, control characters, lone surrogates, 100 kB)
and any sender, never an exception, and the verdict is valid JSON."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smsguard import Engine
from smsguard.model import RISK_LEVELS, Verdict

# Every code point, lone surrogates included (codec=None lifts the UTF-8 restriction).
every_char = st.characters(codec=None, exclude_categories=())
texts = st.text(every_char, max_size=80) | st.text(st.characters(categories=["Cc", "Cf", "Zs", "Cs"]), max_size=20)
senders = st.none() | st.text(every_char, max_size=20)


def _valid(engine: Engine, verdict: Verdict) -> None:
    assert verdict.category in {c.id for c in engine.pack.categories}
    assert verdict.risk in RISK_LEVELS
    assert all(0.0 <= p <= 1.0 for p in verdict.scores.values())
    json.loads(json.dumps(verdict.to_dict()))


@given(texts, senders)
def test_any_text_and_sender_get_a_verdict(engine: Engine, text: str, sender: str | None) -> None:
    _valid(engine, engine.check(text, sender=sender))


@settings(max_examples=max(3, settings().max_examples // 20), suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(every_char, min_size=1, max_size=40)
    | st.sampled_from(["您的欠款已逾期，将起诉", "\ud800", "1", "0.", "1月"])
)
def test_a_100_kb_text_gets_a_verdict(engine: Engine, piece: str) -> None:
    text = (piece * (100_000 // len(piece) + 1))[:100_000]
    _valid(engine, engine.check(text))
