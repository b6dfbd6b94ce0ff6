"""The link checker: every signal with messages written for these tests, positive, negative and disguised."""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Any

import pytest
import smsguard_plugins.link as link
import tldextract

from smsguard.extract import extract
from smsguard.model import Message, Signal
from smsguard.normalize import default_normalizer

N = default_normalizer()
DOCS = Path(__file__).resolve().parent.parent / "docs" / "detectors.md"


def detect(text: str) -> dict[str, list[Signal]]:
    ntext = N.normalize(text)
    signals = list(link.smsguard_detect(message=Message(text), text=ntext, features=extract(ntext)))
    declared = {spec.name: spec.type for spec in link.smsguard_signals()}
    found: dict[str, list[Signal]] = {}
    for signal in signals:
        assert signal.name in declared
        kind = declared[signal.name]
        if kind == "bool":
            assert signal.value is True
        elif kind == "number":
            assert isinstance(signal.value, int) and not isinstance(signal.value, bool)
        else:
            assert isinstance(signal.value, str) and signal.value
        assert signal.spans
        for start, end in signal.spans:
            assert 0 <= start < end <= len(text)
        found.setdefault(signal.name, []).append(signal)
    return found


def covered(text: str, signal: Signal) -> list[str]:
    return [text[a:b] for a, b in signal.spans]


def values(found: dict[str, list[Signal]], name: str) -> list[Any]:
    return [s.value for s in found.get(name, [])]


def test_no_link_no_signal() -> None:
    assert detect("您好，您的借款已逾期，请尽快还款。") == {}


def test_present_counts_links() -> None:
    text = "请登录 abc.com 或 http://def.cn/x 查询"
    found = detect(text)
    assert values(found, "link.present") == [2]
    assert covered(text, found["link.present"][0]) == ["abc.com", "http://def.cn/x"]


@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ("详情点击 t.cn/A6abcd 查看", "t.cn/A6abcd"),
        ("详情点击 http://url.cn/5xyz 查看", "http://url.cn/5xyz"),
        ("详情点击 ｔ．ｃｎ/A6abcd", "ｔ．ｃｎ/A6abcd"),
        ("详情点击 dwz . cn / abc", "dwz . cn / abc"),
    ],
)
def test_shortener(text: str, typed: str) -> None:
    found = detect(text)
    assert covered(text, found["link.shortener"][0]) == [typed]


def test_not_a_shortener() -> None:
    assert "link.shortener" not in detect("请登录 tcn.com.cn 或 at.cn 查询")


@pytest.mark.parametrize(
    "text", ["点击 http://192.168.10.20/pay 领取", "打开 10.0.0.1:8080/a 领取", "打开 １０．０．０．１ 领取"]
)
def test_ip_host(text: str) -> None:
    assert values(detect(text), "link.ip_host") == [True]


def test_ip_like_but_not_ip() -> None:
    found = detect("版本 1.2.3 已发布，详见 v1.2.com")
    assert "link.ip_host" not in found


@pytest.mark.parametrize("text", ["登录 xn--80ak6aa92e.com 查看", "登录 аpple.com 查看", "登录 ｘｎ--fiqs8s.top"])
def test_punycode(text: str) -> None:
    assert values(detect(text), "link.punycode") == [True]


def test_punycode_detail_is_decoded() -> None:
    assert detect("登录 xn--80ak6aa92e.com 查看")["link.punycode"][0].detail == "аррӏе.com"


def test_ascii_host_is_not_punycode() -> None:
    assert "link.punycode" not in detect("登录 apple.com 查看")


@pytest.mark.parametrize(
    ("text", "tld"),
    [
        ("填表单http://asd.card-demo.monster/激活", "monster"),
        ("登录 wap.abcvc.cc 核实", "cc"),
        ("登录 abc . xyz 核实", "xyz"),
        ("登录 ＡＢＣ．ＴＯＰ 核实", "top"),
    ],
)
def test_risky_tld(text: str, tld: str) -> None:
    assert values(detect(text), "link.risky_tld") == [tld]


def test_ordinary_tld_is_not_risky() -> None:
    assert "link.risky_tld" not in detect("登录 example.com.cn 或 example.net 查看")


@pytest.mark.parametrize("text", ["注册 9510103.com 领奖", "注册 ９５１０１０３．ｃｏｍ 领奖", "打开 95-10-103.cn"])
def test_numeric_domain(text: str) -> None:
    assert values(detect(text), "link.numeric_domain") == [True]


