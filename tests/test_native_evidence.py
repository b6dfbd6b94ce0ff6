"""The native evidence helpers (smsguard_plugins._cevidence) against their Python references in
plugins/_evidence.py and plugins/_cues.py: the same signals, groups, counts and cues, the same exceptions, and
the same cache of the reader context, for any input."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from native_detectors import assert_no_leak
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


@contextmanager
def pure_python() -> Iterator[None]:
    """Within, the helpers the Python references call through _cues' globals (near, by_kind ...) are the Python
    ones too: the reference is all Python."""
    names = [name for name in REFERENCE if getattr(_cues, name, None) is getattr(C, name)]
    try:
        for name in names:
            setattr(_cues, name, REFERENCE[name])
        yield
    finally:
        for name in names:
            setattr(_cues, name, getattr(C, name))


def same(name: str, /, *args: object, **kwargs: object) -> object:
    """The C function ``name`` and its reference agree on the arguments; returns the outcome."""
    if name == "context_of":
        _cues._CONTEXT_LAST[0] = None
    ours = outcome(getattr(C, name), *args, **kwargs)
    if name == "context_of":
        _cues._CONTEXT_LAST[0] = None
    with pure_python():
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
        kind = "type" if name == "HitIndex" else "builtin_function_or_method"
        assert type(getattr(C, name)).__name__ == kind, name
    assert legal.make_signal is C.make_signal and legal.context_of is C.context_of
    assert credential.negated is C.negated and _cues.by_kind is C.by_kind
    # the detectors took the proximity helpers when they imported, after _cues had rebound them
    assert payment.HitIndex is C.HitIndex and payment.cue_before is C.cue_before and payment.cue_after is C.cue_after
    assert credential.near is C.near and credential.cue_after is C.cue_after and credential.HitIndex is C.HitIndex
    assert harassment.cue_before is C.cue_before and scripts.cue_after is C.cue_after


def _messages() -> list[Message]:
    return [Message(m.text, m.sender or None) for m in Generator(7).messages(3000)]


def _signals(detectors: Sequence[ModuleType], messages: list[Message], *, reference: bool = False) -> list[object]:
    out: list[object] = []
    for m in messages:
        ntext = NORMALIZER.normalize(m.text)
        features = extract(ntext)
        for d in detectors:
            detect = d.detect_reference if reference else d.smsguard_detect
            out.append(shape(list(detect(m, ntext, features) or ())))
    return out


def test_the_detectors_give_the_same_signals_on_the_synthetic_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The detectors (their C bodies, handed the C helpers) against their Python references calling the Python
    helpers: HitIndex, the cues, make_signal ... all in Python."""
    messages = _messages()
    with c_only():  # the detectors' inputs all take the C path
        ours = _signals(DETECTORS, messages)
    for module in (*DETECTORS, _cues):
        for name, function in REFERENCE.items():
            if getattr(module, name, None) is getattr(C, name):
                monkeypatch.setattr(module, name, function)
    _cues._CONTEXT_LAST[0] = None
    assert _signals(DETECTORS, messages, reference=True) == ours


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


# ---- the proximity helpers: HitIndex, near, cue_before, cue_after ----

REFERENCE_INDEX: Callable[..., Any] = REFERENCE["HitIndex"]
WINDOWS = (-1, 0, 1, 3, 6, 12, 20)
CLAUSES: tuple[dict[str, object], ...] = ({}, {"clause": False}, {"clause": True})


def built(cls: Callable[..., Any], hits: object) -> tuple[object, ...]:
    try:
        return ("ok", cls(hits))
    except HandedToPython:
        raise
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc))


def probes(n: int, hits: Sequence[TermHit]) -> list[tuple[int, int]]:
    """Ranges around the text's ends and the hits' offsets, of every width the detectors ask and a reversed one."""
    points = sorted({-2, 0, 1, n - 1, n, n + 2, *(h.start for h in hits[:12]), *(h.end - 1 for h in hits[:12])})
    return [(lo, lo + width) for lo in points for width in (-1, 0, 1, 4, 9, 25)]


