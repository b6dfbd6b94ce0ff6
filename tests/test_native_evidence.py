"""The native evidence helpers (smsguard_plugins._cevidence) against their Python references in
plugins/_evidence.py and plugins/_cues.py: the same signals, groups, counts and cues, the same exceptions, and
the same cache of the reader context, for any input."""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from native_support import missing_accelerator
from smsguard_plugins import (
    _cues,
    _evidence,
    collector,
    credential,
    harassment,
    legal,
    link,
    payment,
    scripts,
    sender,
    specificity,
    urgency,
)
from smsguard_plugins._terms import Entry, TermHit

from smsguard.extract import extract
from smsguard.model import Message, Signal
from smsguard.normalize import SEPARATOR_CHARS, NormalizedText, default_normalizer

if _evidence._native is None or _cues._native is None:
    missing_accelerator("evidence")

from smsguard_plugins import _cevidence as C

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synth import Generator

REFERENCE: dict[str, Callable[..., Any]] = {**_evidence.REFERENCE, **_cues.REFERENCE}
DETECTORS: tuple[ModuleType, ...] = (
    collector,
    credential,
    harassment,
    legal,
    link,
    payment,
    scripts,
    sender,
    specificity,
    urgency,
)
NORMALIZER = default_normalizer()
# Term sets whose hits overlap across kinds and lexicons (the collectors' also find wedged names).
TERM_SETS = (_cues.CONTEXT_TERMS, legal._TERMS, collector._TERMS, payment._TERMS, credential._TERMS)

# Characters at the edges of the C: every word of the cues, the clause and sentence ends (。!?;\n,， and the
# enumeration comma, which ends no governed clause), separators and full-width forms that give an offset map,
# lexicon words, ASCII, astral characters and lone surrogates.
CUE_WORDS = "".join(
    [
        _cues._NEGATORS,
        _cues._FAR_NEGATORS,
        _cues._CLAUSE_DENIALS,
        _cues._DENIED_ASKS,
        _cues._POSING,
        _cues._COPULAS,
        _cues._FRAUD_WORDS,
        _cues._WARNING_CHARS,
    ]
).replace("|", "")
EDGE = (
    "".join(sorted(set(CUE_WORDS)))
    + "。!?;\n,，、.：:"
    + SEPARATOR_CHARS
    + "ＡＢ１２，。！？　"
    + "您你请欠款逾期还款起诉法院失信被执行人纳入律师函上门公安拘留征信修复验证码密码转账安全账户快讯"
    + "永x雄资产信用管理有限公司律师事务所调解中心法务部"
    + "abc12368 \t"
    + "\U00020000\U0001f600\ufffd\ud800\udfff"
)
edge_text = st.text(st.sampled_from(EDGE), max_size=80)
# Texts made of whole cue words, so that the patterns' parts meet in every order.
CUE_WORD_LIST = sorted(
    {
        word
        for words in (
            _cues._NEGATORS,
            _cues._FAR_NEGATORS,
            _cues._CLAUSE_DENIALS,
            _cues._DENIAL,
            _cues._DENIED_ASKS,
            _cues._POSING,
            _cues._COPULAS,
            _cues._FRAUD_WORDS,
        )
        for word in words.split("|")
    }
    | set("。!?;\n,，、骗冒 x")
    | {"验证码", "转账", "您"}
)
cue_text = st.lists(st.sampled_from(CUE_WORD_LIST), max_size=25).map("".join)
any_text = st.text(st.characters(exclude_categories=()), max_size=60)
KINDS = ("lawsuit", "filing", "blacklist", "address", "debt", "framing", "request", "k")


class HandedToPython(Exception):
    """The C code passed an input on to its Python reference."""


def _refuse(*args: object, **kwargs: object) -> object:
    raise HandedToPython


def _bind(evidence: dict[str, Callable[..., object]], cues: dict[str, Callable[..., object]]) -> None:
    C.bind_evidence(Signal, NormalizedText, TermHit, Entry, _evidence._PLUGIN_OF, _evidence.FUZZY_CONFIDENCE, evidence)
    C.bind_cues(vars(_cues), cues)


@contextmanager
def c_only() -> Iterator[None]:
    """Within, a C function that hands its input to the Python reference raises HandedToPython."""
    _bind(dict.fromkeys(_evidence.REFERENCE, _refuse), dict.fromkeys(_cues.REFERENCE, _refuse))
    try:
        yield
    finally:
        _bind(dict(_evidence.REFERENCE), dict(_cues.REFERENCE))