@pytest.mark.parametrize("text", ["购票请上 12306.cn", "网易 163.com 邮箱", "访问 abc123.com"])
def test_not_numeric_domain(text: str) -> None:
    assert "link.numeric_domain" not in detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "访问 http://www.icbc.com.cn@evil.top/login",
        "访问 icbc.com.cn@evil.top/login",
        "访问 ｗｗｗ．ｉｃｂｃ．ｃｏｍ．ｃｎ＠evil.top",
    ],
)
def test_at_sign(text: str) -> None:
    found = detect(text)
    assert values(found, "link.at_sign") == [True]
    assert "link.official" not in found  # the real host is evil.top


def test_email_is_not_an_at_link() -> None:
    assert detect("简历请发 hr.team@example.com") == {}


@pytest.mark.parametrize(
    ("text", "brand", "why"),
    [
        ("【中国银联】积分即将清零，请登录 95516aa.com 兑换", "银联", "contains 95516"),
        ("请登录 icbc-vip.top 完成认证", "工商银行", "contains icbc"),
        ("请登录 ICBC-VIP.TOP 完成认证", "工商银行", "contains icbc"),
        ("访问 cmbchlna.com 查看", "招商银行", "spelled like cmbchina"),
        ("访问 unioay.com 查看", "银联", "spelled like unionpay"),
        ("访问 unioay-safe.com 查看", "银联", "spelled like unionpay"),
        ("建行客户请访问 wap.ccbseu.com 更新信息", "建设银行", "starts with ccb"),
        ("農行通知：請登錄 wap.abcvc.cc 核實", "农业银行", "starts with abc"),
        ("移动积分兑换 jfe.10086rpa.com", "中国移动", "contains 10086"),
        ("登录 www.cmbchina.com.vip-card.top", "招商银行", "contains cmbchina"),
    ],
)
def test_lookalike(text: str, brand: str, why: str) -> None:
    signal = detect(text)["link.lookalike"][0]
    assert signal.value == brand
    assert why in signal.detail


@pytest.mark.parametrize(
    "text",
    [
        "访问 abcvc.cc 了解",  # a short keyword counts only when the brand is named
        "访问 small.com 了解",
        "访问 courtyard-hotel.com 预订",
        "【招商银行】请登录 cmbchina.com 查询",  # the official domain itself
        "访问 count.com 了解",
    ],
)
def test_not_lookalike(text: str) -> None:
    assert "link.lookalike" not in detect(text)


@pytest.mark.parametrize(
    ("text", "brand"),
    [
        ("【招商银行】您的账单已出，详情 cmbchina.com 查询", "招商银行"),
        ("【云南某法院】请点击 zxfw.court.gov.cn/abc 查看", "人民法院"),
        ("详见 www.gd.gov.cn", "政府机关"),
        ("【招商銀行】請登錄 ｗｗｗ．ｃｍｂｃｈｉｎａ．ｃｏｍ 查詢", "招商银行"),
        ("购票请上 12306 . cn", "12306"),
    ],
)
def test_official(text: str, brand: str) -> None:
    found = detect(text)
    assert values(found, "link.official") == [brand]
    assert values(found, "link.all_official") == [True]
    assert "link.brand_mismatch" not in found
    assert "link.lookalike" not in found


def test_not_all_official() -> None:
    found = detect("支付宝提示：请访问 alipay.com 或 pay-alipay.top")
    assert values(found, "link.official") == ["支付宝"]
    assert "link.all_official" not in found
    assert values(found, "link.lookalike") == ["支付宝"]


def test_official_domain_must_be_the_whole_suffix() -> None:
    found = detect("请登录 icbc.com.cn.evil.top 处理")
    assert "link.official" not in found
    assert values(found, "link.lookalike") == ["工商银行"]


@pytest.mark.parametrize(
    ("text", "brand", "claim", "confidence"),
    [
        ("【招商银行】您信用卡资质良好，填表单http://asd.card-demo.monster/激活", "招商银行", "招商银行", 0.9),
        ("【招商銀行】請填表 ａｓｄ．ｃａｒｄ．ｍｏｎｓｔｅｒ 激活", "招商银行", "招商銀行", 0.9),
        ("【招 商 银 行】请登录 card-demo.top 激活", "招商银行", "招 商 银 行", 0.9),
        ("您的招商银行信用卡可提额，登录 card-demo.top", "招商银行", "招商银行", 0.7),
        ("北京市朝阳区人民法院通知：请登录 court-gov.top 查看传票", "人民法院", "人民法院", 0.7),
    ],
)
def test_brand_mismatch(text: str, brand: str, claim: str, confidence: float) -> None:
    signal = detect(text)["link.brand_mismatch"][0]
    assert signal.value == brand
    assert claim in covered(text, signal)
    assert signal.confidence == pytest.approx(confidence)