def same_index(make: Callable[[], object], ranges: Sequence[tuple[int, int]]) -> None:
    """C.HitIndex and the reference's HitIndex of the same hits (made anew for each side) look up alike."""
    ours, reference = built(C.HitIndex, make()), built(REFERENCE_INDEX, make())
    if ours[0] != "ok" or reference[0] != "ok":
        assert ours == reference
        return
    mine, theirs = ours[1], reference[1]
    assert bool(mine) == bool(theirs)
    for lo, hi in ranges:
        for method in ("ending_in", "starting_in"):
            assert outcome(getattr(mine, method), lo, hi) == outcome(getattr(theirs, method), lo, hi), (method, lo, hi)


def same_cues(
    text: object, hits: Sequence[TermHit], probed: Sequence[TermHit], windows: Sequence[int] = WINDOWS
) -> None:
    """cue_before, cue_after and near of the C (on a C index) and of the Python references (on theirs)."""
    mine, theirs = C.HitIndex(hits), REFERENCE_INDEX(hits)
    calls = [
        (name, h, within, clause)
        for h in probed
        for within in windows
        for clause in CLAUSES
        for name in ("cue_before", "cue_after")
    ]
    pairs = [(a, b, within) for a in hits[:6] for b in probed[:6] for within in windows[1::2]]
    ours = [outcome(getattr(C, name), text, mine, h, w, **kw) for name, h, w, kw in calls]
    ours += [outcome(C.near, text, a, b, w, **kw) for a, b, w in pairs for kw in CLAUSES]
    with pure_python():
        reference = [outcome(REFERENCE[name], text, theirs, h, w, **kw) for name, h, w, kw in calls]
        reference += [outcome(REFERENCE["near"], text, a, b, w, **kw) for a, b, w in pairs for kw in CLAUSES]
    assert ours == reference


def context_hits(ntext: NormalizedText) -> list[TermHit]:
    return list(_cues.CONTEXT_TERMS.read(ntext)[1])


def test_the_proximity_helpers_on_the_synthetic_messages() -> None:
    with c_only():
        for m in _messages()[::4]:
            ntext = NORMALIZER.normalize(m.text)
            hits, cues = scan_hits(ntext.text), context_hits(ntext)
            same_index(lambda cues=cues: cues, probes(len(ntext.text), hits))
            same_index(lambda hits=hits: (h for h in reversed(hits)), probes(len(ntext.text), hits))
            same_cues(ntext.text, cues, hits, windows=(3, 8, 20))
            same_cues(ntext.text, hits, cues, windows=(6,))


@given(edge_text | any_text | cue_text)
@settings(max_examples=200)
def test_the_proximity_helpers_on_any_text(text: str) -> None:
    ntext = NORMALIZER.normalize(text)
    hits, cues = scan_hits(ntext.text), context_hits(ntext)
    with c_only():
        same_index(lambda: hits, probes(len(ntext.text), hits))
        same_index(lambda: tuple(cues), probes(len(ntext.text), cues))
        same_cues(ntext.text, cues, hits)
        same_cues(ntext.text, hits, hits)


@given(edge_text, st.lists(term_hits(), max_size=14), st.lists(term_hits(), min_size=1, max_size=4))
@settings(max_examples=150)
def test_synthetic_hits_in_any_order(text: str, hits: list[TermHit], probed: list[TermHit]) -> None:
    """Hits unsorted, of equal starts (the sort must be stable), touching, empty, past the text's end."""
    with c_only():
        same_index(lambda: hits, probes(len(text), hits + probed))
        same_index(lambda: iter(hits), probes(len(text), hits))
        same_cues(text, hits, probed)


def test_the_proximity_helpers_on_a_long_text() -> None:
    parts = [m.text for m in Generator(13).messages(2500)]
    ntext = NORMALIZER.normalize("".join(parts)[:100_000])
    hits = scan_hits(ntext.text)
    assert len(hits) > 1000
    shuffled = hits[1::2] + hits[::2]  # unsorted and long: the sort by start, stable
    with c_only():
        same_index(lambda: shuffled, probes(len(ntext.text), hits[::97]))
        same_cues(ntext.text, shuffled, hits[::151], windows=(0, 6, 40))
        same_cues(ntext.text, [], hits[:3])


