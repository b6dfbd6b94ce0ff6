"""The default pack: every rule carries complete metadata and examples that hold, and every category judges
messages written for this test (not taken from the labelled set or any corpus) the way a careful reader would."""

from __future__ import annotations

import re

import pytest

from smsguard import Engine, Message
from smsguard.intake import parse_time
from smsguard.pack import CompiledRule

ENGINE = Engine.default()
CATEGORIES = ("scam", "illegal_collection", "legal_threat", "legal_notice", "collection_notice", "normal")
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module", autouse=True)
def warm_up() -> None:
    """Load every detector's lazy data once, so no test pays a first-use cost against a plugin's time budget."""
    ENGINE.check("【某某银行】请登录 https://www.example-bank.top/login 核实，验证码123456请勿泄露", "10690000000000")


@pytest.mark.parametrize("rule", ENGINE.pack.rules, ids=lambda r: r.id)
def test_rule_examples(rule: CompiledRule) -> None:
    assert rule.title, f"{rule.id} has no title"
    kinds = {e.kind for e in rule.examples}
    assert kinds == {"hit", "miss"}, f"{rule.id} needs hit and miss examples"
    for example in rule.examples:
        when = parse_time(example.received_at) if example.received_at else None
        fired = rule.id in ENGINE.fired_rules(Message(example.text, example.sender, when))
        assert fired == (example.kind == "hit"), f"{example.loc.path}:{example.loc.line}: {example.kind} example"


@pytest.mark.parametrize("rule", ENGINE.pack.rules, ids=lambda r: r.id)
def test_rule_metadata(rule: CompiledRule) -> None:
    assert HAN.search(rule.title), f"{rule.id}: the title should be Chinese"
    assert rule.description, f"{rule.id} has no description"
    assert rule.tags, f"{rule.id} has no tags"
    assert rule.weight != 0, f"{rule.id} has weight 0"
    assert rule.category in CATEGORIES


def test_six_categories() -> None:
    assert {c.id for c in ENGINE.pack.categories} == set(CATEGORIES)


@pytest.mark.parametrize("category", CATEGORIES[:-1])
def test_every_category_has_evidence_and_advice(category: str) -> None:
    rules = [r for r in ENGINE.pack.rules if r.category == category and r.weight > 0 and r.enabled]
    assert len(rules) >= 3, f"{category} has too few rules"
    declared = next(c for c in ENGINE.pack.categories if c.id == category)
    assert declared.advice, f"{category} has no advice"


