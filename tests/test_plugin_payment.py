"""The payment-demand detector: transfers, safe/designated/personal accounts, QR payment, fees before payout."""

from __future__ import annotations

import pytest
import smsguard_plugins.payment as plugin
from plugin_helpers import SignalTable, detect

CARD_DEMAND = "还款请直接打到我的个人卡：6222 0202 1234 5678 901，户名李四。"

# (signal, message, characters a span must cover)
POSITIVE: list[tuple[str, str, str]] = [
    ("payment.transfer_demand", "请立即将5000元转账至以下账户，否则后果自负。", "转账"),
    ("payment.transfer_demand", "哥，我出了点事，急汇3万元到这个卡号6217000012345678901。", "急汇"),
    ("payment.transfer_demand", "你把欠款打到这个卡上就行。", "打到"),
    ("payment.transfer_demand", "你先把这笔钱转过来，我马上给你处理。", "转过来"),
    ("payment.safe_account", "您的账户涉嫌洗钱，请将资金转入安全账户配合调查。", "安全账户"),
    ("payment.designated_account", "请于今日内将欠款汇入指定账户。", "指定账户"),
    ("payment.personal_account", CARD_DEMAND, "6222 0202 1234 5678 901"),
    ("payment.personal_account", "请把还款转到私人账户，户名王芳。", "私人账户"),
    ("payment.qr_code", "请扫码支付剩余欠款，逾期将上报征信。", "扫码"),
    ("payment.upfront_fee", "您的贷款已审批通过，放款前需缴纳2000元保证金。", "保证金"),
    ("payment.upfront_fee", "提现失败，需先完成刷流水才能到账。", "刷流水"),
]

# Bank transaction notices, anti-fraud reminders, ID numbers, QR adverts, fee-free promises.
NEGATIVE: list[tuple[str, str]] = [
    ("payment.transfer_demand", "【某银行】您尾号1234的账户于10日转账支出500.00元，余额2300.00元。"),
    ("payment.transfer_demand", "提醒：切勿向陌生人转账汇款。"),
    ("payment.transfer_demand", "【某银行】风险提示：切勿轻信陌生人的话术或要求进行转账。"),
    ("payment.safe_account", "公检法机关没有所谓的安全账户，请勿转账。"),
    ("payment.safe_account", "凡是要求把钱转入安全账户的都是诈骗。"),
    ("payment.designated_account", "该账户已于今日完成升级。"),
    ("payment.personal_account", "请核对身份证号430102199001011234后再办理还款。"),
    ("payment.personal_account", "您的个人账户已开通手机银行。"),
    ("payment.qr_code", "扫码关注公众号，领取新人优惠券。"),
    ("payment.upfront_fee", "【某银行】本笔跨行转账手续费2元已收取。"),
    ("payment.upfront_fee", "本平台放款无需任何手续费，谨防诈骗。"),
]

EVASION: list[tuple[str, str, str]] = [
    ("payment.safe_account", "请将资金转至安 全 账 户。", "安 全 账 户"),
    ("payment.safe_account", "請將資金轉入安全賬戶。", "安全賬戶"),
    ("payment.transfer_demand", "請立即轉賬至以下賬戶。", "轉賬"),
    (
        "payment.personal_account",
        "请把钱转到６２２２０２０２１２３４５６７８９０１。",
        "６２２２０２０２１２３４５６７８９０１",
    ),
    ("payment.upfront_fee", "您的贷款需缴纳解-冻-费才能放款。", "解-冻-费"),
]


class TestSignals(SignalTable):
    plugin = plugin
    section = "payment"
    positive = POSITIVE
    negative = NEGATIVE
    evasion = EVASION


def test_account_details_are_named_in_the_detail() -> None:
    detail = detect(plugin, CARD_DEMAND)["payment.personal_account"].detail
    assert "户名" in detail and "卡号" in detail


def test_eighteen_digit_id_number_is_no_card() -> None:
    assert "payment.personal_account" not in detect(plugin, "请转账，身份证号110101199003071234。")


@pytest.mark.parametrize(
    "text",
    [
        "某某金融不会以任何理由要求您向个人账户转账，请认准官方渠道。",
        "本平台从不让客户把钱转到个人银行卡，如有疑问请致电客服。",
        "我行工作人员绝不会让您先转账到所谓的安全账户。",
    ],
)
def test_clause_denial_is_no_demand(text: str) -> None:
    found = detect(plugin, text)
    for name in ("payment.transfer_demand", "payment.personal_account", "payment.safe_account"):
        assert name not in found


def test_denial_stops_at_the_clause_end() -> None:
    text = "我们不会收取任何费用。请立即转账到以下个人账户：6222 0202 1234 5678 901。"
    found = detect(plugin, text)
    assert "payment.transfer_demand" in found
    assert "payment.personal_account" in found
