"""The collector-name checker: known companies and lenders, name shapes, signatures, obfuscated names."""

from __future__ import annotations

from pathlib import Path

import pytest
import smsguard_plugins.collector as plugin
from plugin_helpers import SignalTable, detect

from smsguard.model import SignalValue

SEMINAR = "【金诚律师事务所】诚邀您参加周六下午的合同纠纷公益讲座，报名请回复1。"

# (signal, message, characters a span must cover, expected value or None)
POSITIVE: list[tuple[str, str, str, SignalValue | None]] = [
    ("collector.known_company", "永雄资产提醒您，您的欠款已逾期。", "永雄资产", "湖南永雄资产管理集团"),
    ("collector.lender", "您在招联金融的借款已逾期5天。", "招联金融", "招联金融"),
    ("collector.lender", "您的360借条账单已出。", "360借条", "360借条"),
    ("collector.obfuscated", "永x雄资产通知您：欠款请今日处理。", "永x雄资产", None),
    (
        "collector.company_shape",
        "您的欠款已委托鼎信信用管理有限公司处理。",
        "鼎信信用管理有限公司",
        "鼎信信用管理有限公司",
    ),
    ("collector.law_firm", "您的欠款案件已移交金诚律师事务所处理，请尽快还款。", "金诚律师事务所", "金诚律师事务所"),
    ("collector.legal_department", "您的逾期账单已转交法务部处理。", "转交法务部", None),
    ("collector.mediation_body", "您的借款纠纷已由和谐调解中心受理，请尽快联系。", "和谐调解中心", "和谐调解中心"),
    ("collector.collection_department", "您的账户已转入贷后部处理，请尽快还款。", "贷后部", None),
    ("collector.signature", "【鼎盛资产】您的欠款已逾期30天，请尽快处理。", "【鼎盛资产】", "鼎盛资产"),
    ("collector.signature", "【永雄资产】请回电。", "【永雄资产】", "永雄资产"),
]

NEGATIVE: list[tuple[str, str]] = [
    ("collector.known_company", "李永雄先生您好，您的快递已到驿站。"),
    ("collector.lender", "快捷信用卡申请通道已开通，投资金条享优惠。"),
    ("collector.obfuscated", "永雄资产提醒您，您的欠款已逾期。"),
    ("collector.company_shape", "您可通过手机银行办理个人资产管理业务。"),
    ("collector.company_shape", "【某证券】让您的资产管理更轻松，欢迎咨询。"),
    ("collector.law_firm", SEMINAR),
    ("collector.legal_department", "我司法务部诚聘法务专员，欢迎投递简历。"),
    ("collector.mediation_body", "【社区新闻】人民调解委员会化解邻里纠纷30起。"),
    ("collector.collection_department", "您的问题已转交售后部处理，请耐心等待。"),
    ("collector.signature", SEMINAR),
]

EVASION: list[tuple[str, str, str]] = [
    ("collector.known_company", "永 雄 资 产提醒您，欠款已逾期。", "永 雄 资 产"),
    ("collector.known_company", "永3雄资产提醒您，欠款已逾期。", "永3雄资产"),
    ("collector.known_company", "永·雄资产提醒您，欠款已逾期。", "永·雄资产"),
    ("collector.known_company", "湖南永雄資產提醒您，欠款已逾期。", "湖南永雄"),
    ("collector.lender", "您的微 粒 贷借款已逾期。", "微 粒 贷"),
    ("collector.lender", "您的微x粒贷借款已逾期。", "微x粒贷"),
    ("collector.lender", "您的３６０借条账单已出。", "３６０借条"),
    ("collector.law_firm", "您的欠款已移交金诚律師事務所處理。", "律師事務所"),
]


class TestSignals(SignalTable):
    plugin = plugin
    section = "collector"
    positive = POSITIVE
    negative = NEGATIVE
    evasion = EVASION


def test_fuzzy_match_has_lower_confidence() -> None:
    exact = detect(plugin, "永雄资产提醒您。")["collector.known_company"]
    fuzzy = detect(plugin, "永x雄资产提醒您。")["collector.known_company"]
    assert fuzzy.confidence < exact.confidence


def test_lender_detail_names_the_licensed_company() -> None:
    signal = detect(plugin, "您的安逸花账单已逾期。")["collector.lender"]
    assert "马上消费金融" in signal.detail


def test_lexicons_are_contributed_to_rule_packs() -> None:
    lexicons = plugin.smsguard_lexicons()
    assert set(lexicons) == {"collectors", "lenders"}
    assert all(Path(str(path)).is_file() for path in lexicons.values())


def test_user_lexicon_extends_the_collectors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "【青松催收】您的欠款已逾期，青松智达提醒您尽快处理。"
    assert "collector.known_company" not in detect(plugin, text)
    (tmp_path / "collectors.txt").write_text("# source: test\n青松智达\n", encoding="utf-8")
    monkeypatch.setenv("SMSGUARD_LEXICON_PATH", str(tmp_path))
    assert detect(plugin, text)["collector.known_company"].value == "青松智达"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("我们律所受委托通知您，您的欠款将被起诉。", "律所"),
        ("你的欠款已交由该律所处理。", "律所"),
        ("你的欠款已委托金石律师事务所处理。", "金石律师事务所"),
    ],
)
def test_pronouns_are_no_names(text: str, name: str) -> None:
    assert detect(plugin, text)["collector.law_firm"].value == name