def shape(x: object) -> object:
    """What must be equal between the two results: values with their types, hits by identity, dict order."""
    if isinstance(x, Signal):
        return ("Signal", x.name, shape(x.value), shape(x.confidence), shape(x.spans), shape(x.detail), x.plugin)
    if isinstance(x, TermHit):
        return ("hit", id(x))
    if isinstance(x, dict):
        return ("dict", type(x).__name__, [(shape(k), shape(v)) for k, v in x.items()])
    if isinstance(x, list | tuple):
        return (type(x).__name__, [shape(v) for v in x])
    return (type(x).__name__, x)


def outcome(f: Callable[..., object], /, *args: object, **kwargs: object) -> object:
    try:
        return ("ok", shape(f(*args, **kwargs)))
    except HandedToPython:
        raise
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc))


def same(name: str, /, *args: object, **kwargs: object) -> object:
    """The C function ``name`` and its reference agree on the arguments; returns the outcome."""
    if name == "context_of":
        _cues._CONTEXT_LAST[0] = None
    ours = outcome(getattr(C, name), *args, **kwargs)
    if name == "context_of":
        _cues._CONTEXT_LAST[0] = None
    reference = outcome(REFERENCE[name], *args, **kwargs)
    assert ours == reference, name
    return ours


def same_fresh(name: str, make: Callable[[], tuple[object, ...]]) -> None:
    """Like :func:`same`, with the arguments made anew for each side (an iterator is used up by the first)."""
    assert outcome(getattr(C, name), *make()) == outcome(REFERENCE[name], *make()), name


def scan_hits(text: str) -> list[TermHit]:
    """The hits of several term sets in one list, in the order the scan hands them out."""
    hits = [h for ts in TERM_SETS for h in ts.find(text)]
    hits.sort(key=lambda h: (h.start, -h.end))
    return hits


def check_helpers(ntext: NormalizedText, hits: list[TermHit], nspans: Sequence[tuple[int, int]] = ()) -> None:
    """Every helper on the hits of one text, in the ways the detectors call them."""
    t = ntext.text
    same("by_kind", hits)
    same("resolve_overlaps", hits)
    same("occurrences", hits)
    same("phrases", t, hits)
    same("make_signal", "legal.lawsuit", ntext, hits)
    same("make_signal", "legal.scare_only", ntext, hits[:1], value="x", confidence=0.5)
    same("make_signal", "urgency.level", ntext, hits, nspans=list(nspans), value=3)
    same("make_signal", "urgency.deadline", ntext, nspans=list(nspans[:1]), value="v", detail="")
    same("make_signal", "collector.lender", ntext, hits[1:3], nspans=tuple(nspans), detail="d")
    same("make_signal", "specificity.official_channel", ntext, (), nspans=list(nspans))
    for span in nspans:
        same("span_signal", "specificity.amount", ntext, span, 12.5, "detail")
    signatures = sorted({(h.start, h.end) for h in hits[::3]})
    for h in hits:
        same("inside", h, signatures)
        same("negated", t, h.start, h.end)
        same("impersonated", t, h.start)
    same("reader_directed", {kind: list(group) for kind, group in resolve_groups(hits).items()})


def resolve_groups(hits: list[TermHit]) -> dict[str, list[TermHit]]:
    return REFERENCE["by_kind"](REFERENCE["resolve_overlaps"](hits))  # type: ignore[no-any-return]


def test_the_helpers_are_the_c_ones() -> None:
    for name in REFERENCE:
        module = _evidence if name in _evidence.REFERENCE else _cues
        assert getattr(module, name) is getattr(C, name), name
        assert type(getattr(C, name)).__name__ == "builtin_function_or_method"
    assert legal.make_signal is C.make_signal and legal.context_of is C.context_of
    assert credential.negated is C.negated and _cues.by_kind is C.by_kind


def _messages() -> list[Message]:
    return [Message(m.text, m.sender or None) for m in Generator(7).messages(3000)]


def _signals(detectors: Sequence[ModuleType], messages: list[Message]) -> list[object]:
    out: list[object] = []
    for m in messages:
        ntext = NORMALIZER.normalize(m.text)
        features = extract(ntext)
        for d in detectors:
            out.append(shape(list(d.smsguard_detect(m, ntext, features) or ())))
    return out


