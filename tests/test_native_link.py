"""The native link checker (smsguard_plugins._clink) against its Python reference, link.detect_reference: the
same signals in the same order for any message and any links, the same lookalike judgements in the memo both
share, the reference's answer (or exception) for anything else, and the C body running where it should."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from native_detectors import (
    FILLER,
    Broken,
    HandedToPython,
    OddFeatures,
    OddText,
    agree,
    any_text,
    assert_no_leak,
    bind_checks_its_arguments,
    broken,
    helper_errors_come_through,
    helpers_called_as_the_reference_calls_them,
    hook_calls_detect,
    inputs,
    long_text,
    odd_calls,
    outcome,
    refuse,
    replaced,
    shape,
    synthetic_messages,
    terms,
    triple,
)
from native_support import missing_accelerator
from smsguard_plugins import _brands, link
from smsguard_plugins._brands import Claim
from smsguard_plugins._terms import lexicon_path_setting

from smsguard.extract import Features, Link, TextFeature
from smsguard.lexicon import ENV_PATH
from smsguard.model import Message, Signal
from smsguard.normalize import NormalizedText

if link._native is None:
    missing_accelerator("link")

from smsguard_plugins import _clink as C


def binding(**changes: Any) -> dict[str, Any]:
    """The arguments link.py binds with, some changed."""
    kwargs: dict[str, Any] = {
        "reference": link.detect_reference,
        "signal": Signal,
        "features": Features,
        "link": Link,
        "claim": Claim,
        "parts": link._Parts,
        "lists": link._Lists,
        "message": link._message,
        "from_lexicons": link.from_lexicons,
        "list_args": link._LIST_TABLE,
        "official_args": ("official", ("official_domains",), _brands._official_domains),
        "display_args": _brands._DISPLAY_TABLE,
        "find_claims": link.find_claims,
        "split": link._split,
        "readable": link._readable,
        "ip_host": link._IP_HOST.match,
        "numeric_label": link._NUMERIC_LABEL.match,
        "plugin": link._PLUGIN,
        "memo_limit": link._MEMO_LIMIT,
        "spelling_prefix": link._SPELLING_PREFIX,
    }
    return {**kwargs, **changes}


# The C body that never hands a message to the reference: it raises HandedToPython instead.
STRICT = C.bind(**binding(reference=refuse))


def lists() -> Any:
    return link.from_lexicons(*link._LIST_TABLE, lexicon_path_setting())


def check_args(m: Message, ntext: NormalizedText, features: Features, detector: Any = STRICT) -> list[Signal]:
    """The C body gives what the reference gives, and leaves the same lookalike judgements in the memo (each runs
    with the memo as it was, so both judge the hosts themselves when ``fresh``)."""
    memo = lists().memo
    before = dict(memo)
    ours = outcome(detector, m, ntext, features)
    after_ours = dict(memo)
    memo.clear()
    memo.update(before)
    expected = outcome(link.detect_reference, m, ntext, features)
    assert ours == expected
    assert shape(dict(memo)) == shape(after_ours)
    return expected[-1] if expected[0] == "ok" else []  # type: ignore[return-value]


def check(text: str, detector: Any = STRICT, *, fresh: bool = False) -> list[Signal]:
    if fresh:
        lists().memo.clear()
    return check_args(*triple(text), detector=detector)


def names(signals: list[Signal]) -> set[str]:
    return {s.name for s in signals}


# ---- what links are made of ----

LISTS = lists()
KEYWORDS = [k for k, _, _ in LISTS.keywords]
SPELLINGS = [s for s, _, _ in LISTS.spellings]
OFFICIAL = terms("official_domains")
SHORTENERS = terms("shorteners")
RISKY = terms("risky_tlds")
BRANDS = terms("brands")
TLDS = [t.lstrip(".") for t in RISKY] + ["com", "cn", "com.cn", "net", "org", "gov.cn", "xyz", "top", "cc", "hk"]
JUNK = ["vip", "app", "cn", "x", "a1", "2", "95", "online", "-", "secure", "login", "9510103", "12345", "xn--"]


@st.composite
def misspelt(draw: st.DrawFn) -> str:
    """An official name with one or two characters changed, added or dropped (the first three mostly kept)."""
    word = draw(st.sampled_from(SPELLINGS))
    for _ in range(draw(st.integers(1, 2))):
        at = draw(st.integers(0, len(word)))
        c = draw(st.sampled_from("aeilnostu1-"))
        op = draw(st.sampled_from(["swap", "add", "drop"]))
        word = (
            word[:at] + c + word[at + 1 :]
            if op == "swap"
            else word[:at] + c + word[at:]
            if op == "add"
            else word[:at] + word[at + 1 :]
        )
    return word


edge = st.text(st.sampled_from("azxy1-"), max_size=2)
label = st.one_of(
    st.sampled_from(KEYWORDS + SPELLINGS),
    misspelt(),
    st.lists(st.sampled_from(KEYWORDS + SPELLINGS + JUNK), min_size=1, max_size=3).map("".join),
    st.lists(st.sampled_from(KEYWORDS + JUNK), min_size=2, max_size=3).map("-".join),
    st.text(st.sampled_from("abcimnx019-"), min_size=1, max_size=10),
    # a keyword with letters, digits or hyphens on either side: whether it stands out of the label
    st.tuples(edge, st.sampled_from(KEYWORDS), edge).map("".join),
)
host = st.one_of(
    st.tuples(st.lists(label, min_size=1, max_size=3), st.sampled_from(TLDS)).map(lambda p: ".".join([*p[0], p[1]])),
    st.tuples(st.sampled_from(["", "www.", "m.", "zxfw.", "a.b."]), st.sampled_from(OFFICIAL + SHORTENERS)).map(
        "".join
    ),
    st.sampled_from(["1.2.3.4", "192.168.0.1", "255.255.255.255", "xn--fiqs8s.com", "xn--55qx5d.cn", "t.cn"]),
)
link_text = st.tuples(
    st.sampled_from(["", "", "http://", "https://", "www.", "http://user@", "icbc.com.cn@", "https://a:b@"]),
    host,
    st.sampled_from(["", "", "/", "/x/y", "/a?b=c@d", "?u=x@y", ":8080/login", "/@me"]),
).map("".join)
WORDS = [
    *BRANDS,
    "【招商银行】",
    "【工商银行】",
    "我是",
    "通知：",
    "客服",
    "请登录",
    "点击",
    "查询",
    "，",
    "。",
    " ",
    "\n",
]
message_text = st.lists(
    st.one_of(link_text.map(lambda t: f" {t} "), st.sampled_from(WORDS), st.text(st.sampled_from(FILLER), max_size=3)),
    max_size=12,
).map("".join)


# ---- the tests ----


def test_the_detector_is_the_c_one(monkeypatch: pytest.MonkeyPatch) -> None:
    assert type(link.detect) is C.Detector
    hook_calls_detect(link, "请登录 abc.com 查询", monkeypatch)


def test_the_synthetic_messages() -> None:
    found = [check(m.text) for m in synthetic_messages()]
    assert len({name for signals in found for name in names(signals)}) >= 5
    lists().memo.clear()
    for m in synthetic_messages()[:600]:
        check(m.text)


def test_each_signal_and_each_branch() -> None:
    texts = {
        "link.present": "请登录 abc.com 或 http://def.cn/x 查询",
        "link.shortener": "详情点击 http://t.cn/A6x",
        "link.ip_host": "请访问 http://192.168.10.20/pay 处理",
        "link.punycode": "请访问 http://xn--fiqs8s.com 处理",
        "link.risky_tld": "登录 abc.top 领取",
        "link.numeric_domain": "登录 9510103.com 查看",
        "link.at_sign": "请登录 http://icbc.com.cn@evil.top/x 处理",
        "link.lookalike": "【招商银行】请登录 cmbchlna.com 更新",
        "link.official": "请登录 www.icbc.com.cn 查询",
        "link.all_official": "请登录 www.icbc.com.cn 或 ccb.com 查询",
        "link.brand_mismatch": "【工商银行】您的账户异常，请登录 icbc-vip.top 处理",
    }
    for name, text in texts.items():
        assert name in names(check(text, fresh=True)), name
    for text in [
        "【招商银行】请登录 http://t.cn/x 处理",  # a mismatch through a shortener
        "我是工商银行客服，请登录 a.cn 与 b.cn 与 a.cn 处理",  # the same detail twice
        "请登录 icbc-vip.com 或 vip-icbc.com 或 icbcvip.com 或 xicbcx.com 或 2icbc.com 或 95588aa.com",
        "请登录 zicbca.com 或 aicbcz.com 或 z-icbca.com 或 zicbc-a.com 或 a95588.com 或 icbc95588.cn",
        "请登录 abcvc.cc 处理，农行提醒",  # a short keyword with its brand named
        "请登录 unioay-anquan.com 查看",  # the first piece is the misspelling
        "请登录 airchina.com 查看",
        "请访问 http://1.2.3.4.5/x 与 http://999.1.1.1 处理",
    ]:
        check(text, fresh=True)


@given(message_text)
@settings(max_examples=500, deadline=None)
def test_texts_of_links_and_brands(text: str) -> None:
    check(text)


@given(message_text)
@settings(max_examples=200, deadline=None)
def test_the_lookalike_judgement_of_new_hosts(text: str) -> None:
    check(text, fresh=True)


@given(any_text(80))
@settings(max_examples=150, deadline=None)
def test_any_text(text: str) -> None:
    check(text)


HOST_CHARS = "abcimnx019-.@?٣１ïкé\U0001f600\ud800" + "xn--"


@given(
    message_text,
    st.lists(
        st.tuples(
            st.one_of(host, st.text(st.sampled_from(HOST_CHARS), max_size=24)),
            st.text(st.sampled_from(HOST_CHARS + "/:"), max_size=12),
            st.integers(0, 60),
            st.integers(0, 8),
        ),
        min_size=1,
        max_size=4,
    ),
)
@settings(max_examples=300, deadline=None)
def test_any_links(text: str, made: list[tuple[str, str, int, int]]) -> None:
    """Links that extraction does not make: any host and text, spans anywhere."""
    ntext, features = inputs(text)
    links = tuple(Link(t + h, h, (a, a + n), (a, a + n)) for h, t, a, n in made)
    for one in (links, links + features.links):
        lists().memo.clear()
        check_args(Message(text), ntext, Features(one, signatures=features.signatures))


def test_empty_long_and_many() -> None:
    for text in ["", " ", "a.com", "【招商银行】"]:
        check(text)
    check(long_text())
    many = " ".join(f"x{i}.com icbc{i}.top cmbchina.com t.cn/{i}" for i in range(800))
    signals = check("【招商银行】" + many, fresh=True)
    assert signals[0].name == "link.present" and signals[0].value > 3000
    check("【招商银行】请登录 cmbchlna.com 更新 " * 3000)


def test_the_memo_keeps_only_so_many() -> None:
    texts = [f"请登录 host{i}.com 查看" for i in range(6)]
    detector = C.bind(**binding(reference=refuse, memo_limit=3))
    with replaced(link, _MEMO_LIMIT=3):
        lists().memo.clear()
        for text in texts:
            check(text, detector)
        assert len(lists().memo) == 3
    lists().memo.clear()


def test_an_odd_memo_entry_goes_to_the_reference() -> None:
    args = triple("请登录 odd-host.com 查看")
    key = ("odd-host.com", frozenset())
    for odd in [("cmb", 1, "why"), ("cmb", 0.8), ["cmb", 0.8, "why"], ("cmb", 0.8, None)]:
        lists().memo[key] = odd
        with pytest.raises(HandedToPython):
            STRICT(*args)
        assert outcome(link.detect, *args) == outcome(link.detect_reference, *args)
    lists().memo.clear()


@contextmanager
def lexicon_path(directory: Path) -> Iterator[None]:
    saved = os.environ.get(ENV_PATH)
    os.environ[ENV_PATH] = str(directory)
    try:
        yield
    finally:
        if saved is None:
            del os.environ[ENV_PATH]
        else:
            os.environ[ENV_PATH] = saved


def test_lexicons_of_the_users(tmp_path: Path) -> None:
    """Keywords and names the built-in lexicons do not have: non-ASCII letters, other digits, mentions, long
    official names (two edits allowed), shorteners and TLDs."""
    (tmp_path / "brand_keywords.txt").write_text(
        "пример\tccb\nïcbc\ticbc\n٣٣٣٣\tboc\n9x9x\tcmb\nbank\tccb\tmention\nab\tabc\nx-y\tboc\n", encoding="utf-8"
    )
    (tmp_path / "official_domains.txt").write_text(
        "examplebank.com\tccb\nlongername.cn\tcmb\nab1cd.com\tboc\n", encoding="utf-8"
    )
    (tmp_path / "shorteners.txt").write_text("sho.rt\nrt\n", encoding="utf-8")
    (tmp_path / "risky_tlds.txt").write_text(".bank\n", encoding="utf-8")
    texts = [
        "【建设银行】请登录 examp1ebank.com 或 exanplebanc.com 或 bank-pay.bank 处理",
        "请登录 longernane.cn 或 longerrname.cn 或 lon-gername.cn 或 http://sho.rt/x 或 http://a.rt/x 处理",
        "请访问 9x9x.com 与 a9x9x.com 与 x-y.com 与 abx.cn 处理，农行提醒",
        "请访问 http://xn--e1afmkfd.com 与 http://пример.com 与 http://ïcbc.cn 处理",
    ]
    with lexicon_path(tmp_path):
        for text in texts:
            check(text, fresh=True)
        m, ntext, _ = triple(texts[0])
        links = (Link("٣٣٣٣x.com", "٣٣٣٣x.com", (0, 3), (0, 3)), Link("x٣٣٣٣.com", "x٣٣٣٣.com", (4, 9), (4, 9)))
        check_args(m, ntext, Features(links))
    for text in texts:
        check(text, fresh=True)


@given(
    st.lists(st.tuples(st.sampled_from(["", "www.", "a-"]), misspelt(), st.sampled_from(["", "-x", "1"])), max_size=4)
)
@settings(max_examples=60, deadline=None)
def test_any_spelling_prefix(labels: list[tuple[str, str, str]]) -> None:
    """The first letters a misspelling keeps, as bind is told and as the reference reads them."""
    text = "【招商银行】" + " ".join(f"http://{a}{b}{c}.com" for a, b, c in labels)
    for prefix in (0, 1, 6, 12):
        with replaced(link, _SPELLING_PREFIX=prefix):
            check(text, C.bind(**binding(reference=refuse, spelling_prefix=prefix)), fresh=True)
    lists().memo.clear()


def test_odd_calls_get_what_the_reference_gives() -> None:
    for args, kwargs in odd_calls(*triple("【招商银行】请登录 cmbchlna.com 更新"), "请登录 a.com"):
        assert outcome(link.detect, *args, **kwargs) == outcome(link.detect_reference, *args, **kwargs)


class OddLink(Link):
    pass


class Str(str):
    pass


def test_odd_records_go_to_the_reference() -> None:
    m, ntext, features = triple("【招商银行】请登录 cmbchlna.com 或 t.cn/x 更新")
    one = features.links[0]
    odd_features = [
        OddFeatures(features.links),
        Features(list(features.links)),  # type: ignore[arg-type]
        Features((OddLink(*vars_of(one)),)),
        Features((Link(Str(one.text), one.host, one.span, one.nspan),)),
        Features((Link(one.text, Str(one.host), one.span, one.nspan),)),
        Features((Link(one.text, one.host, [0, 3], one.nspan),)),  # type: ignore[arg-type]
        Features((Link(one.text, one.host, (0, 3.0), one.nspan),)),  # type: ignore[arg-type]
        Features((Link(one.text, one.host, (0, 3, 4), one.nspan),)),  # type: ignore[arg-type]
    ]
    for odd in odd_features:
        with pytest.raises(HandedToPython):
            STRICT(m, ntext, odd)
        assert outcome(link.detect, m, ntext, odd) == outcome(link.detect_reference, m, ntext, odd)
    assert STRICT(m, ntext, Features()) == [] == link.detect_reference(m, ntext, Features())


def vars_of(record: Link) -> tuple[Any, ...]:
    return (record.text, record.host, record.span, record.nspan)


def test_odd_helper_answers_go_to_the_reference() -> None:
    """A helper bound in place of the usual one answers in a shape the reference never sees from it: the C hands
    the message over before it has done anything of its own."""
    args = triple("【招商银行】请登录 cmbchlna.com 更新")
    calls: list[object] = []

    def counted(*a: Any) -> list[Signal]:
        calls.append(a)
        return link.detect_reference(*a)

    def odd_table(key: str, build: Callable[..., object]) -> tuple[str, tuple[str, ...], Callable[..., object]]:
        return (f"test-link-{key}", ("shorteners",), build)

    changes: list[dict[str, Any]] = [
        {"find_claims": lambda *a: list(link.find_claims(*a))},
        {"find_claims": lambda *a: (*link.find_claims(*a), "claim")},
        {"split": lambda host: ("", host, "")},
        {
            "list_args": odd_table(
                "namespace", lambda *e: SimpleNamespace(**{k: getattr(lists(), k) for k in link._Lists.__slots__})
            )
        },
        {"list_args": odd_table("lists-list", lambda *e: link._Lists(frozenset(), frozenset(), [], ()))},  # type: ignore[arg-type]
        {"list_args": odd_table("lists-rows", lambda *e: link._Lists(frozenset(), frozenset(), (("a", 1, True),), ()))},
        {"list_args": odd_table("lists-set", lambda *e: link._Lists(set(), frozenset(), (), ()))},  # type: ignore[arg-type]
        {"official_args": odd_table("official", lambda *e: SimpleNamespace(get=lambda k: None))},
    ]
    for change in changes:
        detector = C.bind(**binding(reference=counted, **change))
        calls.clear()
        assert detector(*args) == link.detect_reference(*args)
        assert len(calls) == 1, change


def test_odd_texts_get_what_the_reference_gives() -> None:
    """A normalized text of a subclass whose to_original gives other than a span."""

    class ListSpans(OddText):
        def to_original(self, start: int, end: int) -> Any:
            return [start, end]

    class FloatSpans(OddText):
        def to_original(self, start: int, end: int) -> Any:
            return (float(start), end)

    text = "【工商银行】您的账户异常，请登录 icbc-vip.top 处理"
    m, ntext, features = triple(text)
    for cls in (ListSpans, FloatSpans, OddText):
        odd = cls(ntext.original, ntext.text, ntext.starts, ntext.ends)
        assert outcome(link.detect, m, odd, features) == outcome(link.detect_reference, m, odd, features)


def test_errors_of_the_helpers_come_through() -> None:
    helper_errors_come_through(
        lambda name: C.bind(**binding(reference=refuse, **{name: broken})),
        ("message", "from_lexicons", "find_claims", "split", "readable", "ip_host", "numeric_label"),
        [
            triple(text)
            for text in [
                "【招商银行】请登录 a.com",
                "请访问 http://1.2.3.4/x",
                "请访问 xn--fiqs8s.com",
                "请访问 12345.com",
            ]
        ],
    )

    class Raising(OddText):
        def to_original(self, start: int, end: int) -> Any:
            raise Broken("to_original")

    m, ntext, features = triple("【工商银行】请登录 icbc-vip.top 处理")
    odd = Raising(ntext.original, ntext.text, ntext.starts, ntext.ends)
    assert outcome(STRICT, m, odd, features) == outcome(link.detect_reference, m, odd, features)


def test_helpers_are_called_as_the_reference_calls_them(monkeypatch: pytest.MonkeyPatch) -> None:
    helpers_called_as_the_reference_calls_them(
        monkeypatch,
        link,
        lambda helpers: C.bind(**binding(reference=refuse, **helpers)),
        {"split": "_split", "readable": "_readable", "find_claims": "find_claims"},
        [
            triple(text)
            for text in [
                "【招商银行】请登录 cmbchlna.com 或 www.cmbchina.com 或 xn--fiqs8s.cn 或 1.2.3.4 更新",
                "请登录 a.com 与 b.top 与 t.cn/x",
            ]
        ],
        lambda key, args, kwargs: (key, args),
    )


def test_bind_checks_its_arguments() -> None:
    bind_checks_its_arguments(
        C.bind,
        binding(),
        [
            ({"signal": int}, AttributeError),
            ({"features": 1}, TypeError),
            ({"parts": type("Parts", (), {"subdomain": "", "domain": "", "suffix": ""})}, TypeError),
            ({"list_args": link._LIST_TABLE[:2]}, TypeError),
            ({"display_args": list(_brands._DISPLAY_TABLE)}, TypeError),
            ({"plugin": b"link"}, TypeError),
            ({"memo_limit": -1}, ValueError),
            ({"spelling_prefix": "3"}, ValueError),
        ],
    )


def test_no_references_leak() -> None:
    texts = [
        "【招商银行】请登录 cmbchlna.com 或 http://t.cn/x 或 http://icbc.com.cn@evil.top 更新",
        "请访问 http://xn--fiqs8s.com 与 1.2.3.4 与 9510103.com 与 www.icbc.com.cn",
        "请登录 www.icbc.com.cn 或 ccb.com 查询",
        "",
        "您好",
    ]
    triples = [triple(text) for text in texts]
    failing = C.bind(**binding(reference=refuse, split=broken))
    handing = C.bind(**binding(find_claims=lambda *a: list(link.find_claims(*a))))

    def work() -> None:
        for i in range(200):
            lists().memo.clear()
            for t in triples:
                link.detect(*t)
                handing(*t)
            with pytest.raises(Broken):
                failing(*triples[0])
            if i % 40 == 0:  # not each time: the names bind looks up stay in the type cache a while
                C.bind(**binding())

    assert_no_leak(work)


def test_plain_inputs_are_judged_in_c() -> None:
    """Records as extraction makes them, claims as find_claims makes them: the C answers every synthetic message
    (STRICT raises where it would hand over), and a signature claim gives the same mismatch."""
    m, ntext, features = triple("【招商银行】请登录 cmbchlna.com 更新")
    signature = TextFeature("招商银行", (0, 6), (0, 6))
    odd = Features(features.links, signatures=(signature,))
    assert agree(link.detect_reference, [STRICT], m, ntext, odd)


def test_hosts_of_other_digits() -> None:
    """_IP_HOST's \\d takes any decimal digit: the C calls it for a host opening with one."""
    m, ntext, _ = triple("请访问 a.com 处理")
    hosts = ["٣.١.٢.٣", "１.2.3.4", "1.2.3.4\n", "1.2.3", "٣٣٣٣٣.com", "12345.com\n", "-1234.com", "１２３４５.com"]
    links = tuple(Link(h, h, (i, i + 1), (i, i + 1)) for i, h in enumerate(hosts))
    for one in [links, *((link_,) for link_ in links)]:
        check_args(m, ntext, Features(one))


def test_links_changed_by_the_python_called_go_to_the_reference() -> None:
    """A normalized text whose to_original gives the second link a host of a subclass of str (as only
    object.__setattr__ can): the C, which reads each link as it comes to it, hands the message over."""
    text = "【工商银行】请登录 icbc-vip.top 或 b.cn 处理"

    def made() -> tuple[Message, NormalizedText, Features]:
        m, ntext, features = triple(text)

        class Changing(OddText):
            def to_original(self, start: int, end: int) -> Any:
                object.__setattr__(features.links[-1], "host", Str(features.links[-1].host))
                return super().to_original(start, end)

        return m, Changing(ntext.original, ntext.text, ntext.starts, ntext.ends), features

    calls: list[object] = []

    def counted(*a: Any) -> list[Signal]:
        calls.append(a)
        return link.detect_reference(*a)

    assert outcome(C.bind(**binding(reference=counted)), *made()) == outcome(link.detect_reference, *made())
    assert len(calls) == 1