def test_odd_inputs_of_the_proximity_helpers() -> None:
    text = "请您立即转账，到指定账户。否则起诉"
    ntext = NORMALIZER.normalize(text)
    hits = scan_hits(ntext.text)
    assert len(hits) >= 3
    entry = hits[0].entry
    h = hits[1]
    odd_hits: list[object] = [
        5,
        None,
        "ab",
        [h, None],
        [(entry, 1, 2, False)],
        [Other(entry, 1, 3)],
        [TermHit(entry, True, 3)],
        [TermHit(entry, -1, 3)],
        [TermHit(entry, 2**70, 2**71)],
        [TermHit(entry, 1.5, 3)],  # type: ignore[arg-type]
        [TermHit(entry, 5, 1), TermHit(entry, 3, 3)],
        {h: 1},
        [],
        (),
    ]
    for odd in odd_hits:
        same_index(lambda odd=odd: odd, [(0, 5), (-3, 2), (4, 4)])
        python_index = built(REFERENCE_INDEX, odd)
        if python_index[0] == "ok":
            same_cues(text, list(odd) if not isinstance(odd, dict) else [], hits)  # type: ignore[call-overload]
    same_index(lambda: (x for x in [h, 1]), [(0, 5)])
    # a C index of other than TermHits is the reference's, and the cues given one ask the references
    assert type(C.HitIndex([Other(entry, 1, 2)])) is REFERENCE_INDEX
    assert type(C.HitIndex(iter([h, Other(entry, 1, 2)]))) is REFERENCE_INDEX
    assert type(C.HitIndex(hits)) is C.HitIndex and type(C.HitIndex(iter(hits))) is C.HitIndex
    with c_only(), pytest.raises(HandedToPython):
        C.HitIndex([Other(entry, 1, 2)])
    mine, theirs = C.HitIndex(hits), REFERENCE_INDEX(hits)
    # look-ups: odd bounds, keywords, the wrong number of arguments
    for args, kwargs in [
        ((1.5, 9), {}),
        ((True, 9), {}),
        ((2**70, -(2**70)), {}),
        ((-(2**70), 2**70), {}),
        (("a", 2), {}),
        ((1,), {}),
        ((1, 2, 3), {}),
        ((), {"lo": 0, "hi": 9}),
        ((0,), {"hi": 9}),
        ((0,), {"high": 9}),
    ]:
        for method in ("ending_in", "starting_in"):
            assert outcome(getattr(mine, method), *args, **kwargs) == outcome(getattr(theirs, method), *args, **kwargs)
    for args, kwargs in [((), {}), ((hits, hits), {}), ((), {"other": hits})]:
        assert outcome(C.HitIndex, *args, **kwargs) == outcome(REFERENCE_INDEX, *args, **kwargs)
    assert type(C.HitIndex(hits=hits)) is REFERENCE_INDEX  # a keyword: the reference's index
    assert type(C.HitIndex.__new__(C.HitIndex, hits)) is C.HitIndex
    with pytest.raises(TypeError):
        len(mine)  # type: ignore[arg-type]
    # the cues: odd texts, hits, windows, clauses, argument bindings
    other_hit = TermHit(entry, -1, 2)
    cases: list[tuple[tuple[object, ...], dict[str, object]]] = [
        ((text, mine, h, 6), {"clause": 1}),
        ((text, mine, h, 6), {"clause": ""}),
        ((text, mine, h, 6), {"clause": None}),
        ((text, mine, h, 6, True), {}),
        ((text, mine, h), {}),
        ((text, mine, h, 6), {"colour": 1}),
        ((text, mine, h), {"within": 6}),
        ((), {"text": text, "cues": mine, "hit": h, "within": 6, "clause": True}),
        ((text, mine, h, 6), {"".join(["cla", "use"]): True}),  # a keyword the compiler did not intern
        ((text, mine, h, 6), {"clause": True, "within": 1}),
        ((b"abc", mine, h, 6), {}),
        ((None, mine, h, 30), {}),
        ((text, mine, other_hit, 6), {}),
        ((text, mine, ("x", 1, 2), 6), {}),
        ((text, mine, h, 6.5), {}),
        ((text, mine, h, True), {}),
        ((text, mine, h, 2**70), {}),
        ((text, mine, h, -(2**70)), {}),
        ((text, mine, h, "6"), {}),
        ((text, [], h, 6), {}),
        ((text, hits, h, 6), {}),
        ((text, C.HitIndex([]), None, "x"), {}),  # an empty index: nothing else is read
        ((text + "\ud800", mine, h, 40), {}),
    ]
    for args, kwargs in cases:
        reference_args = tuple(theirs if a is mine else a for a in args)
        reference_kwargs = {k: theirs if v is mine else v for k, v in kwargs.items()}
        for name in ("cue_before", "cue_after"):
            ours = outcome(getattr(C, name), *args, **kwargs)
            with pure_python():
                assert ours == outcome(REFERENCE[name], *reference_args, **reference_kwargs), (name, args, kwargs)
        near_args = tuple(hits[0] if a is mine else a for a in args)
        near_kwargs = {
            ("a" if k == "cues" else "b" if k == "hit" else k): hits[0] if v is mine else v for k, v in kwargs.items()
        }
        same("near", *near_args, **near_kwargs)
    # a C index handed to the Python cues, a Python index to the C cues
    for name in ("cue_before", "cue_after"):
        for within in (0, 4, 12):
            for x in hits:
                with pure_python():
                    expected = outcome(REFERENCE[name], text, theirs, x, within)
                    assert outcome(REFERENCE[name], text, mine, x, within) == expected
                assert outcome(getattr(C, name), text, theirs, x, within) == expected