def test_the_detectors_give_the_same_signals_on_the_synthetic_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    messages = _messages()
    with c_only():  # the detectors' inputs all take the C path
        ours = _signals(DETECTORS, messages)
    for module in (*DETECTORS, _cues):
        for name, function in REFERENCE.items():
            if getattr(module, name, None) is getattr(C, name):
                monkeypatch.setattr(module, name, function)
    assert _signals(DETECTORS, messages) == ours


def test_the_helpers_on_the_synthetic_messages() -> None:
    with c_only():
        for m in _messages():
            ntext = NORMALIZER.normalize(m.text)
            features = extract(ntext)
            spans = [a.nspan for a in features.amounts] + [p.nspan for p in features.phones]
            check_helpers(ntext, scan_hits(ntext.text), spans)
            same("context_of", ntext)


@given(edge_text | any_text, st.lists(st.tuples(st.integers(0, 90), st.integers(0, 90)), max_size=4))
@settings(max_examples=400)
def test_the_helpers_on_any_text(text: str, nspans: list[tuple[int, int]]) -> None:
    ntext = NORMALIZER.normalize(text)
    check_helpers(ntext, scan_hits(ntext.text), nspans)
    same("context_of", ntext)


@given(edge_text)
@settings(max_examples=300)
def test_within_the_text_the_c_code_answers(text: str) -> None:
    ntext = NORMALIZER.normalize(text)
    n = len(ntext.text)
    with c_only():
        check_helpers(ntext, scan_hits(ntext.text), [(0, n), (n // 2, n), (0, 0)] if n else [(0, 0)])
        for start in range(n + 2):
            same("negated", ntext.text, start, start + 1)
            same("impersonated", ntext.text, start)


def term_hits() -> st.SearchStrategy[TermHit]:
    entries = st.builds(
        Entry,
        term=st.sampled_from(["起诉", "失信", "失信被执行人", "你", "x"]),
        lexicon=st.just("legal_terms"),
        kind=st.sampled_from(KINDS),
        attrs=st.just(()),
        source=st.just(""),
    )
    return st.builds(
        lambda e, start, length, fuzzy: TermHit(e, start, start + length, fuzzy),
        entries,
        st.integers(0, 40),
        st.integers(0, 8),
        st.booleans(),
    )


def offset_maps(original: str, text: str) -> st.SearchStrategy[tuple[tuple[int, ...], tuple[int, ...]] | None]:
    """The identity, or starts and ends of about the text's length (sometimes too short: IndexError)."""
    n = len(text)
    numbers = st.lists(st.integers(0, len(original)), min_size=max(0, n - 2), max_size=n + 2)
    return st.none() | st.tuples(numbers.map(tuple), numbers.map(tuple))


@st.composite
def synthetic(draw: st.DrawFn) -> tuple[NormalizedText, list[TermHit], list[tuple[int, int]]]:
    text = draw(edge_text)
    original = draw(st.text(st.sampled_from("ab 起诉"), max_size=60))
    mapping = draw(offset_maps(original, text))
    ntext = NormalizedText(original, text, *(mapping or (None, None)))
    hits = draw(st.lists(term_hits(), max_size=12))
    if draw(st.booleans()):
        hits.sort(key=lambda h: (h.start, -h.end))
    nspans = draw(st.lists(st.tuples(st.integers(0, 70), st.integers(0, 70)), max_size=4))
    return ntext, hits, nspans


@given(synthetic())
@settings(max_examples=500)
def test_synthetic_hits_and_offset_maps(case: tuple[NormalizedText, list[TermHit], list[tuple[int, int]]]) -> None:
    ntext, hits, nspans = case
    check_helpers(ntext, hits, nspans)
    for name in ("by_kind", "resolve_overlaps", "occurrences"):
        same(name, tuple(hits))
    same("make_signal", "x", ntext, tuple(hits), nspans=tuple(nspans), confidence=1)


@given(edge_text | any_text, st.integers(-3, 100), st.integers(-3, 130))
@settings(max_examples=500)
def test_cues_at_any_position(text: str, start: int, end: int) -> None:
    same("negated", text, start, end)
    same("impersonated", text, start)


@given(cue_text)
@settings(max_examples=300)
def test_cues_on_texts_of_cue_words(text: str) -> None:
    with c_only():
        for start in range(len(text) + 2):
            same("impersonated", text, start)
            for end in (start, start + 1, start + 2, start + 4):
                same("negated", text, start, end)


def test_cues_at_the_edges_of_their_windows() -> None:
    """Each cue word at every distance before a term and each warning at every distance after it."""
    before = [*CUE_WORD_LIST, "不会要求", "不会让你"]
    with c_only():
        for gap in range(45):
            for word in before:
                for filler in ("x" * gap, "x" * (gap - 1) + "、", "x" * (gap - 1) + "，"):
                    text = f"{word}{filler}验证码"
                    start = len(text) - 3
                    same("negated", text, start, start + 3)
                    same("impersonated", text, start)
                text = f"不会{'x' * gap}{word}验证码"
                same("negated", text, len(text) - 3, len(text))
            for copula in _cues._COPULAS.split("|"):
                for fraud in _cues._FRAUD_WORDS.split("|"):
                    for filler in ("x" * gap, "。" + "x" * gap, "x" * gap + "，"):
                        text = f"验证码{filler}{copula}{fraud}"
                        same("negated", text, 0, 3)
                        same("negated", text, 0, len(text) + 1)


@given(
    st.dictionaries(
        st.sampled_from(["debt", "address", "request", "framing", "other"]),
        st.lists(st.just(TermHit(Entry("你", "context", "address", (), ""), 0, 1)), max_size=2)
        | st.sampled_from([0, 1, "", "x", None]),
    )
)
def test_reader_directed_on_any_grouping(grouped: dict[str, object]) -> None:
    same("reader_directed", grouped)


def test_empty_and_long_texts() -> None:
    for text in ["", "。", "请勿", "冒充"]:
        ntext = NORMALIZER.normalize(text)
        check_helpers(ntext, scan_hits(ntext.text), [(0, len(text))])
        same("context_of", ntext)
    parts = [m.text for m in Generator(11).messages(2500)]
    long = "".join(parts)[:100_000]
    assert len(long) == 100_000
    ntext = NORMALIZER.normalize(long)
    hits = scan_hits(ntext.text)
    assert len(hits) > 1000
    with c_only():
        check_helpers(ntext, hits[:300], [(0, len(ntext.text)), (5, 90)])
        for name in ("by_kind", "resolve_overlaps", "occurrences"):
            same(name, hits)
        same("phrases", ntext.text, hits)
        same("make_signal", "legal.lawsuit", ntext, hits)
        same("context_of", ntext)


class Other(TermHit):
    pass


def test_odd_inputs_get_what_the_reference_gives() -> None:
    ntext = NORMALIZER.normalize("您的欠 款已逾期，我们将起 诉您")
    assert ntext.starts is not None
    hit = TermHit(Entry("起诉", "legal_terms", "lawsuit", (), ""), 12, 14)
    entry = Entry("起诉", "legal_terms", "lawsuit", (), "")
    odd_hits: list[object] = [
        [hit, None],
        [("e", 1, 2, False)],
        [Other(entry, 1, 3)],
        [TermHit(entry, True, 3)],
        [TermHit(entry, -1, 3)],
        [TermHit(entry, 2**70, 2**71)],
        [TermHit(entry, 3, 1)],
        [TermHit(Entry(1, "l", "k", (), ""), 1, 2)],  # type: ignore[arg-type]
        [TermHit(Entry("t", "l", ["k"], (), ""), 1, 2)],  # type: ignore[arg-type]
        [TermHit(entry, 1, 2, 1)],  # type: ignore[arg-type]
        None,
        "ab",
        [],
    ]
    for hits in odd_hits:
        listed = list(hits) if isinstance(hits, list) else hits
        for name in ("by_kind", "resolve_overlaps", "occurrences"):
            same(name, listed)
        same("phrases", ntext.text, listed)
        same("make_signal", "legal.lawsuit", ntext, listed)
        same("make_signal", "legal.lawsuit", ntext, listed, nspans=[(1, 2)])
    for name in ("by_kind", "resolve_overlaps", "occurrences"):
        same_fresh(name, lambda: (iter([hit]),))
        same_fresh(name, lambda: ((h for h in [hit, hit]),))
    same_fresh("phrases", lambda: (ntext.text, iter([hit])))
    same_fresh("make_signal", lambda: ("legal.x", ntext, iter([hit])))
    for nspans in ([(1, 2, 3)], [[1, 2]], [(1,)], [(True, 2)], [(-1, 2)], [(40, 41)], [(40, 40)], [(2**65, 1)], None):
        same("make_signal", "legal.x", ntext, nspans=nspans)
        same("make_signal", "legal.x", ntext, [hit], nspans=nspans)
        same("make_signal", "legal.x", NORMALIZER.normalize("plain"), nspans=nspans)
    for nspan in ((1, 2), [1, 2], (1, 2, 3), (1,), (40, 41), (-2, 1), "ab", None, (1.0, 2)):
        same("span_signal", "legal.x", ntext, nspan, True, "")
    for spans in ([(0, 20)], [[0, 20]], [(0,)], [(0, 20), None], ((0, 20),), [], None, [("a", "b")]):
        same("inside", hit, spans)
    same("inside", ("x", 1, 2), [(0, 5)])
    # the arguments themselves: missing, extra, keywords, wrong types
    same("make_signal")
    same("make_signal", "legal.x")
    same("make_signal", "legal.x", ntext, [hit], [])
    same("make_signal", "legal.x", ntext, [hit], hits=[hit])
    same("make_signal", name="legal.x", ntext=ntext, hits=[hit], detail="d")
    same("make_signal", "legal.x", ntext, [hit], colour="red")
    same("make_signal", 1, ntext, [hit])
    same("make_signal", "nodot", ntext, [hit])
    same("make_signal", "legal.x", "text", [hit])
    same("make_signal", "legal.x", ntext, [hit._replace(fuzzy=True)], confidence=2)
    same("make_signal", "legal.x", ntext, [hit._replace(fuzzy=True)], confidence="x")
    same("span_signal", "legal.x", ntext, nspan=(1, 2), value=True, detail="")
    same("span_signal", "legal.x", ntext, (1, 2), True)
    same("by_kind", hits=[hit])
    same("by_kind")
    same("resolve_overlaps", [hit], [hit])
    same("negated", "请勿", 0)
    same("negated", "请勿泄露", True, 3)
    same("negated", b"abc", 1, 2)
    same("negated", "abc", 2**70, 1)
    same("impersonated", None, 1)
    same("impersonated", "冒充公安", 2**64)
    same("reader_directed", {1: [], "debt": []})
    same("reader_directed", [("debt", [hit])])
    same("context_of", "not a text")
    same("context_of")


def test_plugin_names_are_cached_as_in_python() -> None:
    ntext = NORMALIZER.normalize("abc")
    for name in ("zz_new.signal", "zz_nodot_signal"):
        _evidence._PLUGIN_OF.pop(name, None)
        signal = C.span_signal(name, ntext, (0, 1), True, "")
        assert _evidence._PLUGIN_OF[name] == signal.plugin == name.partition(".")[0]


def test_the_context_is_read_once_per_message() -> None:
    first = NORMALIZER.normalize("尊敬的客户您好，您的欠款已逾期")
    second = NORMALIZER.normalize("今日快讯：某公司被起诉")
    _cues._CONTEXT_LAST[0] = None
    grouped = C.context_of(first)
    assert C.context_of(first) is grouped
    assert REFERENCE["context_of"](first) is grouped  # the one cache, shared with the Python version
    last = _cues._CONTEXT_LAST[0]
    assert last is not None and last[1] is grouped and last[0] is _cues.CONTEXT_TERMS.read(first)[1]
    assert set(grouped) == {"address", "debt"}
    other = C.context_of(second)
    assert other is not grouped and C.context_of(second) is other
    assert shape(other) == shape(
        REFERENCE["by_kind"](REFERENCE["resolve_overlaps"](_cues.CONTEXT_TERMS.read(second)[1]))
    )


def test_no_references_leak() -> None:
    ntext = NORMALIZER.normalize("您的欠 款已逾期，我们将起 诉您，请勿泄露验证码，冒充公安")
    hits = scan_hits(ntext.text)
    assert len(hits) > 3

    def work() -> None:
        for _ in range(2000):
            C.make_signal("legal.x", ntext, hits, nspans=[(1, 3)], value=3)
            C.make_signal("legal.x", ntext, hits[:1])
            C.span_signal("legal.x", ntext, (1, 3), True, "")
            C.by_kind(hits)
            C.resolve_overlaps(hits)
            C.occurrences(hits)
            C.phrases(ntext.text, hits)
            C.inside(hits[0], [(0, 5), (6, 9)])
            C.negated(ntext.text, 20, 23)
            C.impersonated(ntext.text, 30)
            C.reader_directed({"address": hits})
            _cues._CONTEXT_LAST[0] = None
            C.context_of(ntext)
            C.by_kind(iter(hits))  # handed to the reference
            with suppress(IndexError):
                C.make_signal("legal.x", ntext, [hits[0]], nspans=[(90, 91)])

    work()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        work()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 50_000  # a leaked object per call would be megabytes
