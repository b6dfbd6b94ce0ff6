"""The specificity detector: the marks of a lawful reminder."""

from __future__ import annotations

import re

import pytest
import smsguard_plugins.specificity as plugin
from plugin_helpers import SignalTable, declared, detect, random_texts

from smsguard.model import SignalValue

REMINDER = "【招商银行】您尾号1234的信用卡本期应还1,234.56元，已逾期5天，请于5月20日前通过掌上银行还款。"
SCARE = "你的欠款再不还，我们马上起诉你。"

# (signal, message, characters a span must cover, expected value or None)
POSITIVE: list[tuple[str, str, str, SignalValue | None]] = [
    ("specificity.amount", REMINDER, "1,234.56元", 1234.56),
    ("specificity.due_date", REMINDER, "5月20日", "5月20日"),
    ("specificity.due_date", "您的账单最后还款日为2025-06-08，请按时还款。", "2025-06-08", None),
    ("specificity.days_overdue", REMINDER, "逾期5天", 5),
    ("specificity.days_overdue", "您的借款已逾期三个月。", "逾期三个月", 90),
    ("specificity.days_overdue", "您的借款45天未还。", "45天未还", 45),
    ("specificity.card_tail", REMINDER, "尾号1234", "1234"),
    ("specificity.signature", REMINDER, "【招商银行】", "招商银行"),
    ("specificity.official_channel", REMINDER, "掌上银行", "掌上银行"),
    ("specificity.official_channel", "如有疑问请致电95555。", "95555", "95555"),
]

NEGATIVE: list[tuple[str, str]] = [
    ("specificity.amount", SCARE),
    ("specificity.due_date", "本店5月20日起开始营业。"),
    ("specificity.days_overdue", "【市图书馆】图书逾期将产生滞纳金。"),
    ("specificity.card_tail", SCARE),
    ("specificity.signature", SCARE),
    ("specificity.official_channel", "还款请添加客服微信，转账给我即可。"),
]

EVASION: list[tuple[str, str, str]] = [
    ("specificity.days_overdue", "您的借款已逾期４５天。", "逾期４５天"),
    ("specificity.card_tail", "您尾號１２３４的卡已逾期。", "尾號１２３４"),
    ("specificity.official_channel", "请通过官方ＡＰＰ还款。", "官方ＡＰＰ"),
    ("specificity.official_channel", "請通過手機銀行還款。", "手機銀行"),
]


class TestSignals(SignalTable):
    plugin = plugin
    section = "specificity"
    positive = POSITIVE
    negative = NEGATIVE
    evasion = EVASION


def test_lawful_reminder_carries_every_mark() -> None:
    assert set(detect(plugin, REMINDER)) == set(declared(plugin))


@pytest.mark.parametrize("seed", range(10))
def test_days_overdue_are_those_of_one_alternation(seed: int) -> None:
    """The two overdue patterns, searched apart, find what one alternation of them finds first."""
    alternation = re.compile(f"{plugin._OVERDUE_AFTER.pattern}|{plugin._OVERDUE_BEFORE.pattern}")
    for text in random_texts(seed, "逾期拖欠超已经了达第3二十天日个月未还款归 ,"):
        first = alternation.search(text)
        found = plugin._overdue(text)
        if first is None:
            assert found is None
        else:
            assert found is not None
            groups = (first.group(1) or first.group(3), first.group(2) or first.group(4))
            assert (found.span(), found.group(1), found.group(2)) == (first.span(), *groups)
