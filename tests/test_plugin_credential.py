"""The credential detector: requests told apart from one-time-code notices and warnings."""

from __future__ import annotations

import smsguard_plugins.credential as plugin
from plugin_helpers import SignalTable, detect

from smsguard.model import SignalValue

OTP = "【某某出行】验证码483920，用于登录，5分钟内有效。"
OTP_WARNED = "【某某银行】验证码：736201，请勿将验证码告知他人，谨防诈骗。"
ASK_CODE = "您好，我是平台客服，请把收到的验证码告诉我，帮您办理退款。"

# (signal, message, characters a span must cover, expected value or None)
POSITIVE: list[tuple[str, str, str, SignalValue | None]] = [
    ("credential.request", ASK_CODE, "验证码", "code"),
    ("credential.request", "为完成解冻，请提供银行卡号和取款密码。", "取款密码", "password,card"),
    ("credential.request", "请上传身份证正反面照片完成认证。", "身份证正反面", "id"),
    ("credential.otp_notice", OTP, "483920", None),
    ("credential.otp_notice", "123456（动态码），请在页面完成验证。", "动态码", None),
    ("credential.warning", OTP_WARNED, "验证码", None),
    ("credential.warning", "任何人索取验证码均为诈骗。", "验证码", None),
    ("credential.screen_share", "请下载会议软件，进入会议后开启屏幕共享，按我的指引操作。", "屏幕共享", None),
    ("credential.app_download", "请立即下载“安心贷”完成认证。", "下载", None),
    ("credential.app_download", "请安装我们提供的APP办理退款。", "安装", None),
    ("credential.face_scan", "提现前需完成人脸识别验证。", "人脸识别", None),
]

NEGATIVE: list[tuple[str, str]] = [
    ("credential.request", OTP_WARNED),
    ("credential.request", "我行工作人员不会向您索取密码或验证码。"),
    ("credential.request", "【某平台】验证码123456，验证码提供给他人将导致账号被盗。"),
    ("credential.request", "本次支付验证码为062935，请在页面提交验证码完成购买。"),
    ("credential.otp_notice", "为完成解冻，请提供银行卡号和取款密码。"),
    ("credential.warning", ASK_CODE),
    ("credential.screen_share", "提醒：切勿与陌生人共享屏幕。"),
    ("credential.app_download", "【某银行】请勿下载来历不明的APP。"),
    ("credential.app_download", "您的手机下载速度已提升。"),
    ("credential.face_scan", "请勿配合陌生人进行人脸识别。"),
]

EVASION: list[tuple[str, str, str]] = [
    ("credential.request", "请把验 证 码发给我。", "验 证 码"),
    ("credential.request", "請提供銀行卡號和密碼。", "銀行卡號"),
    ("credential.otp_notice", "验证码：４８３９２０，请勿泄露。", "４８３９２０"),
    ("credential.screen_share", "请开启屏-幕-共-享。", "屏-幕-共-享"),
    ("credential.screen_share", "请下载ＺＯＯＭ进入会议。", "ＺＯＯＭ"),
]


class TestSignals(SignalTable):
    plugin = plugin
    section = "credential"
    positive = POSITIVE
    negative = NEGATIVE
    evasion = EVASION


def test_otp_notice_that_warns_is_no_request() -> None:
    signals = detect(plugin, "【某宝】您的验证码是123456，5分钟内有效，请勿泄露。")
    assert set(signals) == {"credential.otp_notice", "credential.warning"}


def test_code_handed_to_staff_is_both_notice_and_request() -> None:
    signals = detect(plugin, "您的验证码为483920，请将此验证码提供给工作人员完成解冻。")
    assert {"credential.otp_notice", "credential.request"} <= set(signals)


def test_clause_denial_is_no_request() -> None:
    text = "法院工作人员不会以任何理由要求当事人转账或提供银行卡密码。"
    found = detect(plugin, text)
    assert "credential.request" not in found
    assert "credential.warning" in found


def test_denial_of_another_clause_does_not_hide_a_request() -> None:
    text = "我们不会收取手续费，请提供银行卡密码以便核实。"
    assert detect(plugin, text)["credential.request"].value == "password"