def test_keywords_are_bound_as_python_binds_them() -> None:
    ntext = NORMALIZER.normalize("您的欠 款已逾期，我们将起 诉您")
    hit = TermHit(Entry("起诉", "legal_terms", "lawsuit", (), ""), 12, 14)
    detail = "".join(["de", "tail"])  # equal to the parameter's name, not the same object
    for kwargs in [
        {"detail": "d", "value": 2, "confidence": 0.5, "nspans": [(1, 2)]},
        {"nspans": [(1, 2)], "detail": "d"},
        {detail: "d"},
        {detail: "d", "detail": "e"},
        {"hits": [hit], "name": "legal.x", "ntext": ntext},
        {"hits": [hit]},
        {"confidence": 2, "hits": [hit]},
        {"ntext": ntext},
    ]:
        same("make_signal", "legal.x", ntext, **kwargs)
        same("make_signal", **{"name": "legal.x", "ntext": ntext, **kwargs})
        same("make_signal", "legal.x", **{"ntext": ntext, **kwargs})
    for args, kwargs in [
        (("legal.x", ntext, (1, 3), True, ""), {}),
        (("legal.x", ntext), {"nspan": (1, 3), "value": 2, "detail": "d"}),
        (("legal.x",), {"detail": "d", "value": 2, "nspan": [1, 3], "ntext": ntext}),
        (("legal.x", ntext, (1, 3), True), {detail: "d"}),
        (("legal.x", ntext, (1, 3), True), {}),
        (("legal.x", ntext, (1, 3), True, ""), {"detail": ""}),
        (("legal.x", ntext, (1, 3)), {"value": 1, "detail": "", "colour": 1}),
    ]:
        same("span_signal", *args, **kwargs)
    with c_only():
        same("make_signal", "legal.x", ntext, [hit], **{detail: "d", "".join(["va", "lue"]): 3})
        same("span_signal", "legal.x", ntext, value=1, **{detail: "", "".join(["ns", "pan"]): (1, 3)})


def test_groups_of_many_kinds() -> None:
    """More kinds than the C groups by counting, and equal kinds that are distinct strs."""
    hits = [TermHit(Entry("x", "l", "".join(["k", str(i % 45)]), (), ""), i, i + 1 + i % 3) for i in range(120)]
    with c_only():
        for group in (hits, hits[:40], hits[::-1], hits[:3] * 3):
            for name in ("by_kind", "resolve_overlaps"):
                same(name, group)
        _cues._CONTEXT_LAST[0] = None


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
            index = C.HitIndex(hits)
            C.HitIndex(h for h in reversed(hits))
            C.HitIndex([Other(hits[0].entry, 1, 2)])  # the reference's index
            index.ending_in(0, 20)
            index.starting_in(-5, 20)
            index.ending_in(0.5, 20)  # the reference's look-up
            C.cue_before(ntext.text, index, hits[-1], 8)
            C.cue_after(ntext.text, index, hits[0], 8, clause=True)
            C.near(ntext.text, hits[0], hits[1], 4, clause=True)
            C.make_signal("legal.x", ntext, hits[:2], detail="d", value=2)
            C.span_signal("legal.x", ntext, nspan=(1, 3), value=True, detail="")
            with suppress(IndexError):
                C.make_signal("legal.x", ntext, [hits[0]], nspans=[(90, 91)])

    assert_no_leak(work)


# ---- make_signal and span_signal: the caches, the joins of terms, the odd confidences ----

