"""The scam-script detector: each script fires on its combination, never on one innocent word."""

from __future__ import annotations

import pytest
import smsguard_plugins.scripts as plugin
from plugin_helpers import SignalTable, detect
from smsguard_plugins._terms import Entry, TermHit

from smsguard.extract import extract
from smsguard.normalize import default_normalizer

# (signal, message, characters a span must cover)
POSITIVE: list[tuple[str, str, str]] = [
    ("scripts.credit_repair", "专业征信修复，可消除逾期记录，成功后收费，详询客服。", "征信修复"),
    ("scripts.credit_repair", "帮您洗白征信，贷款秒批。", "洗白征信"),
    ("scripts.student_loan_cancel", "您在大学期间开通的校园贷账户需要注销，不注销将影响征信。", "校园贷"),
    ("scripts.student_loan_cancel", "根据新规，学生账户需转为成人账户。", "学生账户"),
    ("scripts.fake_jd", "您的京东金条利率过高，不符合国家规定，需关闭账户，否则影响征信。", "京东金条"),
    ("scripts.loan_unfreeze", "您的贷款已审批，但卡号填错导致资金冻结，请联系客服。", "卡号填错"),
    ("scripts.loan_unfreeze", "您的借款因流水不足被冻结，需缴纳解冻金3000元。", "解冻金"),
    ("scripts.loan_unfreeze", "您的提现卡号输入错误，提现金额已被冻结。", "输入错误"),
    ("scripts.fake_jd", "您好，这里是京东金融客服，您的京东金条年化利率过高，超出国家规定。", "利率过高"),
    ("scripts.fake_webank", "微粒贷通知：因LPR利率整改，请拨打4001234152，否则影响征信。", "LPR"),
    ("scripts.huabei_reduction", "您的花呗可申请减免利息，需先交500元保证金。", "减免"),
]

# Anti-fraud warnings that name the scripts, and the genuine messages that share their words.
NEGATIVE: list[tuple[str, str]] = [
    ("scripts.credit_repair", "中国人民银行提醒：不存在所谓征信修复，征信异议申请免费。"),
    ("scripts.credit_repair", "【某银行】您的信用卡已修复完成，可正常使用。"),
    ("scripts.student_loan_cancel", "教育部提醒：谨防注销校园贷诈骗。"),
    ("scripts.student_loan_cancel", "【某大学】学生账户密码重置成功。"),
    ("scripts.fake_jd", "【京东】您的京东白条本期账单523.50元，请于5月20日前还款。"),
    ("scripts.loan_unfreeze", "【某银行】您的账户因长期未使用已冻结，请携带身份证到网点解冻。"),
    ("scripts.fake_webank", "【微众银行】您的微粒贷利率将随LPR调整，详情请查看App。"),
    ("scripts.huabei_reduction", "【支付宝】花呗本月账单已出，可申请分期还款。"),
]

EVASION: list[tuple[str, str, str]] = [
    ("scripts.credit_repair", "专业征 信 修 复，包过。", "征 信 修 复"),
    ("scripts.student_loan_cancel", "您的校園貸賬戶需要註銷。", "校園貸"),
    ("scripts.fake_webank", "微粒贷通知：因ＬＰＲ利率整改，请致电客服。", "ＬＰＲ"),
    ("scripts.huabei_reduction", "花 呗可减 免利息，先交手续费即可。", "减 免"),
]


class TestSignals(SignalTable):
    plugin = plugin
    section = "scripts"
    positive = POSITIVE
    negative = NEGATIVE
    evasion = EVASION


@pytest.mark.parametrize("word", ["征信", "校园贷", "京东金条", "冻结", "微粒贷", "花呗", "减免", "注销"])
def test_one_word_alone_fires_nothing(word: str) -> None:
    assert detect(plugin, f"您好，关于{word}的问题请咨询。") == {}


@pytest.mark.parametrize(
    "text",
    [
        "【法规速递】新规明确：失信被执行人履行义务后可向法院申请信用修复。",
        "人民银行提示：征信异议可通过官方渠道申请更正。",
    ],
)
def test_credit_repair_needs_an_offer(text: str) -> None:
    assert "scripts.credit_repair" not in detect(plugin, text)


@pytest.mark.parametrize(
    "text",
    [
        "征信修复，逾期记录可消除，包过。",
        "可帮您修复征信，详情致电13912345678。",
    ],
)
def test_credit_repair_offered(text: str) -> None:
    assert "scripts.credit_repair" in detect(plugin, text)


@pytest.mark.parametrize("name", list(plugin.SCRIPTS))
def test_no_script_holds_without_an_anchor(name: str) -> None:
    """The detector only tests the scripts whose anchor words the message holds: each test needs one."""
    script = plugin.SCRIPTS[name]

    def hits(kind: str) -> list[TermHit]:
        start = 1 if kind == "credit_object" else 0  # right after the removal word
        return [TermHit(Entry(kind, "script_terms", kind, ("strong",), "test"), start, start + 1)]

    every_kind = {k for s in plugin.SCRIPTS.values() for k in s.kinds}
    features = extract(default_normalizer().normalize("请拨打4001234567或13800138000"))
    assert script.holds({k: hits(k) for k in every_kind}, "xx", features)
    assert not script.holds({k: hits(k) for k in every_kind - script.anchors}, "xx", features)
