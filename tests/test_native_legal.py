"""The native legal detector (smsguard_plugins._clegal) against its Python reference, legal.detect_reference: the
same signals (values, types, order) and the same exceptions for any message text and any features, and odd input
handed to the reference."""

from __future__ import annotations

import collections
import re
import types
from collections.abc import Callable, Mapping, Sequence

import native_detectors as nd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from smsguard_plugins import _cues, _evidence, legal
from smsguard_plugins._terms import Entry, TermHit

from smsguard.extract import Features, Link, TextFeature, extract
from smsguard.model import Message, Signal
from smsguard.normalize import NormalizedText

C = nd.accelerator(legal, "legal")

MESSAGE = Message("unused by the legal detector")

# The C body bound as in legal.py, and bound so that it may not hand anything to the reference.
DETECTOR = nd.KeywordDetector(legal, C)
C_ONLY, same = DETECTOR.c_only, DETECTOR.same

# Words at the edges of the C: every term of the legal and context lexicons, the posing words, the freeze pattern's
# parts, the court marks (signatures, closing court names, case numbers, channels, hosts), sentence ends and
# separators; the filler adds ASCII, full-width forms, astral characters and lone surrogates.
WORDS = sorted(
    set(nd.terms("legal_terms", "context"))
    | {
        "冒充",
        "假冒",
        "谎称",
        "伪装成",
        "冒",
        "充",
        "假",
        "谎",
        "伪装",
        "冻结",
        "冻结你的",
        "冻结您",
        "微信",
        "余额",
        "账户",
        "工资",
        "财产",
    }
    | {"法院", "人民法院", "朝阳区人民法院", "北京市朝阳区人民法院", "【", "】", "[", "]", "【某某银行】"}
    | {"（2024）京0105民初12345号", "(2023)沪01执5号", "12368", "zxgk.court.gov.cn", "court.gov.cn", "http://"}
    | {"www.court.gov.cn.example.com", "notcourt.gov.cn", " ", "\n", "。", "!", "?", "—", "-", ",", "，", "、"}
)
word_text = nd.joined(WORDS, filler=nd.FILLER)


def check_text(text: str) -> list[Signal]:
    signals: list[Signal] = same(MESSAGE, *nd.inputs(text))
    return signals


def test_the_detector_is_the_c_one() -> None:
    DETECTOR.assert_in_use()
    assert type(legal.detect) is C.Detector
    assert legal._BINDING["reference"] is legal.detect_reference
    assert legal.detect.posing_words == tuple(_cues._POSING.split("|"))
    ntext, features = nd.inputs("你的欠款已逾期，我们将提起诉讼")
    assert legal.smsguard_detect(MESSAGE, ntext, features) == legal.detect_reference(MESSAGE, ntext, features)


def test_the_synthetic_messages() -> None:
    names = nd.fired(check_text, (m.text for m in nd.synthetic_messages()))
    assert {"legal.lawsuit", "legal.term_count", "legal.case_number", "legal.court_signature"} <= names


# Written for these tests: each takes a branch of the detector (a scare term, a posing word before a threat, a
# threat inside a signature, the freeze pattern, a closing court name, court channels and hosts, a news framing).
HAND_WRITTEN = [
    "你的网贷已逾期，将被纳入失信被执行人名单并限制高消费，子女上学也会受影响。",
    "您涉嫌洗钱，逮捕令已下发，请配合调查。",
    "有人冒充公安机关要求转账，您的欠款请自行核实。",
    "【某市公安局】提醒您：谨防冒充客服诈骗。",
    "【朝阳区人民法院】您好，（2024）京0105民初12345号案件已受理，请登录12368或 zxgk.court.gov.cn 查询。",
    "您的欠款再不处理，将冻结你的微信和支付宝余额，冻结您名下财产。",
    "请按传票时间到庭。\n上海市浦东新区人民法院",
    "您的欠款已逾期，我们将起诉您，并上门外访。——朝阳区人民法院 。",
    "【法治快讯】某公司被起诉，法院已立案。",
    "您好，请登录court.gov.cn、court.gov.cn和 www.court.gov.cn 查看，法院专递已寄出。",
    "你的信用记录将受影响，请尽快还款，以免影响征信。",
    "请按时到庭。朝阳区人民法院" + "!" * 30,  # the closing name further back than the window
    "请按时到庭。朝阳区人民法院" + "!" * 10,
    "",
]


