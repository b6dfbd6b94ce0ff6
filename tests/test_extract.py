"""Feature extraction: links in every disguise, and phone numbers, amounts, dates, signatures, case numbers."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smsguard.extract as extract_module
from smsguard.extract import Features, extract
from smsguard.model import Span
from smsguard.normalize import NormalizedText, default_normalizer

N = default_normalizer()


def features(text: str) -> Features:
    return extract(N.normalize(text))


def links(text: str) -> list[tuple[str, str, str]]:
    """(url as read, host, original characters) of every link; ``typed`` below defaults to the url."""
    return [(link.text, link.host, text[link.span[0] : link.span[1]]) for link in features(text).links]


@pytest.mark.parametrize(
    ("text", "url", "host", "typed"),
    [
        ("请于24小时内登录 wap.abcvc.cc 进行核实", "wap.abcvc.cc", "wap.abcvc.cc", "wap.abcvc.cc"),
        ("填表单http://asd.card-demo.monster/激活。", "http://asd.card-demo.monster/", "asd.card-demo.monster", None),
        ("详见 https://www.example.com/a?b=1&c=2，谢谢", "https://www.example.com/a?b=1&c=2", "www.example.com", None),
        ("访问 www . abc . com 查询", "www.abc.com", "www.abc.com", "www . abc . com"),
        ("详见abc。com，谢谢", "abc.com", "abc.com", "abc。com"),
        (
            "网址：ＷＷＷ．ＩＣＢＣ．ＣＯＭ．ＣＮ",
            "www.icbc.com.cn",
            "www.icbc.com.cn",
            "ＷＷＷ．ＩＣＢＣ．ＣＯＭ．ＣＮ",
        ),
        ("打开 h t t p : / / weixin . qq . com / abc", "weixin.qq.com/abc", "weixin.qq.com", "weixin . qq . com / abc"),
        (
            "http : / / pay . demo . top / x1 看",
            "http://pay.demo.top/x1",
            "pay.demo.top",
            "http : / / pay . demo . top / x1",
        ),
        ("点击 http://192.168.1.10:8080/pay 领取", "http://192.168.1.10:8080/pay", "192.168.1.10", None),
        ("打开 10.0.0.1 即可", "10.0.0.1", "10.0.0.1", "10.0.0.1"),
        ("登录 xn--80ak6aa92e.com 查看", "xn--80ak6aa92e.com", "xn--80ak6aa92e.com", None),
        ("登录 аpple.com 查看", "аpple.com", "аpple.com", None),  # Cyrillic а
        ("http://www.icbc.com.cn@evil.top/login", "http://www.icbc.com.cn@evil.top/login", "evil.top", None),
        ("请访问 icbc.com.cn@evil.top/login", "icbc.com.cn@evil.top/login", "evil.top", None),
        ("见 icbc.com.cn@1.2.3.4/x", "icbc.com.cn@1.2.3.4/x", "1.2.3.4", None),
        ("回复td退订 t.cn/a8xyz", "t.cn/a8xyz", "t.cn", None),
        ("http://a.cn/x,td退订", "http://a.cn/x", "a.cn", None),
        ("注册 9510103.com 领奖", "9510103.com", "9510103.com", None),
    ],
)
def test_links(text: str, url: str, host: str, typed: str | None) -> None:
    found = links(text)
    assert len(found) == 1, found
    assert found[0][0] == url
    assert found[0][1] == host
    assert found[0][2] == (url if typed is None else typed)


@pytest.mark.parametrize(
    "text",
    [
        "邮箱 john.smith@qq.com",
        "还款12.50元",
        "日期2024.05.01",
        "版本v2.0",
        "mr.li 你好",
        "999.999.999.999/x",
        "您好，已逾期。请还款",
        "请于今日。com",  # 。 after CJK is a sentence end, not a dot in a name
        "see you . me too",
    ],
)
def test_not_links(text: str) -> None:
    assert links(text) == []


def test_link_span_through_offset_map() -> None:
    text = "起 诉通知：请登录 ｗａｐ．ａｂｃ．ｃｏｍ 处理"
    link = features(text).links[0]
    assert text[link.span[0] : link.span[1]] == "ｗａｐ．ａｂｃ．ｃｏｍ"
    assert link.host == "wap.abc.com"


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("请致电 138 0013 8000 或 400-123-4567", ["13800138000", "4001234567"]),
        ("联系+86 13800138000", ["+8613800138000"]),
        ("座机 010-12345678", ["01012345678"]),
        ("客服95588，法院12368", ["95588", "12368"]),
        ("电话：１３８００１３８０００", ["13800138000"]),
        ("详情 e95555.cn/7rfn6j", []),  # inside a link
        ("编号 51295555 南店", []),
    ],
)
def test_phones(text: str, values: list[str]) -> None:
    assert [p.value for p in features(text).phones] == values


def test_phone_span_is_original() -> None:
    text = "请 致 电１３８００１３８０００"
    phone = features(text).phones[0]
    assert text[phone.span[0] : phone.span[1]] == "１３８００１３８０００"


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("欠款￥1,200.50元", [1200.5]),
        ("共计3万元", [30000.0]),
        ("人民币 486.00 元", [486.0]),
        ("借款2.5萬", [25000.0]),  # traditional 萬
    ],
)
def test_amounts(text: str, yuan: list[float]) -> None:
    assert [a.yuan for a in features(text).amounts] == yuan


def test_dates_signatures_and_case_numbers() -> None:
    text = "【某某法院】（2024）京0105民初12345号案件定于2024年5月1日开庭，请于3天内联系"
    f = features(text)
    assert f.signature == "某某法院"
    assert [d.value for d in f.dates] == ["2024年5月1日", "3天内"]
    assert [c.value for c in f.case_numbers] == ["(2024)京0105民初12345号"]
    assert text[f.case_numbers[0].span[0] : f.case_numbers[0].span[1]] == "（2024）京0105民初12345号"


def test_traditional_signature_is_read_simplified() -> None:
    f = features("【招商銀行】您的賬單已出")
    assert f.signature == "招商银行"


@pytest.mark.parametrize(
    "text",
    [
        "a . " * 10000,
        "a。" * 20000,
        ("a" * 60 + ".") * 600,
        ("a-" * 30 + "a.") * 600,
        "1.2.3.4." * 5000,
        "www . " * 10000,
        ("a" * 60 + ".com@") * 600,
        "起 诉 vx " * 5000,
    ],
)
def test_adversarial_text_costs_linear_time(text: str) -> None:
    started = time.perf_counter()
    extract(N.normalize(text))
    assert time.perf_counter() - started < 2.0  # about 0.05 s here; a backtracking blow-up takes many seconds


def test_digits_of_other_scripts_are_digits() -> None:
    f = features("欠款٣٠元，请于٢٠٢٤年5月1日前还款")
    assert [a.yuan for a in f.amounts] == [30.0]
    assert [d.value for d in f.dates] == ["٢٠٢٤年5月1日"]


def test_features_of_every_kind_over_a_long_text() -> None:
    piece = (
        "请于2024年5月1日前还款¥1,200.50元，致电13800138000或登录 http://a.cn/x?id=12元 查询（2024）京0105民初12号。"
    )
    f = features(piece * 300)
    assert len(f.links) == len(f.dates) == len(f.phones) == len(f.case_numbers) == 300
    assert len(f.amounts) == 300  # the 12元 inside each link is not an amount
    assert {a.yuan for a in f.amounts} == {1200.5}


def test_nothing_found_is_empty_features() -> None:
    assert features("您好，谢谢") == Features()


# Expressions searched only at the characters their matches start with (see smsguard.skipsearch.searched_at), next to the
# plain expression: both must find the same matches.
SEARCHED = [
    (extract_module._LINK_RE, extract_module._LINK),
    (extract_module._PHONE_RE, extract_module._PHONE),
    (extract_module._AMOUNT_RE, extract_module._AMOUNT),
    (extract_module._DATE_RE, extract_module._DATE),
]
FEATURE_TEXT = st.lists(
    st.one_of(
        st.sampled_from(list("0123456789٣٢+-. ,:/@。¥￥rmb人民币万元块年月日号小时天内今明后本周hwtpsf:wxcn")),
        st.sampled_from(["http://", "www.", ".com", "138", "0086", "400", "95", "12", "2024", "1,200", "a.b.cn"]),
        st.characters(),
    ),
    max_size=40,
).map("".join)


def _matches(regex: re.Pattern[str], text: str) -> list[tuple[str | None, ...]]:
    found = extract_module._found(regex, text, [], lambda m, _: (m.group(1), *m.groups()[1:]), _same)
    return list(found)


def _same(start: int, end: int) -> Span:
    return (start, end)


@settings(max_examples=300)
@given(FEATURE_TEXT)
def test_searched_expressions_find_what_the_plain_ones_find(text: str) -> None:
    for regex, plain in SEARCHED:
        assert _matches(regex, text) == [(m.group(), *m.groups()) for m in re.finditer(plain, text)]


@settings(max_examples=300)
@given(FEATURE_TEXT)
def test_hints_never_skip_a_feature(text: str) -> None:
    if re.search(extract_module._LINK, text):
        assert extract_module._LINK_HINT_RE.search(text)
    if re.search(extract_module._AMOUNT, text):
        assert extract_module._AMOUNT_HINT_RE.search(text)
    if re.search(extract_module._DATE, text):
        assert extract_module._DATE_HINT_RE.search(text)


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 8)), max_size=6), st.integers(0, 40), st.integers(1, 8))
def test_taken_spans_answer_like_checking_each(claims: list[tuple[int, int]], start: int, length: int) -> None:
    first = sorted({(a, a + n) for a, n in claims[:3]})
    second = sorted({(a, a + n) for a, n in claims[3:]})
    disjoint = [s for i, s in enumerate(first) if not i or first[i - 1][1] <= s[0]]
    disjoint_second = [s for i, s in enumerate(second) if not i or second[i - 1][1] <= s[0]]
    taken = extract_module._taken(extract_module._taken([], disjoint), disjoint_second)
    expected = not any(a < start + length and start < b for a, b in disjoint + disjoint_second)
    assert extract_module._is_free((start, start + length), taken) == expected


def test_extract_on_an_unnormalized_text_with_an_offset_map() -> None:
    text = "起 诉：请于2024年5月1日前还款"
    ntext = N.normalize(text)
    assert ntext.starts is not None
    date = extract(ntext).dates[0]
    assert text[date.span[0] : date.span[1]] == "2024年5月1日"
    assert extract(NormalizedText(ntext.text, ntext.text)).dates[0].nspan == date.nspan