SCAM = [
    ("您好，我是市反诈中心民警，您的银行卡被不法分子用于洗钱，请配合我们把余额转到核查账户", "13912345678"),
    ("【建设银行】您的手机银行登录环境异常，账户将被冻结，请立即访问 ccb-safe.icu 完成身份核验", "10690012345678"),
    ("亲，我是拼多多售后，您买的面霜检测出质量问题，给您双倍赔偿，加我QQ 123456789 领取", "17012345678"),
    ("你好，我们是正规贷款平台，无需征信，额度三万，放款前需交888元保证金，加微信办理", "16512345678"),
    ("爸，我手机摔坏了用同学的手机发的，学校要交培训费3800，你直接转到王老师卡上 6217 1234 5678 9012 345", None),
    ("我是你们张总，明天开会用，你先帮我转两万给合作方，账号我发你，别打电话我在开会", "13112345678"),
    ("【中国人民银行】您名下存在多笔网贷逾期，征信将被上报黑名单，请添加征信专员微信处理", "17112345678"),
    ("尊敬的用户，您的花呗被误开通了学生权限，需要注销，否则影响征信，请下载瞩目APP配合工作人员操作", None),
    ("您申请的5万元借款已审核通过，因银行卡号填写错误资金被冻结，请联系客服缴纳解冻金", "17212345678"),
    ("【最高人民检察院】你涉嫌一起非法集资案，已签发冻结令，请立即将名下资金转入清查账户", "+85212345678"),
    ("您好，这里是快递理赔中心，您的包裹丢失了，我们为您办理三倍赔付，请下载会议软件并开启屏幕共享", None),
]
ILLEGAL_COLLECTION = [
    ("你欠的钱再不还，我就把你的欠款截图发给你通讯录里每一个人", "13812345670"),
    ("老赖刘强，明天我们去你单位找你们经理，让大家看看你是什么人", "13812345671"),
    ("你不是不接电话吗？我们已经打给你老婆了，今晚再打你爸妈，看你躲到什么时候", "13812345672"),
    ("您好，您的同事李某在我司借款逾期，他留了您的电话，麻烦您督促他尽快还款", "10690000123456"),
    ("钱不还就别想安生，你家住哪我们清清楚楚，晚上有人去你家坐坐", "13812345673"),
]
LEGAL_THREAT = [
    ("【诚和法务】您的逾期借款已移交法务部，我司将于48小时内向您户籍地法院提交诉讼材料，请尽快处理。退订回T", None),
    ("王先生，你的欠款已达到起诉标准，律师函已寄出，届时你将被列入失信被执行人名单", "15912345678"),
    ("您的网贷逾期案件已进入诉前调解，调解中心将于三日内出具调解失败书，之后法院直接判决并强制执行", None),
    ("我们的外访人员将于本周五上门核实您的家庭情况和还款能力，请提前安排", "18612345678"),
    ("最后通知：你名下欠款将于明日移交司法机关，子女上学和出行都将受到影响", "13712345678"),
]
LEGAL_NOTICE = [
    (
        "【苏州市吴中区人民法院】李*明您好，您与某银行信用卡纠纷一案（2025）苏0506民初5678号已立案，"
        "可通过人民法院在线服务查询。",
        "12368",
    ),
    (
        "【人民法院】张*三您好，上海市长宁区人民法院已向您送达（2025）沪0105民初2345号案件的开庭传票，"
        "请登录 https://zxfw.court.gov.cn 输入验证码 7TY3KP 查看。",
        "106900498311",
    ),
    (
        "【深圳市福田区人民法院】陈*您好，（2025）粤0304民初9876号案件定于7月3日上午9时在第十法庭开庭，请准时到庭。",
        "12368",
    ),
]
COLLECTION_NOTICE = [
    ("【交通银行】您尾号6688的信用卡本期应还2,345.60元，到期还款日6月5日，请按时还款。", "95559"),
    ("【度小满】您的借款已逾期3天，应还金额1,024.00元，请登录度小满App及时还款，以免影响您的信用记录。", None),
    ("【招联金融】尊敬的客户，您本期账单958.20元已逾期6天，如有还款困难可在App内申请延期。", "1069035500009"),
    ("【工商银行】您的融e借第4期应还1,200.00元将于明日自动扣款，请保证尾号1234账户余额充足。", "95588"),
]
# Hard negatives: the vocabulary of the alarm categories in innocent messages.
NORMAL = [
    ("【中国银行】您的验证码为553211，用于网银登录，请勿泄露给任何人。", "95566"),
    ("【区图书馆】您借阅的《刑法学讲义》已超期3天，请尽快归还。", "1069000011111"),
    ("【今日头条】某地法院集中执行一批失信被执行人，追回欠款2000余万元", "1069000022222"),
    ("【汇才律师事务所】免费法律讲座：如何应对网贷暴力催收，本周日上午，欢迎报名。退订回T", "1069000033333"),
    (
        "【12381】提醒：您可能接到冒充京东客服的诈骗电话，凡是要求下载会议软件、转账的都是诈骗。工业和信息化部 公安部",
        "12381",
    ),
    ("【96110】反诈中心提醒：公检法没有安全账户，要求先交钱才能放款的都是诈骗。", "96110"),
    ("【平安银行】您尾号0366的信用卡已成功还款1,560.00元，当前无逾期。", "95511"),
    ("老李，上个月借你的三千块我已经转你微信了，你查收一下", "13912340001"),
    ("妈，我下周二回家，火车票买好了，不用来接", "13912340002"),
    ("小陈，明天上午九点来我办公室一趟，把季度报表带上", "13912340003"),
    ("【美团】您的外卖订单已退款18.50元，预计1-3个工作日原路退回", "1069000044444"),
    ("明天的法考培训课改到下午，记得带上民事诉讼法的讲义", "13912340004"),
]
CASES = [
    *(("scam", t, s) for t, s in SCAM),
    *(("illegal_collection", t, s) for t, s in ILLEGAL_COLLECTION),
    *(("legal_threat", t, s) for t, s in LEGAL_THREAT),
    *(("legal_notice", t, s) for t, s in LEGAL_NOTICE),
    *(("collection_notice", t, s) for t, s in COLLECTION_NOTICE),
    *(("normal", t, s) for t, s in NORMAL),
]