def test_hand_written_messages() -> None:
    names = nd.fired(check_text, HAND_WRITTEN)
    assert {f"legal.{kind}" for kind in ("scare_only", "enforcement", "court_channel", "blacklist")} <= names


@given(word_text | nd.any_text())
@settings(max_examples=600, deadline=None)
def test_any_text(text: str) -> None:
    check_text(text)


HELPERS = (
    "resolve_overlaps",
    "inside",
    "impersonated",
    "context_of",
    "reader_directed",
    "by_kind",
    "make_signal",
    "span_signal",
    "phrases",
    "occurrences",
)


def test_the_helpers_are_called_as_the_reference_calls_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same calls of the shared helpers, in the same order, with equal arguments."""
    texts = [*HAND_WRITTEN, "【某银行】您的欠款已逾期，将起诉", "【起诉】你的欠款已逾期，冒充公安起诉你"]
    nd.helpers_called_as_the_reference_calls_them(
        monkeypatch,
        legal,
        lambda recorders: DETECTOR.bind(**recorders, reference=nd.refuse),
        {name: name for name in HELPERS},
        [(MESSAGE, *nd.inputs(text)) for text in texts],
        lambda name, args, kwargs: (name, repr((args, sorted(kwargs.items())))),
    )


@pytest.mark.parametrize(
    "pattern",
    [
        _cues.POSING_WORD,
        re.compile("冒充|假冒"),
        re.compile("冒.充|假冒"),
        re.compile("冒充|假冒", re.IGNORECASE),
        re.compile("(?:冒充)"),
        re.compile("冒充|"),
    ],
)
def test_the_posing_words(pattern: re.Pattern[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A posing pattern of plain words is tested as its words, any other is searched: the same threats either way."""
    bound = DETECTOR.bind(posing=pattern, reference=nd.refuse)
    plain = pattern.flags == re.UNICODE and all(w and w.isalnum() for w in pattern.pattern.split("|"))
    assert bound.posing_words == (tuple(pattern.pattern.split("|")) if plain else None)
    monkeypatch.setattr(legal, "POSING_WORD", pattern)
    for before in ("", "冒", "冒充", "假 冒", "伪装", "伪装成", "冒x充", "有人谎称"):
        for after in ("", "公安", "，"):
            text = f"你的欠款已逾期，{before}{after}将起诉你并申请强制执行"
            nd.agree(legal.detect_reference, [bound], MESSAGE, *nd.inputs(text))


def records(text: str) -> st.SearchStrategy[Features]:
    """Features unlike extraction's: records anywhere, spans in any order or out of range, values of any words."""
    n = len(text) + 3
    spans = st.tuples(st.integers(-2, n), st.integers(-2, n))
    values = st.sampled_from(WORDS) | word_text
    features = st.builds(TextFeature, value=values, span=spans, nspan=spans)
    hosts = st.sampled_from(["court.gov.cn", "zxgk.court.gov.cn", "acourt.gov.cn", "court.gov.cn.x", "a.b", ""])
    links = st.builds(Link, text=st.just("x"), host=hosts, span=spans, nspan=spans)
    small = {"max_size": 3}
    return st.builds(
        Features,
        links=st.lists(links, **small).map(tuple),
        signatures=st.lists(features, **small).map(tuple),
        case_numbers=st.lists(features, **small).map(tuple),
    )


