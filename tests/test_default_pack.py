"""Every rule of the default pack carries examples, and they hold."""

from __future__ import annotations

import pytest

from smsguard import Engine, Message
from smsguard.engine import parse_time

ENGINE = Engine.default()


@pytest.mark.parametrize("rule", ENGINE.pack.rules, ids=lambda r: r.id)
def test_rule_examples(rule: object) -> None:
    from smsguard.pack import CompiledRule

    assert isinstance(rule, CompiledRule)
    assert rule.title, f"{rule.id} has no title"
    kinds = {e.kind for e in rule.examples}
    assert kinds == {"hit", "miss"}, f"{rule.id} needs hit and miss examples"
    for example in rule.examples:
        when = parse_time(example.received_at) if example.received_at else None
        fired = rule.id in ENGINE.fired_rules(Message(example.text, example.sender, when))
        assert fired == (example.kind == "hit"), (
            f"{example.loc.path}:{example.loc.line}: {example.kind} example"
        )


def test_six_categories() -> None:
    assert {c.id for c in ENGINE.pack.categories} == {
        "scam",
        "illegal_collection",
        "legal_threat",
        "legal_notice",
        "collection_notice",
        "normal",
    }