def test_brand_mismatch_through_a_shortener_is_weaker() -> None:
    signal = detect("【支付宝】您的账户异常，请点击 t.cn/abc12 处理")["link.brand_mismatch"][0]
    assert signal.confidence < 0.9


@pytest.mark.parametrize(
    "text",
    [
        "【招商银行】您的账单已出，详情 cmbchina.com 查询",
        "我司将向法院起诉，详情 app.lender-demo.com",  # names a court without speaking for it
        "北京东路店开业，详见 shop-demo.com",  # 北京东路 holds 京东 by accident
        "登录 card-demo.top 激活",  # no brand named
        "【招商银行】详见 alipay.com",  # another brand's official site is not a fake
    ],
)
def test_no_brand_mismatch(text: str) -> None:
    assert "link.brand_mismatch" not in detect(text)


def test_brand_named_only_inside_the_link_is_no_claim() -> None:
    assert "link.brand_mismatch" not in detect("请登录 12306-ticket.top 改签")


def test_official_list_extends_through_lexicon_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "official_domains.txt").write_text("# source: test\ncmbt.cn\tcmb\n", encoding="utf-8")
    text = "【招商银行】详见 cmbt.cn/x"
    assert "link.brand_mismatch" in detect(text)
    monkeypatch.setenv("SMSGUARD_LEXICON_PATH", str(tmp_path))
    found = detect(text)
    assert values(found, "link.official") == ["招商银行"]
    assert "link.brand_mismatch" not in found


def test_suffix_list_is_offline_and_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the link checker tried to open a network connection")

    built: list[dict[str, Any]] = []
    real = tldextract.TLDExtract

    def recording(**kwargs: Any) -> Any:
        built.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(tldextract, "TLDExtract", recording)
    monkeypatch.setenv("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "https://example.invalid/list.dat")
    link._extractor.cache_clear()
    link._split.cache_clear()
    try:
        assert values(detect("登录 wap.example.co.uk 查看"), "link.present") == [1]
        assert link._split("wap.example.co.uk").suffix == "co.uk"
    finally:
        link._extractor.cache_clear()
        link._split.cache_clear()
    assert len(built) == 1
    assert built[0]["cache_dir"] is None  # no cache directory, so nothing is written anywhere
    assert tuple(built[0]["suffix_list_urls"]) == ()


def test_every_signal_is_documented() -> None:
    body = DOCS.read_text(encoding="utf-8")
    match = re.search(r"^## link\n(.*?)(?=^## |\Z)", body, re.S | re.M)
    assert match, "docs/detectors.md has no '## link' section"
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", match.group(1), re.M))
    assert documented == {spec.name for spec in link.smsguard_signals()}


@pytest.mark.parametrize(
    "text",
    [
        "航班已确认，请登录 www.airchina.com.cn 办理值机。",  # a real word near abchina is no misspelling
        "【招商银行】详情请访问 e95555.cn 查询。",  # a brand's own hotline variant, letter before the number
        "下载地址 www.fabcd.com",  # a short keyword in the middle of a word
        "访问 mycmbcx.com 了解",  # cmbc inside a longer word
    ],
)
def test_no_lookalike_inside_words_or_hotline_variants(text: str) -> None:
    assert "link.lookalike" not in detect(text)


@pytest.mark.parametrize(
    ("text", "brand"),
    [
        ("【招商银行】请登录 95555-vip.cn 验证", "招商银行"),  # the hotline number first, junk after
        ("请登录 vip-icbc.top 完成认证", "工商银行"),  # the keyword ends a hyphenated piece
        ("请登录 abchlna.com 查看", "农业银行"),  # misspelt, start kept
    ],
)
def test_lookalike_still_found(text: str, brand: str) -> None:
    assert values(detect(text), "link.lookalike") == [brand]


def test_suffix_list_is_loaded_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    link._split.cache_clear()
    link._extractor.cache_clear()
    link.smsguard_signals()
    assert link._extractor.cache_info().currsize == 1  # built when the engine asks for the signals
    loaded: list[str] = []
    monkeypatch.setattr(tldextract, "TLDExtract", lambda *a, **k: loaded.append("again"))
    assert "link.present" in detect("请登录 www.example-shop.com 查看")
    assert loaded == []