@st.composite
def made_up(draw: st.DrawFn) -> tuple[NormalizedText, Features]:
    text = draw(word_text)
    ntext = nd.NORMALIZER.normalize(text)
    features = draw(records(ntext.text)) if draw(st.booleans()) else extract(ntext)
    if draw(st.booleans()):
        # an offset map of about the text's length, sometimes too short (the reference raises IndexError)
        numbers = st.lists(st.integers(0, len(text)), min_size=max(0, len(ntext.text) - 2), max_size=len(text) + 2)
        ntext = NormalizedText(text, ntext.text, tuple(draw(numbers)), tuple(draw(numbers)))
    return ntext, features


@given(made_up())
@settings(max_examples=500, deadline=None)
def test_made_up_features_and_offset_maps(case: tuple[NormalizedText, Features]) -> None:
    same(MESSAGE, *case)


def test_empty_and_long_texts() -> None:
    assert check_text("") == []
    assert len(check_text(nd.long_text())) > 3
    assert check_text("冻结你的余额。" * 15_000)


def test_odd_input_goes_to_the_reference() -> None:
    ntext = nd.NORMALIZER.normalize("【北京市朝阳区人民法院】您的欠款已逾期，我们将起诉您。")
    features = extract(ntext)
    assert features.signatures
    signature = features.signatures[0]
    odd_features = [
        Features(signatures=list(features.signatures)),  # type: ignore[arg-type]
        Features(signatures=(nd.OddFeature(signature.value, signature.span, signature.nspan),)),
        Features(signatures=(TextFeature(1, (0, 1), (0, 1)),)),  # type: ignore[arg-type]
        Features(case_numbers=(TextFeature(None, (0, 1), (0, 1)),)),  # type: ignore[arg-type]
        Features(links=(Link("x", None, (0, 1), (0, 1)),)),  # type: ignore[arg-type]
        Features(links=(signature,)),  # type: ignore[arg-type]
        None,
        "features",
    ]
    for odd in odd_features:
        with pytest.raises(nd.HandedToPython):
            C_ONLY(MESSAGE, ntext, odd)
        same(MESSAGE, ntext, odd, c_only=False)
    for odd_text in (nd.OddText(ntext.original, ntext.text), NormalizedText(ntext.original, None), None, "text"):
        with pytest.raises(nd.HandedToPython):
            C_ONLY(MESSAGE, odd_text, features)
        same(MESSAGE, odd_text, features, c_only=False)
    for args, kwargs in (
        ((MESSAGE, ntext), {}),
        ((MESSAGE, ntext, features, 1), {}),
        ((MESSAGE, ntext), {"features": features}),
    ):
        with pytest.raises(nd.HandedToPython):
            C_ONLY(*args, **kwargs)
    for args, kwargs in [((MESSAGE, ntext, features, 1), {}), *nd.odd_calls(MESSAGE, ntext, features, ntext.text)]:
        assert nd.outcome(legal.detect, *args, **kwargs) == nd.outcome(legal.detect_reference, *args, **kwargs)


def test_an_odd_term_read_goes_to_the_reference() -> None:
    ntext = nd.NORMALIZER.normalize("您的欠款已逾期，我们将起诉您。")
    entry = Entry("起诉", "legal_terms", "lawsuit", (), "")
    for read in nd.odd_reads(entry, kind=1):
        bound = DETECTOR.bind(reference=nd.refuse, read=lambda _, r=read: r)
        with pytest.raises(nd.HandedToPython):
            bound(MESSAGE, ntext, extract(ntext))

    def broken(_: object) -> object:
        raise KeyError("read")

    with pytest.raises(KeyError, match="read"):
        DETECTOR.bind(read=broken)(MESSAGE, ntext, extract(ntext))


def test_bind_checks_its_objects() -> None:
    nd.bind_checks_its_arguments(
        C.bind,
        legal._BINDING,
        [
            ({"features": 1}, (TypeError, AttributeError)),
            ({"threats": []}, (TypeError, AttributeError)),
            ({"term_hit": str}, (TypeError, AttributeError)),
            ({"normalized_text": int}, (TypeError, AttributeError)),  # int has no slot "text"
            ({"court_tail_window": -1}, ValueError),
        ],
    )
    with pytest.raises(TypeError):
        C.Detector()  # type: ignore[call-arg]


