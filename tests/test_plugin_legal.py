"""The legal-term checker: threats, scare-only terms and the marks of a genuine court notice."""

from __future__ import annotations

import smsguard_plugins.legal as plugin
from plugin_helpers import SignalTable, covered, detect

from smsguard.model import SignalValue

SCARE = "你的网贷已逾期半年，将被纳入失信被执行人名单并限制高消费，子女上学也会受影响。"
COURT = (
    "【北京市朝阳区人民法院】您好，您作为被告的（2024）京0105民初12345号案件已受理，请登录人民法院在线服务查看材料。"
)
LAWFUL = "【某某银行】您的信用卡账单已逾期，请尽快还款，以免影响您的信用记录。"

# (signal, message, characters a span must cover, expected value or None)
POSITIVE: list[tuple[str, str, str, SignalValue | None]] = [
    ("legal.lawsuit", "您的欠款已逾期90天，我司将依法向法院提起诉讼。", "提起诉讼", None),
    ("legal.lawsuit", "张三，再不还款我们将通过法律途径解决。", "法律途径", None),
    ("legal.filing", "张先生，您的借款纠纷已在法院立案，请尽快处理。", "立案", None),
    ("legal.summons", "你拖欠的款项再不处理，三天后法院传票将寄到你户籍地。", "法院传票", None),
    ("legal.lawyer_letter", "您好，因您的信用卡长期逾期，律师函已发出，请注意查收。", "律师函", None),
    ("legal.enforcement", "您名下欠款未还，我们即将申请强制执行。", "强制执行", None),
    ("legal.blacklist", SCARE, "失信被执行人", None),
    ("legal.criminal", "你恶意透支信用卡，已涉嫌信用卡诈骗罪，将移交公安机关处理。", "恶意透支", None),
    ("legal.visit", "明早九点，外访专员将到你家核实欠款情况，请在家等候。", "外访", None),
    ("legal.mediation", "尊敬的客户，您的贷款逾期案件已转入诉前调解，请三日内回电。", "诉前调解", None),
    ("legal.credit_record", LAWFUL, "信用记录", None),
    ("legal.scare_only", SCARE, "限制高消费", "纳入失信被执行人、限制高消费、子女上学"),
    ("legal.scare_only", "您涉嫌洗钱，逮捕令已下发，请配合调查。", "逮捕令", "逮捕令"),
    ("legal.term_count", "你的欠款已逾期，我们将提起诉讼，申请强制执行，并安排上门。", "上门", 3),
    ("legal.case_number", COURT, "（2024）京0105民初12345号", "(2024)京0105民初12345号"),
    ("legal.court_channel", COURT, "人民法院在线服务", "人民法院在线服务"),
    ("legal.court_channel", "您的案件已立案，请登录12368或 zxgk.court.gov.cn 查询。", "zxgk.court.gov.cn", None),
    ("legal.court_signature", COURT, "【北京市朝阳区人民法院】", "北京市朝阳区人民法院"),
    ("legal.court_signature", "请按传票时间到庭。\n上海市浦东新区人民法院", "上海市浦东新区人民法院", None),
]