TERMS = ("APP", "é", "起诉", "𠀀", "\ud800", "", "起诉书", "x" * 40)


@given(
    st.lists(
        st.tuples(st.sampled_from(TERMS), st.integers(0, 24), st.integers(0, 8), st.booleans()),
        max_size=20,
    ),
    st.lists(st.tuples(st.integers(0, 24), st.integers(0, 40)), max_size=3),
    st.sampled_from([None, "d", ""]),
)
@settings(max_examples=300)
def test_signals_of_terms_of_every_width(
    hits: list[tuple[str, int, int, bool]], nspans: list[tuple[int, int]], detail: str | None
) -> None:
    """The terms joined into the detail are of every str width (ASCII, Latin-1, BMP, astral, a lone surrogate,
    empty), repeated as equal strs that are distinct objects, up to more hits than the C keeps on its stack."""
    # spans that start within the text, which the C maps (one starting past it raises, in the reference)
    ntext = NORMALIZER.normalize("您的欠 款已逾期，我们将起 诉您，请勿泄露验证码，冒充公安")
    made = [
        TermHit(Entry("".join([term]), "l", "lawsuit", (), ""), start, start + length, fuzzy)
        for term, start, length, fuzzy in hits
    ]
    plain = [TermHit(h.entry, h.start, h.end) for h in made]
    with c_only():
        same("make_signal", "legal.x", ntext, plain, nspans=nspans, detail=detail)
        same("make_signal", "legal.x", ntext, tuple(plain), value=2)
        same("make_signal", "legal.x", ntext, made, confidence=0.7)
        same("make_signal", "legal.x", ntext, made, confidence=3)
        same("make_signal", "legal.x", ntext, nspans=nspans[:1], detail=detail)
        for span in nspans:
            same("span_signal", "legal.x", ntext, span, 1, "")
            same("span_signal", "legal.x", NORMALIZER.normalize("ab"), list(span), 1, "")


def test_the_ints_of_a_span_are_those_the_reference_gives() -> None:
    mapped = NORMALIZER.normalize("您的欠 款已逾期，我们将起 诉您")
    plain = NORMALIZER.normalize("x" * 700)
    assert mapped.starts is not None and plain.starts is None
    hit = TermHit(Entry("起诉", "legal_terms", "lawsuit", (), ""), 12, 14)
    far = TermHit(Entry("x", "l", "k", (), ""), 600, 650)
    for ntext, h in (
        (mapped, hit),
        (plain, far),
        (mapped, TermHit(hit.entry, 3, 3)),
        (mapped, TermHit(hit.entry, 99, 99)),
    ):
        with c_only():
            ours = C.make_signal("legal.x", ntext, [h])
        theirs = REFERENCE["make_signal"]("legal.x", ntext, [h])
        assert ours == theirs and [type(x) for x in ours.spans[0]] == [int, int]
        if ntext is mapped:  # the very int objects of the offset map, as the reference returns them
            assert all(a is b for a, b in zip(ours.spans[0], theirs.spans[0], strict=True))
        assert C.span_signal("legal.x", ntext, (h.start, h.end), 1, "") == REFERENCE["span_signal"](
            "legal.x", ntext, (h.start, h.end), 1, ""
        )
    signal = C.span_signal("legal.x", plain, (600, 650), 1, "")
    assert gc.is_tracked(signal) and gc.is_tracked(signal.spans)
    assert signal == Signal("legal.x", 1, 1.0, ((600, 650),), "", "legal") and hash(signal) == hash(
        Signal("legal.x", 1, 1.0, ((600, 650),), "", "legal")
    )


def test_keywords_bound_once_and_again() -> None:
    """The C keeps the binding of each keyword-name tuple: the same tuple from one call site, with and without
    the positional arguments it may clash with, and equal names in other orders or made at run time."""
    ntext = NORMALIZER.normalize("您的欠 款已逾期，我们将起 诉您")
    hit = TermHit(Entry("起诉", "legal_terms", "lawsuit", (), ""), 12, 14)
    value, nspans = "".join(["va", "lue"]), "".join(["nsp", "ans"])
    for _ in range(3):
        for kwargs in ({"value": 1, "nspans": [(1, 2)]}, {"nspans": [(1, 2)], "value": 1}, {value: 1, nspans: []}):
            with c_only():
                same("make_signal", "legal.x", ntext, [hit], **kwargs)
                same("make_signal", "legal.x", ntext, **kwargs)
        # constant keyword-name tuples, one object for the module's equal ones: cached, then met with a clash
        calls: list[Callable[[Callable[..., object]], object]] = [
            lambda f: f("legal.x", ntext, hits=[hit]),
            lambda f: f("legal.x", ntext, [hit], hits=[hit]),
            lambda f: f("legal.x", ntext=ntext, hits=[hit]),
            lambda f: f("legal.x", ntext, [hit], ntext=ntext),
            lambda f: f("legal.x", ntext, [hit], name="legal.y"),
            lambda f: f(ntext=ntext, name="legal.x"),
            lambda f: f("legal.x", ntext, [hit], value=2, nspans=[(1, 2)], detail="d", confidence=0.5),
        ]
        for call in calls:
            assert outcome(call, C.make_signal) == outcome(call, REFERENCE["make_signal"])