def test_no_references_leak() -> None:
    cases = [nd.inputs(text) for text in [*HAND_WRITTEN, "冻结你的余额，起诉你", "法院"]]
    bad_map = NormalizedText("起诉你", "起诉你", (0,), (0,))
    calls: list[nd.LeakCall] = [(legal.detect, (MESSAGE, *case), None) for case in cases]
    calls.append((legal.detect, (MESSAGE, cases[0][0], None), AttributeError))  # handed to the reference
    calls.append((lambda: legal.detect(MESSAGE, bad_map, extract(bad_map)), (), IndexError))
    nd.assert_calls_leak_nothing(calls, 300)


# --- the C's own pre-checks: the court tail, the posing words, 冻结, by_kind's grouping -----------------------------

# Every character re's \s matches in a str (the court tail pattern's trailing class holds \s . 。 !), and characters
# that look like them but are not in the class.
SPACES = "".join(chr(c) for c in range(0x110000) if re.fullmatch(r"\s", chr(c)))
NOT_TAIL = "！？．｡\u200b\ufeff\u180e\u2060_"
TAIL = SPACES + ".。!"
assert "\x1c" in SPACES and "\u3000" in SPACES and "\x85" in SPACES and "\u200b" not in SPACES


def raw(text: str, features: Features | None = None) -> list[Signal]:
    """The detector on ``text`` as the normalized text itself (normalization would fold some spaces)."""
    ntext = NormalizedText(text, text)
    signals: list[Signal] = same(MESSAGE, ntext, extract(ntext) if features is None else features)
    return signals


def court_names() -> st.SearchStrategy[str]:
    """A name of 0 to 18 Han characters (the pattern takes 2 to 16), then all, part or none of 人民法院."""
    han = st.text(st.sampled_from("朝阳区北京市人民法院海淀"), max_size=18)
    ending = st.sampled_from(["人民法院", "民法院", "法院", "院", "人民法", "", "人民法院院", "人民 法院"])
    return st.tuples(han, ending).map("".join)


@st.composite
def court_tails(draw: st.DrawFn) -> str:
    before = draw(st.text(st.sampled_from("。!?—- \n\t你好x") | st.sampled_from(SPACES), max_size=40))
    tail = draw(st.text(st.sampled_from(TAIL + NOT_TAIL), max_size=8))
    after = draw(st.sampled_from(["", "", "x", "院", "人民法院"]))
    return before + draw(court_names()) + tail + after


@given(court_tails())
@settings(max_examples=800, deadline=None)
def test_the_court_tail_pre_check(text: str) -> None:
    raw(text)
    raw("请按时到庭，否则将依法起诉你。" + text)


def test_the_court_tail_after_every_trailing_character() -> None:
    fired = {"legal.court_signature"}
    for c in TAIL:
        for tail in (c, c * 3, c + "。" + c):
            assert {s.name for s in raw("请按时到庭。朝阳区人民法院" + tail)} == fired, hex(ord(c))
    for c in NOT_TAIL:
        assert not raw("请按时到庭。朝阳区人民法院" + c)
    for text in ("人民法院", "区人民法院", "。人民法院", "朝阳区人民法院", " 朝阳区人民法院", "。法院", "人民法院 x"):
        for tail in ("", " ", ".。! \u3000"):
            raw(text + tail)
            raw("请按时到庭。" + text + tail)
    # the closing name at the window's edge and beyond it; the strip reaching the start of the text
    for pad in range(20, 40):
        raw("请按时到庭。朝阳区人民法院" + " " * pad)
        raw("。" + "朝" * pad + "人民法院")
    raw(TAIL * 3)
    raw("人民法院" + TAIL)