# Innocent messages that share words: news pushes, a law firm's seminar advert, deliveries, road signs, police
# anti-fraud reminders, a library and a lawful reminder.
NEGATIVE: list[tuple[str, str]] = [
    ("legal.lawsuit", "【金诚律师事务所】诚邀您参加周六下午的《民事诉讼实务》公益讲座，报名请回复1。"),
    ("legal.filing", "【法治快讯】某市警方对一起网络赌博案立案侦查，涉案金额巨大。"),
    ("legal.summons", "【新闻快讯】备受关注的某合同纠纷案今日开庭审理。"),
    ("legal.lawyer_letter", "【某律所】本周讲座：如何起草一份律师函？欢迎您报名参加。"),
    ("legal.enforcement", "【法治日报】法院对拒不履行判决的企业强制执行，查封其厂房。"),
    ("legal.blacklist", "【交通提醒】您好，前方桥洞设有限高杆，货车请绕行。"),
    ("legal.criminal", "【某市公安局】民警提醒您：谨防冒充客服诈骗，如有疑问请拨打96110。"),
    ("legal.criminal", "【某银行】提醒您：不法分子冒充公安机关来电要求转账，请提高警惕。"),
    ("legal.visit", "【顺丰速运】您好，快递员将于今天下午上门取件，请保持电话畅通。"),
    ("legal.visit", "您好，演唱会线上门票已开售，欢迎购买。"),
    ("legal.mediation", "【社区新闻】调解员成功化解一起邻里纠纷。"),
    ("legal.credit_record", "【市图书馆】您借阅的图书已逾期3天，请尽快归还。"),
    ("legal.scare_only", LAWFUL),
    ("legal.term_count", LAWFUL),
    ("legal.case_number", "你的欠款已逾期，我们将向法院起诉。"),
    ("legal.court_channel", "您的欠款请尽快处理，如有疑问请致电13912368000。"),
    ("legal.court_signature", "您的欠款逾期未还，我司将起诉至朝阳区人民法院。"),
]

# Evasions: spaces and symbols inside words, traditional characters, full-width text.
EVASION: list[tuple[str, str, str]] = [
    ("legal.lawsuit", "你的欠款已逾期，我们将对你提 起 诉 讼。", "提 起 诉 讼"),
    ("legal.filing", "你的欠款已逾期，法院已立*案。", "立*案"),
    ("legal.summons", "你的欠款已逾期，传-票将寄到你家。", "传-票"),
    ("legal.lawsuit", "您的欠款已逾期，我司將對您提起訴訟。", "提起訴訟"),
    ("legal.enforcement", "您的欠款已逾期，我司將申請強制執行。", "強制執行"),
    ("legal.blacklist", "您的欠款已逾期，將被列入失信被執行人名單。", "失信被執行人"),
    (
        "legal.case_number",
        "您的案件（２０２４）京０１０５民初１２３４５号已受理。",
        "（２０２４）京０１０５民初１２３４５号",
    ),
    ("legal.court_channel", "您的案件已受理，请登录１２３６８查询。", "１２３６８"),
]


class TestSignals(SignalTable):
    plugin = plugin
    section = "legal"
    positive = POSITIVE
    negative = NEGATIVE
    evasion = EVASION


def test_news_push_about_a_court_case_fires_no_threat() -> None:
    text = "【新闻快讯】某区法院今日宣判一起借贷纠纷，被告被判处拘留十五日并强制执行。"
    assert not {n for n in detect(plugin, text) if n != "legal.court_signature"} - {"legal.case_number"}


def test_terms_inside_the_signature_are_no_threat() -> None:
    signals = detect(plugin, "【某某调解中心】您的欠款请尽快处理。")
    assert "legal.mediation" not in signals


def test_genuine_notice_marks_and_threat_terms_coexist() -> None:
    signals = detect(plugin, COURT)
    assert {"legal.case_number", "legal.court_channel", "legal.court_signature"} <= set(signals)
    assert "legal.scare_only" not in signals


def test_freezing_the_readers_money_is_enforcement() -> None:
    text = "李先生，你的欠款已逾期，我们将申请冻结你的微信和支付宝余额。"
    found = detect(plugin, text)
    assert covered(text, found["legal.enforcement"]) == ["冻结你的微信和支付宝余额"]


def test_a_frozen_card_notice_is_no_enforcement_threat() -> None:
    assert "legal.enforcement" not in detect(plugin, "【某某银行】您尾号1234的卡片因长期未使用已冻结，可到网点办理。")


def test_an_imperative_request_addresses_the_reader() -> None:
    text = "限高令即将下发，失信名单已申报，请今日内联系处理。"
    found = detect(plugin, text)
    assert "legal.blacklist" in found
    assert "legal.scare_only" in found


def test_news_with_a_request_is_still_news() -> None:
    text = "【法治快讯】某地法院对失信被执行人发布限高令，请市民及时处理相关事务。"
    assert "legal.blacklist" not in detect(plugin, text)