@pytest.mark.parametrize(("label", "text", "sender"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_category(label: str, text: str, sender: str | None) -> None:
    verdict = ENGINE.check(text, sender)
    assert verdict.category == label, [h.rule for h in verdict.hits]


@pytest.mark.parametrize(
    ("plain", "evasion"),
    [
        ("请将名下资金转入安全账户配合调查", "請將名下資金轉入安全賬戶配合調查"),
        ("你欠款不还，我们就爆你通讯录", "你欠款不还，我们就爆你通 讯 录"),
        (
            "您的欠款已逾期，我司将向法院提起诉讼，传票三日内送达",
            "您的欠款已逾期，我司将向法*院提起诉讼，传/票三日内送达",
        ),
        ("专业征信修复，逾期记录可消除，加微信办理", "专业征信修复，逾期记录可消除，加徽信办理"),
    ],
)
def test_evasions_do_not_change_the_verdict(plain: str, evasion: str) -> None:
    assert ENGINE.check(evasion).category == ENGINE.check(plain).category != "normal"


def test_the_same_words_from_the_anti_fraud_port_are_normal() -> None:
    text = "【12381】提醒：凡是要求把钱转入安全账户、注销校园贷的都是诈骗，请立即停止操作。"
    assert ENGINE.check(text, "12381").category == "normal"


def test_a_court_notice_that_asks_for_money_is_a_scam() -> None:
    text = "【人民法院】您有一份传票待签收，案号（2025）京0105民初1234号，请先缴纳诉讼保证金5000元至书记员账户"
    verdict = ENGINE.check(text, "17012345678")
    assert verdict.category == "scam"
    assert "court_notice_asks_money" in {h.rule for h in verdict.hits}


def _advice(text: str, sender: str | None = None) -> str:
    return "\n".join(ENGINE.check(text, sender).advice)


def test_advice_on_a_link_says_not_to_click_it() -> None:
    advice = _advice("【工商银行】您的网银证书已过期将被停用，请登录 icbc-zhengshu.top 更新", "17012345678")
    assert "不要点击" in advice and "链接" in advice


def test_advice_on_a_transfer_demand_says_not_to_pay_and_to_call_96110() -> None:
    advice = _advice("您涉嫌洗钱，请将存款全部转入安全账户配合调查", "13812345678")
    assert "不要转账" in advice and "96110" in advice


def test_advice_on_a_legal_threat_explains_the_sms_is_no_court_document() -> None:
    advice = _advice("你的欠款已经逾期，我们将向法院起诉，三天内你就会收到传票", "13812345678")
    assert "不是法院文书" in advice and "12368" in advice


def test_advice_on_illegal_collection_names_the_complaint_line() -> None:
    advice = _advice("你再不还钱，我们就打电话给你爸妈和你单位领导", "13812345678")
    assert "12378" in advice and "证据" in advice


def test_night_collection_counts_only_at_night() -> None:
    text = "还在装睡？你的欠款不还，我们就一直打"
    night = ENGINE.check(text, "13800000000", parse_time("2025-05-10T01:30:00+08:00"))
    day = ENGINE.check(text, "13800000000", parse_time("2025-05-10T15:30:00+08:00"))
    night_rules = {h.rule for h in night.hits}
    assert "collector_night" in night_rules and "collector_night" not in {h.rule for h in day.hits}
    assert night.scores["illegal_collection"] > day.scores["illegal_collection"]


def test_the_default_pack_is_in_canonical_layout() -> None:
    from click.testing import CliRunner

    from smsguard.cli import main
    from smsguard.engine import default_pack_path

    result = CliRunner().invoke(main, ["fmt", "--check", str(default_pack_path())])
    assert result.exit_code == 0, result.output


def test_the_default_pack_lints_clean() -> None:
    from click.testing import CliRunner

    from smsguard.cli import main
    from smsguard.engine import default_pack_path

    result = CliRunner().invoke(main, ["lint", "--strict", str(default_pack_path())])
    assert result.exit_code == 0, result.output
