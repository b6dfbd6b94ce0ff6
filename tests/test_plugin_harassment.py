"""The harassment detector: insults, threats, exposure, bombing, family/employer/contacts, night collection."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import smsguard_plugins.harassment as plugin
from plugin_helpers import SignalTable, covered, detect

DEBT = "您的借款已逾期，请今日内还款。"
NIGHT = datetime(2025, 3, 1, 23, 30)

# (signal, message, characters a span must cover)
POSITIVE: list[tuple[str, str, str]] = [
    ("harassment.insult", "你这个老赖，欠钱不还还有脸躲？", "老赖"),
    ("harassment.threat", "再不还款，后果自负，你等着。", "后果自负"),
    ("harassment.exposure", "三天内不还款，就把你的照片P图发朋友圈曝光。", "P图"),
    ("harassment.bombing", "欠款不还就对你电话轰炸。", "电话轰炸"),
    ("harassment.family", "再不还款我们就联系你的父母和老婆。", "父母"),
    ("harassment.family", "欠款今天不处理就通知你家人。", "通知你家人"),
    ("harassment.employer", "你的欠款再不处理，我们明天就通知你单位领导。", "单位"),
    ("harassment.contacts", "逾期不还，我们将爆通讯录。", "爆通讯录"),
    ("harassment.contacts", "逾期不还，我们将联系你通讯录里的所有人。", "通讯录"),
    ("harassment.third_party", "你好，你的朋友张三欠款未还，请转告他尽快还款。", "转告"),
]

NEGATIVE: list[tuple[str, str]] = [
    ("harassment.insult", "【反诈中心】谨防骗子冒充客服，请您提高警惕。"),
    ("harassment.insult", "【新闻】某地法院公布一批老赖名单。"),
    ("harassment.insult", "【某银行】岁末年初是骗子作案高峰，请您提高警惕。"),
    ("harassment.threat", "【物业】高空抛物危害大，后果自负。"),
    ("harassment.exposure", "【娱乐快讯】某明星新歌今日曝光。"),
    ("harassment.exposure", "双十一底价曝光，等你来抢！"),
    ("harassment.bombing", "【游戏资讯】新版本轰炸机限时上线。"),
    ("harassment.family", "【某小学】通知：请家长于周五前为孩子缴纳午餐费。"),
    ("harassment.employer", "您的贷款申请还需填写工作单位。"),
    ("harassment.contacts", "请在APP中更新您的紧急联系人信息，以便正常借款。"),
    ("harassment.third_party", DEBT),
    ("harassment.night", "【某出行】验证码483920，5分钟内有效。"),
]

EVASION: list[tuple[str, str, str]] = [
    ("harassment.insult", "你这个老 赖，赶紧还钱。", "老 赖"),
    ("harassment.insult", "你這個老賴，欠款趕緊還。", "老賴"),
    ("harassment.threat", "欠款不还，後果自負。", "後果自負"),
    ("harassment.exposure", "逾期不还就把你的照片Ｐ图发出去。", "Ｐ图"),
    ("harassment.contacts", "逾期不还，我们将爆 通 讯 录。", "爆 通 讯 录"),
]


class TestSignals(SignalTable):
    plugin = plugin
    section = "harassment"
    positive = POSITIVE
    negative = NEGATIVE
    evasion = EVASION
    negative_received_at = NIGHT
    positive_elsewhere = frozenset({"harassment.night"})


@pytest.mark.parametrize(
    ("received_at", "fires"),
    [
        (datetime(2025, 3, 1, 23, 30), True),
        (datetime(2025, 3, 1, 6, 59), True),
        (datetime(2025, 3, 1, 8, 0), False),
        (datetime(2025, 3, 1, 21, 59), False),
        (datetime(2025, 3, 1, 16, 30, tzinfo=UTC), True),  # 00:30 in China
        (datetime(2025, 3, 1, 2, 0, tzinfo=UTC), False),  # 10:00 in China
        (None, False),
    ],
)
def test_night_needs_a_known_night_time(received_at: datetime | None, fires: bool) -> None:
    assert ("harassment.night" in detect(plugin, DEBT, received_at=received_at)) is fires


def test_night_spans_the_whole_message() -> None:
    signal = detect(plugin, DEBT, received_at=NIGHT)["harassment.night"]
    assert covered(DEBT, signal) == [DEBT]


@pytest.mark.parametrize(
    ("text", "signal", "words"),
    [
        ("你借的那笔钱拖了半年，欠的钱再不还，我们就打电话给你爸妈。", "harassment.family", ["爸妈"]),
        ("三天内不还钱，就爆您的通讯录。", "harassment.contacts", ["爆您的通讯录"]),
        ("再不还就爆你通讯录，说到做到。", "harassment.contacts", ["爆你通讯录"]),
    ],
)
def test_debt_words_without_debt_nouns(text: str, signal: str, words: list[str]) -> None:
    found = detect(plugin, text)
    assert signal in found
    assert covered(text, found[signal]) == words


@pytest.mark.parametrize(
    "text",
    [
        "周末我们打电话给爸妈，一起商量过年回家的事。",  # no debt: family without collection
        "通讯录备份已完成，共同步236位联系人。",  # a phone notice, not 爆通讯录
    ],
)
def test_family_and_contacts_need_a_debt(text: str) -> None:
    found = detect(plugin, text)
    assert "harassment.family" not in found
    assert "harassment.contacts" not in found
