"""Synthetic Chinese SMS for benchmarks and differential tests: every kind the default pack judges.

All text here is written for this project from templates and slot values (no corpus text). The generator is
deterministic for a seed, so a benchmark or a test sees the same messages on every machine. About one message
in five gets an evasion (spaces or symbols inside words, traditional characters, full-width digits and letters,
homophones), the way real senders dodge keyword filters.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

BANKS = ["招商银行", "建设银行", "工商银行", "中国银行", "交通银行", "浦发银行", "中信银行", "农业银行"]
LENDERS = ["安信贷", "速融花", "鑫易借", "极享分期", "好来钱", "闪电借款", "悦享花", "小橙信用", "众安小贷"]
AGENCIES = ["恒正资产管理", "信和信用管理有限公司", "东正法务调解中心", "华融催收外包", "明德律师事务所"]
COURTS = ["上海市浦东新区人民法院", "北京市朝阳区人民法院", "深圳市南山区人民法院", "杭州市西湖区人民法院"]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"
SHORT_HOSTS = ["t.cn", "url.cn", "dwz.cn", "suo.im"]
TLDS = ["top", "xyz", "vip", "cc", "icu", "shop"]
COURT_CODES = ["沪0115", "京0105", "粤0305", "浙0106"]
CASE_KINDS = ["民初", "执", "民特", "财保"]

SCAM = [
    "【{lender}】尊敬的用户，您的贷款{amount}已审批通过，需先缴纳{fee}{small_amount}到指定账户后才能放款，详询{phone}",
    "您好，我是{bank}客服，您的账户涉嫌洗钱，请在{deadline}将资金转入安全账户配合调查，否则冻结全部资产。",
    "同学你好，系统显示你在校期间开通的校园贷账户未注销，将影响征信，请添加客服徽信{wechat}办理注销。",
    "【{bank}】您的信用卡额度可提升至{big_amount}，点击 {link} 填写卡号和验证码即可完成提额。",
    "{name}您好，这里是公安局经侦支队，您名下银行卡涉嫌一起诈骗案，请配合屏幕共享核查资金流水。",
    "专业征信修复，消除逾期记录，包过，先交{small_amount}服务费，联系{phone}。",
    "您的快递因地址不详被退回，理赔{small_amount}，请登录 {link} 并提供验证码领取。",
    "【{lender}】恭喜获得无抵押贷款额度{big_amount}，到账前需刷流水验资，手续费{small_amount}，加vx{wechat}。",
]
ILLEGAL = [
    "{name}你这个老赖，欠钱不还不要脸，今天再不还我们就联系你家人和你单位领导。",
    "欠款{amount}已逾期{days}天，再不处理就爆通讯录，把你的欠款信息群发给你所有联系人，后果自负。",
    "你等着，明天就派人去你公司找你，让你同事都知道你欠钱不还。",
    "{name}，你借{lender}的钱到底还不还？不还就P图发到你家族群，让你社死。",
    "别装死，今晚12点前不还款，我们每天给你通讯录里的人打电话，小心点。",
]
LEGAL_THREAT = [
    "【{agency}】您在{lender}的欠款{amount}已严重逾期，我司将于{deadline}向法院提起诉讼，届时您将被列入失信名单。",
    "{name}您好，您的借款逾期{days}天，案件已移交法务部，即将立案并寄送律师函，请于{deadline}处理。",
    "您的欠款已进入诉前调解程序，调解中心将于{date}上门核实，如不配合将申请强制执行。",
    "通知：您拖欠{lender}贷款{amount}，逾期未还将被限制高消费、影响子女上学，请立即还款。",
    "【{agency}】关于您的逾期账单，我方已准备起诉材料，传票将寄至您户籍地，联系{phone}协商。",
]
LEGAL_NOTICE = [
    "【{court}】{name}：您的案件{case}已立案，请登录12368或人民法院在线服务查询，本短信不收取任何费用。",
    "【{court}】您好，{case}案件定于{date}开庭，请按时到庭，详情可拨打12368核实。",
    "{court}提醒：{case}的诉讼材料已通过电子送达，请登录court.gov.cn查看，勿轻信索要费用的电话。",
]
COLLECTION = [
    "【{bank}】您尾号{card}的信用卡本期账单应还{amount}，还款日{date}，请通过官方APP还款，以免影响您的个人信用记录。",
    "【{lender}】您的借款已逾期{days}天，应还{amount}，请通过官方APP或手机银行还款，如有疑问请致电{hotline}。",
    "【{bank}】尊敬的客户，您的贷款本期应还{amount}，将于{date}从尾号{card}的账户自动扣款，请保持余额充足。",
    "【{lender}】温馨提示：您的账单{date}到期，应还{amount}，逾期将上报征信，请及时还款。",
]
NORMAL = [
    "妈，我周末回家吃饭，帮我留点饺子。",
    "【{bank}】您尾号{card}的账户{date}转入{amount}，余额请以实际为准。",
    "您的验证码为{code}，5分钟内有效，请勿泄露给他人。",
    "【图书馆】您借阅的图书已逾期{days}天，请尽快归还，以免影响借阅权限。",
    "今晚七点部门聚餐，地点在公司楼下的火锅店，收到请回复。",
    "【快递】您的包裹已到小区驿站，取件码{code}，请于{date}前领取。",
    "新闻速递：某地法院公开审理一起非法催收案，被告人被判处有期徒刑。",
    "【{lender}】您的借款已全部结清，感谢您的信任。",
    "{name}，明天上午的会议改到十点，别迟到。",
    "【律所讲座】本周六举办债务纠纷法律知识公益讲座，欢迎报名。",
    "亲，您购买的商品已发货，运单号{code}{code}，注意查收。",
]
KINDS: dict[str, list[str]] = {
    "scam": SCAM,
    "illegal_collection": ILLEGAL,
    "legal_threat": LEGAL_THREAT,
    "legal_notice": LEGAL_NOTICE,
    "collection_notice": COLLECTION,
    "normal": NORMAL,
}
# Roughly how often each kind reaches a phone that collects debt messages; normal messages dominate.
WEIGHTS = {
    "scam": 0.15,
    "illegal_collection": 0.1,
    "legal_threat": 0.12,
    "legal_notice": 0.05,
    "collection_notice": 0.18,
    "normal": 0.4,
}

_TRADITIONAL = dict(
    zip(
        "诉讼银行还贷账户转传执师门请将对际审务费证码号时内联为这个会处级额钱单书达确认关说话让发现应该与后无报经业电网点击开过风险记录动产冻结罚",
        "訴訟銀行還貸賬戶轉傳執師門請將對際審務費證碼號時內聯為這個會處級額錢單書達確認關說話讓發現應該與後無報經業電網點擊開過風險記錄動產凍結罰",
        strict=True,
    )
)
_HOMOPHONES = [("微信", "薇信"), ("微信", "威芯"), ("贷款", "代款"), ("法院", "fa院"), ("抵押", "坻押")]
_SEPARATORS = [" ", "*", "-", "·", "_"]
_KEYWORDS = ["起诉", "法院", "逾期", "欠款", "律师函", "转账", "验证码", "安全账户", "保证金", "失信", "通讯录"]


@dataclass(frozen=True, slots=True)
class SyntheticMessage:
    """One generated message with the kind its template was written for (not a ground-truth label)."""

    text: str
    sender: str
    kind: str


class Generator:
    """Deterministic generator of synthetic SMS; ``messages(n)`` gives ``n`` of them in a fixed mix."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)

    def messages(self, count: int) -> list[SyntheticMessage]:
        return [self.message() for _ in range(count)]

    def iter_messages(self, count: int) -> Iterator[SyntheticMessage]:
        for _ in range(count):
            yield self.message()

    def message(self) -> SyntheticMessage:
        kinds = list(WEIGHTS)
        kind = self.rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds])[0]
        return self.of_kind(kind)

    def of_kind(self, kind: str) -> SyntheticMessage:
        template = self.rng.choice(KINDS[kind])
        text = template.format_map(_Slots(self))
        if self.rng.random() < 0.2:
            text = self.evade(text)
        return SyntheticMessage(text, self.sender(kind), kind)

    def text_of_length(self, length: int) -> str:
        """A text of exactly ``length`` characters: messages of every kind run together, then cut."""
        parts: list[str] = []
        total = 0
        while total < length:
            text = self.message().text
            parts.append(text)
            total += len(text)
        return "".join(parts)[:length]

    # ---- evasions
    def evade(self, text: str) -> str:
        choice = self.rng.randrange(4)
        if choice == 0:
            for word in _KEYWORDS:
                if word in text:
                    sep = self.rng.choice(_SEPARATORS)
                    text = text.replace(word, sep.join(word), 1)
            return text
        if choice == 1:
            return "".join(_TRADITIONAL.get(ch, ch) if self.rng.random() < 0.6 else ch for ch in text)
        if choice == 2:
            return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in text)
        for plain, variant in _HOMOPHONES:
            text = text.replace(plain, variant)
        return text

    # ---- slot values
    def sender(self, kind: str) -> str:
        r = self.rng
        if kind == "legal_notice" and r.random() < 0.7:
            return "12368"
        if kind == "collection_notice" and r.random() < 0.6:
            return (
                r.choice(["95555", "95533", "95588", "95566"])
                if r.random() < 0.5
                else f"10690{r.randrange(10**7, 10**8)}"
            )
        if kind == "scam" and r.random() < 0.4:
            return f"{r.choice(['170', '171', '165', '167'])}{r.randrange(10**7, 10**8)}"
        if r.random() < 0.1:
            return ""
        return f"1{r.choice('3456789')}{r.randrange(10**8, 10**9)}"

    def amount(self) -> str:
        r = self.rng
        value = r.choice([r.randrange(100, 99999), r.randrange(1000, 9999) + r.randrange(100) / 100])
        style = r.randrange(3)
        if style == 0:
            return f"{value:,.2f}元" if isinstance(value, float) else f"{value}元"
        if style == 1:
            return f"￥{value}"
        return f"{value}元"

    def link(self) -> str:
        r = self.rng
        token = "".join(r.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(6))
        style = r.randrange(3)
        if style == 0:
            return f"http://{r.choice(SHORT_HOSTS)}/{token}"
        if style == 1:
            return f"https://{token}-vip.{r.choice(TLDS)}/login"
        return f"http://{r.randrange(11, 223)}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}/pay"

    def date(self) -> str:
        r = self.rng
        month, day = r.randrange(1, 13), r.randrange(1, 29)
        return r.choice([f"{month}月{day}日", f"2025-{month:02d}-{day:02d}", "明天", "本周五"])


