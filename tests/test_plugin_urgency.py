"""The urgency detector: deadlines, last notices and the urgency level."""

from __future__ import annotations

import re

import pytest
import smsguard_plugins.urgency as plugin
from plugin_helpers import SignalTable, detect, random_texts

from smsguard.model import SignalValue

PRESSING = "最后通知：请在24小时内立即处理欠款，否则后果自负。"

# (signal, message, characters a span must cover, expected value or None)
POSITIVE: list[tuple[str, str, str, SignalValue | None]] = [
    ("urgency.level", PRESSING, "最后通知", 10),
    ("urgency.level", "请尽快还款。", "尽快", 1),
    ("urgency.deadline", PRESSING, "24小时内", "24小时内"),
    ("urgency.deadline", "请于今天下午五点前处理。", "今天下午五点前", "今天下午五点前"),
    ("urgency.deadline", "请于三日内联系我们。", "三日内", "三日内"),
    ("urgency.short_deadline", "请在两天内还清。", "两天内", None),
    ("urgency.short_deadline", "限你今日内处理。", "今日内", None),
    ("urgency.final_notice", PRESSING, "最后通知", None),
]

NEGATIVE: list[tuple[str, str]] = [
    ("urgency.level", "您好，您的快递已放入驿站。"),
    ("urgency.level", "您在马上消费金融的账单已出。"),
    ("urgency.deadline", "【某出行】验证码483920，5分钟内有效。"),
    ("urgency.short_deadline", "请在30天内完成年检。"),
    ("urgency.final_notice", "通知：本周六停水。"),
]

EVASION: list[tuple[str, str, str]] = [
    ("urgency.final_notice", "最 后 通 知：欠款请处理。", "最 后 通 知"),
    ("urgency.final_notice", "最後通知：欠款請處理。", "最後通知"),
    ("urgency.deadline", "请在２４小时内处理。", "２４小时内"),
]


class TestSignals(SignalTable):
    plugin = plugin
    section = "urgency"
    positive = POSITIVE
    negative = NEGATIVE
    evasion = EVASION


def test_level_grows_with_pressure() -> None:
    mild = detect(plugin, "请尽快还款。")["urgency.level"].value
    strong = detect(plugin, "请立即还款，否则将起诉。")["urgency.level"].value
    harsh = detect(plugin, PRESSING)["urgency.level"].value
    assert isinstance(mild, int) and isinstance(strong, int) and isinstance(harsh, int)
    assert mild < strong < harsh == plugin.MAX_LEVEL


def test_a_longer_deadline_adds_less() -> None:
    short = detect(plugin, "请在3天内还款。")["urgency.level"].value
    long = detect(plugin, "请在30天内还款。")["urgency.level"].value
    assert short == plugin.SHORT_DEADLINE_WEIGHT and long == plugin.DEADLINE_WEIGHT


@pytest.mark.parametrize("seed", range(10))
def test_deadlines_are_those_of_one_alternation(seed: int) -> None:
    """The two deadline patterns, searched apart, find what one alternation of them finds with finditer."""
    alternation = re.compile(f"{plugin._WITHIN.pattern}|{plugin._BY_DAY.pattern}")
    for text in random_texts(seed, "今天明日当晚内前之以3二十小时分钟有效个工作日,。 "):
        expected = [(m.span(), m.group(0)) for m in alternation.finditer(text)]
        assert [(m.span(), m.group(0)) for m in plugin._deadlines(text)] == expected