def test_a_changed_plugin_name_is_seen() -> None:
    ntext = NORMALIZER.normalize("abc")
    name = "legal.zz_renamed"
    try:
        assert C.span_signal(name, ntext, (0, 1), True, "").plugin == "legal"
        _evidence._PLUGIN_OF[name] = "other"
        assert C.span_signal(name, ntext, (0, 1), True, "").plugin == "other"
        assert C.make_signal(name, ntext, nspans=[(0, 1)]).plugin == "other"
        del _evidence._PLUGIN_OF[name]
        assert C.make_signal(name, ntext, nspans=[(0, 1)]).plugin == "legal"
        assert C.span_signal("".join(["legal.", "zz_renamed"]), ntext, (0, 1), True, "").plugin == "legal"
    finally:
        _evidence._PLUGIN_OF.pop(name, None)


class Confidence:
    """A confidence whose multiplication empties the hits the signal is made of."""

    def __init__(self, hits: list[TermHit], collect: bool = True) -> None:
        self.hits = hits
        self.collect = collect

    def __imul__(self, other: float) -> float:
        self.hits.clear()
        if self.collect:
            gc.collect()
        return 0.25


def test_an_odd_confidence_goes_to_the_reference() -> None:
    ntext = NORMALIZER.normalize("您的欠 款已逾期，我们将起 诉您")
    entry = Entry("起诉", "legal_terms", "lawsuit", (), "")
    for n in (1, 2, 5, 20):
        ours = [TermHit(entry, 12, 14, True) for _ in range(n)]
        theirs = [TermHit(entry, 12, 14, True) for _ in range(n)]
        assert shape(C.make_signal("legal.x", ntext, ours, confidence=Confidence(ours))) == shape(
            REFERENCE["make_signal"]("legal.x", ntext, theirs, confidence=Confidence(theirs))
        )
        same("make_signal", "legal.x", ntext, [TermHit(entry, 12, 14, True)] * n, confidence=True)
        same("make_signal", "legal.x", ntext, [TermHit(entry, 12, 14, True)] * n, confidence="x")
        for odd in (Confidence(ours), True, "x"):  # each handed to the reference by the C
            with c_only(), pytest.raises(HandedToPython):
                C.make_signal("legal.x", ntext, [TermHit(entry, 12, 14, True)] * n, confidence=odd)
        with c_only():
            same("make_signal", "legal.x", ntext, [TermHit(entry, 12, 14, True)] * n, confidence=2**70)


def test_signal_building_leaks_nothing() -> None:
    ntext = NORMALIZER.normalize("您的欠 款已逾期，我们将起 诉您")
    plain = NORMALIZER.normalize("x" * 300)
    terms = [TermHit(Entry(t, "l", "k", (), ""), 1, 3, i % 2 == 0) for i, t in enumerate(TERMS)]
    value = "".join(["va", "lue"])

    def work() -> None:
        for i in range(200):
            name = f"legal.n{i % 7}"  # a new str each time: the cache of plugin names turns over
            C.make_signal(name, ntext, terms, nspans=[(1, 3)], value=3)
            C.make_signal(name, ntext, terms[:3] * 7, confidence=0.5)
            C.make_signal(name, plain, terms[:1], **{value: 2})
            C.make_signal(name, plain, nspans=[(250, 260)])
            C.span_signal(name, plain, [250, 260], True, "")
            C.span_signal(name, ntext, (3, 3), True, "")
            C.make_signal(name, ntext, [terms[0]], confidence=Confidence([], collect=False))

    assert_no_leak(work)