class _Slots(dict[str, str]):
    """Slot values drawn on demand, so each template asks only for what it uses."""

    def __init__(self, gen: Generator) -> None:
        super().__init__()
        r = gen.rng
        self._makers: dict[str, Callable[[], str]] = {
            "bank": lambda: r.choice(BANKS),
            "lender": lambda: r.choice(LENDERS),
            "agency": lambda: r.choice(AGENCIES),
            "court": lambda: r.choice(COURTS),
            "name": lambda: r.choice(SURNAMES) + r.choice(["先生", "女士", "某某", "同学"]),
            "amount": gen.amount,
            "small_amount": lambda: f"{r.randrange(200, 5000)}元",
            "big_amount": lambda: f"{r.randrange(2, 50)}万元",
            "fee": lambda: r.choice(["解冻费", "保证金", "手续费", "验资款", "工本费"]),
            "phone": lambda: r.choice(
                [
                    f"1{r.choice('3578')}{r.randrange(10**8, 10**9)}",
                    f"400-{r.randrange(100, 999)}-{r.randrange(1000, 9999)}",
                ]
            ),
            "hotline": lambda: r.choice(["95555", "95533", "400-820-8888"]),
            "wechat": lambda: "".join(r.choice("abcdefghjkmnpqrstuvwxyz0123456789") for _ in range(8)),
            "link": gen.link,
            "deadline": lambda: r.choice(["24小时内", "今天下午五点前", "三日内", "明天中午前"]),
            "date": gen.date,
            "days": lambda: str(r.randrange(1, 400)),
            "card": lambda: f"{r.randrange(10000):04d}",
            "code": lambda: f"{r.randrange(10**5, 10**6)}",
            "case": lambda: (
                f"（{r.choice(['2024', '2025'])}）{r.choice(COURT_CODES)}"
                f"{r.choice(CASE_KINDS)}{r.randrange(100, 99999)}号"
            ),
        }

    def __missing__(self, key: str) -> str:
        return self._makers[key]()


def write_jsonl(path: str, count: int, seed: int = 7) -> None:
    """Write ``count`` messages as JSON Lines with ``id``, ``text`` and ``sender`` (for ``smsguard scan``)."""
    import json

    gen = Generator(seed)
    with open(path, "w", encoding="utf-8") as out:
        for index, message in enumerate(gen.iter_messages(count)):
            record = {"id": index, "text": message.text, "sender": message.sender}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