# Characters whose bit (c % 64) is one of the posing words' first characters' but are not them.
POSING_WORDS = tuple(_cues._POSING.split("|"))
LOOKALIKES = "".join(chr(ord(w[0]) + 64 * k) for w in POSING_WORDS for k in (-2, -1, 1, 2))


@given(
    nd.joined(
        [*POSING_WORDS, *(w[:-1] for w in POSING_WORDS), *(w[1:] for w in POSING_WORDS), "起诉你", "冻结"],
        filler=LOOKALIKES + "x冒假谎伪充装成\ud800\U0001f600",
    )
)
@settings(max_examples=400, deadline=None)
def test_the_posing_words_scan(text: str) -> None:
    raw("你的欠款已逾期，" + text + "，将起诉你并申请强制执行")
    raw(text + "将起诉你")


def test_the_posing_words_at_the_edges() -> None:
    assert legal.detect.posing_words == POSING_WORDS
    for word in POSING_WORDS:
        for text in (word, word + "将起诉你", "将起诉你" + word, "将起诉你" + word[:-1], word[0] * 3 + "将起诉你"):
            raw(text)
            raw(text.encode("latin-1", "replace").decode("latin-1"))
            raw(text + "\U0001f600")
    for c in LOOKALIKES:
        raw(c + "将起诉你" + c)


@given(nd.joined(["冻结", "冻", "结", "冻结你的余额", "冻冻结", "结冻", "冻结您"], filler="x余额\U0001f600\ud800"))
@settings(max_examples=300, deadline=None)
def test_the_freeze_pre_check(text: str) -> None:
    raw(text)
    raw("你的欠款已逾期，将" + text)


def test_the_freeze_at_the_edges() -> None:
    for text in ("冻", "结", "冻结", "结冻", "冻冻", "冻x结", "x冻", "冻结你的余额", "冻冻结您账户", "冻\U0001f600结"):
        raw(text)
        raw(text * 3)


@pytest.mark.parametrize(
    "grouping",
    [dict, types.MappingProxyType, collections.OrderedDict, lambda d: collections.Counter(d)],
)
def test_by_kind_of_any_mapping(grouping: Callable[[dict[str, list[TermHit]]], Mapping[str, list[TermHit]]]) -> None:
    """A by_kind that gives a mapping other than a dict: its items are read as the reference reads them."""

    def grouped(hits: Sequence[TermHit]) -> Mapping[str, list[TermHit]]:
        return grouping(_evidence.by_kind(hits))

    bound = DETECTOR.bind(by_kind=grouped, reference=nd.refuse)
    with nd.replaced(legal, by_kind=grouped):
        for text in HAND_WRITTEN:
            nd.agree(legal.detect_reference, [bound], MESSAGE, *nd.inputs(text))


def test_no_court_links_and_court_links() -> None:
    ntext = nd.NORMALIZER.normalize("请登录网站查询，将起诉你。朝阳区人民法院")
    for links in ((), (Link("x", "a.b", (0, 1), (0, 1)),), (Link("x", "zxgk.court.gov.cn", (0, 1), (2, 3)),)):
        raw(ntext.text, Features(links=links))


def test_another_court_tail_pattern_gets_the_references_pre_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """The end-of-text pre-check is written for legal._COURT_TAIL; an edited pattern must not be skipped by it."""
    edited = re.compile(r"(?:\A|[。!?\s—-])([\u4e00-\u9fff]{2,16}(?:人民|中级)法院)[\s.。!]*\Z")
    bound = DETECTOR.bind(court_tail=edited, reference=nd.refuse)
    monkeypatch.setattr(legal, "_COURT_TAIL", edited)
    for court in ("朝阳区人民法院", "某某市中级法院", "某某市中级法院。", "某某法院"):
        text = f"请按时到庭，否则将依法起诉你。{court}"
        nd.agree(legal.detect_reference, [bound], MESSAGE, *nd.inputs(text))
    assert {s.name for s in bound(MESSAGE, *nd.inputs("请按时到庭。某某市中级法院"))} >= {"legal.court_signature"}
