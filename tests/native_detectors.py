"""Shared by the detector accelerators' differential suites (tests/test_native_<detector>.py): the inputs (the
engine's normalizer and extraction, the generator's messages, Hypothesis texts), the comparison of a C body's
calls with its Python reference's, the bindings that refuse to hand anything to the reference, the odd calls and
term reads every body must hand over or answer as the reference does, and the leak loop."""

from __future__ import annotations

import dataclasses
import gc
import sys
import tracemalloc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from native_support import missing_accelerator
from smsguard_plugins import _brands, _evidence
from smsguard_plugins._terms import LEXICON_DIR, Entry, TermHit

from smsguard.extract import Features, TextFeature, extract
from smsguard.lexicon import load_lexicon
from smsguard.model import Message, Signal
from smsguard.normalize import SEPARATOR_CHARS, NormalizedText, default_normalizer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synth import Generator, SyntheticMessage  # type: ignore[import-not-found]

T = TypeVar("T")
Call = tuple[tuple[object, ...], dict[str, object]]

NORMALIZER = default_normalizer()


# --- inputs -------------------------------------------------------------------------------------------------------


def inputs(text: str) -> tuple[NormalizedText, Features]:
    """The normalized text and features of ``text``, as the engine makes them."""
    ntext = NORMALIZER.normalize(text)
    return ntext, extract(ntext)


def triple(text: str) -> tuple[Message, NormalizedText, Features]:
    """A detector's arguments for ``text``: the message, its normalized text and its features."""
    return Message(text), *inputs(text)


@cache
def synthetic_messages(seed: int = 7, count: int = 3000) -> tuple[SyntheticMessage, ...]:
    """``benchmarks/synth.py``'s Generator(seed).messages(count): by default the 3000 messages every suite runs
    through its detector."""
    return tuple(Generator(seed).messages(count))


@cache
def long_text() -> str:
    """100,000 characters of generated messages (Generator(11)), one after another."""
    text = "".join(m.text for m in synthetic_messages(11, 2500))[:100_000]
    assert len(text) == 100_000
    return text


def terms(*lexicons: str, kind: str | None = None) -> list[str]:
    """The terms of the built-in lexicons (those of one kind, when given), sorted."""
    return sorted(
        {
            e.term
            for name in lexicons
            for e in load_lexicon(LEXICON_DIR, name)
            if kind is None or e.attributes[:1] == (kind,)
        }
    )


def words_of(*alternations: str) -> list[str]:
    """The words of ``a|b|c`` alternations (the cue lists of plugins/_cues.py), sorted."""
    return sorted({word for words in alternations for word in words.split("|")})


# Characters that put a text's edges in reach: ASCII, separators and full-width forms (an offset map), astral
# characters and lone surrogates.
FILLER = "ab1 .x张三元号\t" + SEPARATOR_CHARS[:4] + "ＡＢ１，。！" + "\U00020000\U0001f600\ud800\udfff"


def joined(words: Sequence[str], max_size: int = 30, *, filler: str = "") -> st.SearchStrategy[str]:
    """Texts of up to ``max_size`` pieces, each one of ``words`` or up to three characters of ``filler``."""
    piece = st.sampled_from(words)
    if filler:
        piece |= st.text(st.sampled_from(filler), max_size=3)
    return st.lists(piece, max_size=max_size).map("".join)


def any_text(max_size: int = 60) -> st.SearchStrategy[str]:
    """Any text, lone surrogates and unassigned code points included."""
    return st.text(st.characters(exclude_categories=()), max_size=max_size)


# --- comparison -----------------------------------------------------------------------------------------------------


class HandedToPython(Exception):
    """The C code passed its input on to the Python reference."""


def refuse(*args: object, **kwargs: object) -> Any:
    """The reference of a C body that must answer on its own: where it would hand over, it raises."""
    raise HandedToPython


def shape(x: object) -> object:
    """What must be equal between two results: every value with its type, through records (Signal, Claim...),
    lists, tuples (NamedTuples too) and dicts, in order."""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return (type(x), [shape(getattr(x, f.name)) for f in dataclasses.fields(x)])
    if isinstance(x, list | tuple):
        return (type(x), [shape(v) for v in x])
    if isinstance(x, dict):
        return (type(x), [(shape(k), shape(v)) for k, v in x.items()])
    return (type(x), x)


def outcome(f: Callable[..., object], /, *args: object, **kwargs: object) -> tuple[object, ...]:
    """What a call gives, comparably: ("ok", the shape of the result, its repr, the result) or ("raised", the
    exception's type, its message). A hand-over to the reference (HandedToPython) is let through."""
    try:
        result = f(*args, **kwargs)
    except HandedToPython:
        raise
    except Exception as exc:  # the exception is what is compared
        return ("raised", type(exc), str(exc))
    return ("ok", shape(result), repr(result), result)


def agree(reference: Callable[..., Any], detectors: Iterable[Callable[..., Any]], /, *args: Any, **kwargs: Any) -> Any:
    """Each of ``detectors``, called first, gives on the arguments what ``reference`` gives: a list of the same
    signals (the same values and types, the same repr) or the same exception. Returns the reference's result
    (None where it raised)."""
    ours = [outcome(detect, *args, **kwargs) for detect in detectors]
    expected = outcome(reference, *args, **kwargs)
    for got in ours:
        assert got == expected
    if expected[0] != "ok":
        return None
    assert type(expected[-1]) is list
    return expected[-1]


def fired(check: Callable[[str], Iterable[Signal]], texts: Iterable[str]) -> set[str]:
    """The names of the signals ``check`` (a suite's comparison on one text) gives on ``texts``."""
    return {s.name for text in texts for s in check(text)}


def each_fires(check: Callable[[str], Iterable[Signal]], firing: Mapping[str, str], others: Iterable[str]) -> None:
    """``check`` (a suite's comparison on one text) gives each signal of ``firing`` on its text, and runs on
    ``others`` (texts that take other branches)."""
    for name, text in firing.items():
        assert name in fired(check, [text]), name
    for text in others:
        check(text)


@contextmanager
def bound(bind: Callable[..., T], while_in: Sequence[object], after: Sequence[object]) -> Iterator[T]:
    """Within, the module is bound with the arguments ``while_in`` (bind's result is yielded); after, with
    ``after``."""
    try:
        yield bind(*while_in)
    finally:
        bind(*after)


@contextmanager
def replaced(module: ModuleType, **names: object) -> Iterator[None]:
    """Within, the module's globals ``names`` (the helpers its reference calls) are these objects."""
    saved = {name: getattr(module, name) for name in names}
    vars(module).update(names)
    try:
        yield
    finally:
        vars(module).update(saved)


def accelerator(module: ModuleType, name: str) -> ModuleType:
    """The C module the plugin ``module`` uses (its ``_native``); where there is none, the calling test module
    ends (:func:`native_support.missing_accelerator`)."""
    if module._native is None:
        missing_accelerator(name)
    native: ModuleType = module._native
    return native


class Detector:
    """A C body that its plugin module binds (``module.detect``), and the same body bound to a reference that
    refuses (``c_only``): where that one answers, the C code did the work."""

    def __init__(self, module: ModuleType, native: ModuleType, c_only: Callable[..., list[Signal]]) -> None:
        self.module = module
        self.native = native
        self.c_only = c_only

    def assert_in_use(self) -> None:
        detect = self.module.detect
        assert detect is not self.module.detect_reference
        assert type(detect).__module__ == self.native.__name__
        assert type(detect) is type(self.c_only)

    def same(self, *args: object, c_only: bool = True) -> Any:
        """The bound detector (and the C body on its own when ``c_only``) give what the reference gives on the
        arguments; returns the reference's result."""
        detectors = [self.module.detect, self.c_only] if c_only else [self.module.detect]
        return agree(self.module.detect_reference, detectors, *args)

    def same_text(self, text: str, detector: Callable[..., object] | None = None) -> list[Signal]:
        """:meth:`same` on the triple of ``text`` (or ``detector`` alone, where given); returns the signals."""
        args = triple(text)
        signals: list[Signal] = (
            self.same(*args) if detector is None else agree(self.module.detect_reference, [detector], *args)
        )
        return signals


class KeywordDetector(Detector):
    """A C body bound by keyword with its plugin module's ``_BINDING`` (credential, payment, legal, harassment)."""

    def __init__(self, module: ModuleType, native: ModuleType) -> None:
        super().__init__(module, native, native.bind(**{**module._BINDING, "reference": refuse}))

    def binding(self, **changes: Any) -> dict[str, Any]:
        """The arguments the module binds with, some changed."""
        return {**self.module._BINDING, **changes}

    def bind(self, **changes: Any) -> Any:
        """The C body bound with the module's arguments, some changed."""
        return self.native.bind(**self.binding(**changes))


class TableDetector(Detector):
    """A C body bound with a reference and its plugin module's ``NATIVE_TABLES`` (collector, scripts)."""

    def __init__(self, module: ModuleType, native: ModuleType) -> None:
        super().__init__(module, native, native.bind(refuse, module.NATIVE_TABLES))

    def bind(self, reference: Callable[..., Any], **changes: Any) -> Any:
        """The C body bound with ``reference`` and the module's tables, some changed."""
        return self.native.bind(reference, {**self.module.NATIVE_TABLES, **changes})

    def assert_leaks_nothing(self, texts: Sequence[str], none_features: Any) -> None:
        """The bound detector and one whose term read answers None (handed to the reference), on each of
        ``texts``, then the detector with features None (which raises ``none_features``, or returns where that is
        None), 300 times over, leave nothing behind."""
        args = [triple(text) for text in texts]
        odd = self.bind(self.module.detect_reference, read=lambda ntext: None)
        calls: list[LeakCall] = [(f, a, None) for a in args for f in (self.module.detect, odd)]
        assert_calls_leak_nothing([*calls, (self.module.detect, (*args[-1][:2], None), none_features)], 300)


class Rebinding:
    """A C detector whose ``bind(reference, tables)`` sets the module's one ``detect`` (specificity, urgency)."""

    def __init__(self, module: ModuleType, native: ModuleType) -> None:
        self.module = module
        self.native = native

    def assert_in_use(self) -> None:
        assert self.module.detect is self.native.detect
        assert type(self.native.detect).__name__ == "builtin_function_or_method"

    def c_only(self) -> AbstractContextManager[None]:
        """Within, the C detector raises HandedToPython where it would hand its input to the reference."""
        tables = self.module.NATIVE_TABLES
        return bound(self.native.bind, (refuse, tables), (self.module.detect_reference, tables))

    def same(self, *args: Any, **kwargs: Any) -> Any:
        """The C detector gives what the reference gives on the arguments; returns the reference's result."""
        return agree(self.module.detect_reference, [self.native.detect], *args, **kwargs)

    def same_text(self, text: str) -> list[Signal]:
        """The C detector, on its own, gives what the reference gives on ``text``; returns the signals."""
        with self.c_only():
            signals: list[Signal] = self.same(*triple(text))
        return signals

    def bind_checks_its_tables(self, bad: Iterable[tuple[dict[str, object], Any]], text: str) -> None:
        """:func:`bind_checks_its_tables`; a failed bind leaves the detector as it was (tried on ``text``)."""
        bind_checks_its_tables(self.native.bind, self.module.detect_reference, self.module.NATIVE_TABLES, bad)
        self.same_text(text)
        self.assert_in_use()


def text_tests(check: Callable[[str], object], pieces: Sequence[str]) -> tuple[Callable[..., None], ...]:
    """Two Hypothesis tests of ``check`` (a suite's comparison on one text): texts joined from ``pieces`` (400
    examples) and any text (150)."""

    @settings(max_examples=400, deadline=None)
    @given(joined(pieces))
    def texts_of_the_pieces(text: str) -> None:
        check(text)

    @settings(max_examples=150, deadline=None)
    @given(any_text())
    def texts_of_any_characters(text: str) -> None:
        check(text)

    return texts_of_the_pieces, texts_of_any_characters


# --- odd input --------------------------------------------------------------------------------------------------------


class Str(str):
    """A text of a subclass of str."""


class OddHit(TermHit):
    """A term hit of a subclass of TermHit."""


class OddText(NormalizedText):
    """A normalized text of a subclass of NormalizedText."""


class OddFeature(TextFeature):
    """A text feature of a subclass of TextFeature."""


class OddFeatures(Features):
    """Features of a subclass of Features."""


def other_hits_by_kind(hits: Iterable[TermHit]) -> dict[str, list[TermHit]]:
    """The grouping of by_kind with every hit an OddHit."""
    return {k: [OddHit(*h) for h in v] for k, v in _evidence.by_kind(hits).items()}


def odd_calls(message: object, ntext: object, features: object, *texts: str) -> list[Call]:
    """Calls of a detector that extraction and the host never make: arguments missing, extra, by keyword, of other
    types (each of ``texts`` as a plain str, and normalized from a subclass of str), or None."""
    calls: list[Call] = [
        ((message, ntext, features), {}),
        ((), {}),
        ((message, ntext), {}),
        ((message, ntext, features, None), {}),
        ((message, ntext, features, features), {}),
        ((), {"message": message, "text": ntext, "features": features}),
        ((message, ntext), {"features": features}),
        ((message, ntext, None), {}),
        ((message, ntext, Features()), {}),
        ((None, None, None), {}),
    ]
    for text in texts:
        calls += [
            ((message, text, features), {}),
            ((None, text, None), {}),
            ((message, NORMALIZER.normalize(Str(text)), features), {}),
        ]
    return calls


def odd_reads(entry: Entry, **odd_field: object) -> list[object]:
    """Answers of a term read that the scan never gives (one hit's entry with ``odd_field``): the C hands them to
    the reference."""
    return [
        ("t", [OddHit(entry, 1, 3)]),
        ("t", [TermHit(entry._replace(**odd_field), 1, 3)]),
        ("t", ("hits",)),
        ["t", []],
        ("t", [], 3),
        (b"t", []),
    ]


def reads_of_odd_shape(t: str, hits: list[TermHit]) -> list[object]:
    """A real read's text and hits (``TermSet.read``) in shapes the scan never gives."""
    return [(t, [OddHit(*h) for h in hits]), (t, tuple(hits)), [t, hits], (t, hits, None), (Str(t), hits)]


class Broken(Exception):
    """Raised by a helper that is broken on purpose."""


def broken(*args: object, **kwargs: object) -> Any:
    raise Broken("helper")


def helper_errors_come_through(
    bind: Callable[[str], Callable[..., object]], names: Iterable[str], cases: Sequence[Sequence[object]]
) -> None:
    """The C body bound with any one helper broken (``bind(name)``) lets the helper's exception through on
    ``cases`` (argument lists)."""
    for name in names:
        detect = bind(name)
        with pytest.raises(Broken):
            for args in cases:
                detect(*args)


def bind_checks_its_arguments(
    bind: Callable[..., object], binding: Mapping[str, object], bad: Iterable[tuple[dict[str, object], Any]]
) -> None:
    """A bind by keyword refuses no arguments, positional ones, an extra or a missing one, and each ``bad``
    change with its exception."""
    for args in ((), (binding["reference"],), tuple(binding.values())):
        with pytest.raises(TypeError):
            bind(*args)
    with pytest.raises(TypeError):
        bind(**binding, extra=1)
    for name in binding:
        with pytest.raises(TypeError):
            bind(**{k: v for k, v in binding.items() if k != name})
    for change, error in bad:
        with pytest.raises(error):
            bind(**{**binding, **change})


# --- checks every suite makes, of its own detector ------------------------------------------------------------


def reads_go_to_the_reference(
    bind: Callable[[Callable[..., Any], Callable[[object], object]], Callable[..., object]],
    reference: Callable[..., Any],
    args: Sequence[object],
    reads: Sequence[object],
) -> None:
    """The C body bound (``bind(reference, read)``) with a term read that answers one of ``reads`` hands each
    call to its reference, whose answer it gives."""
    calls: list[object] = []

    def counted(*args: object) -> Any:
        calls.append(args)
        return reference(*args)

    for read in reads:
        detect = bind(counted, lambda _, read=read: read)
        assert detect(*args) == reference(*args)
    assert len(calls) == len(reads)


def hook_calls_detect(module: ModuleType, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plugin's hook hands its arguments to the module's ``detect`` (which the suite shows to be the C one)."""
    args = triple(text)
    calls: list[object] = []
    monkeypatch.setattr(module, "detect", lambda *args: calls.append(args) or [])
    module.smsguard_detect(message=args[0], text=args[1], features=args[2])
    assert calls == [args]


def bind_checks_its_tables(
    bind: Callable[..., object],
    reference: Callable[..., Any],
    tables: Mapping[str, object],
    bad: Iterable[tuple[dict[str, object], Any]],
) -> None:
    """A bind by (reference, tables) refuses a missing tables argument, tables without any one of their keys, and
    each ``bad`` change with its exception."""
    with pytest.raises(TypeError):
        bind(reference)
    with pytest.raises(KeyError):
        bind(reference, {})
    for key in tables:
        with pytest.raises(KeyError):
            bind(reference, {k: v for k, v in tables.items() if k != key})
    for change, error in bad:
        with pytest.raises(error):
            bind(reference, {**tables, **change})


def helpers_called_as_the_reference_calls_them(
    monkeypatch: pytest.MonkeyPatch,
    module: ModuleType,
    bind: Callable[[dict[str, Callable[..., Any]]], Callable[..., object]],
    helpers: Mapping[str, str],
    cases: Iterable[Sequence[object]],
    note: Callable[[str, tuple[Any, ...], dict[str, Any]], object],
    arguments: Callable[[str, tuple[Any, ...]], tuple[Any, ...]] = lambda key, args: args,
) -> None:
    """The C body calls the shared helpers as the reference does: the same calls, in the same order, each written
    down by ``note``. ``helpers`` maps a name of ``bind``'s to the module's global the reference calls;
    ``bind(helpers)`` is the C body bound with them; ``cases`` are argument lists; ``arguments`` makes the
    arguments a helper is handed before the call is written down."""
    calls: list[object] = []

    def recorder(key: str, f: Callable[..., Any]) -> Callable[..., Any]:
        def record(*args: Any, **kwargs: Any) -> Any:
            args = arguments(key, args)
            calls.append(note(key, args, kwargs))
            return f(*args, **kwargs)

        return record

    recorders = {key: recorder(key, getattr(module, name)) for key, name in helpers.items()}
    detect = bind(recorders)
    for key, name in helpers.items():
        monkeypatch.setattr(module, name, recorders[key])
    for args in cases:
        calls.clear()
        detect(*args)
        ours = list(calls)
        calls.clear()
        module.detect_reference(*args)
        assert ours == calls, args


def fresh_claims(f: Callable[..., T]) -> Callable[..., T]:
    """``f``, called with the one-message cache of brand claims (plugins/_brands.py) emptied first: each side of
    a comparison finds its own claims."""

    def call(*args: object) -> T:
        _brands._LAST[0] = None
        return f(*args)

    return call


# --- leaks ------------------------------------------------------------------------------------------------------------


LeakCall = tuple[Callable[..., object], Sequence[object], Any]


def assert_calls_leak_nothing(calls: Sequence[LeakCall], rounds: int) -> None:
    """The ``calls`` (function, arguments, the exception it must raise or None), made ``rounds`` times over,
    leave nothing behind (:func:`assert_no_leak`)."""

    def work() -> None:
        for _ in range(rounds):
            for f, args, error in calls:
                if error is None:
                    f(*args)
                else:
                    with pytest.raises(error):
                        f(*args)

    assert_no_leak(work)


def assert_no_leak(work: Callable[[], object], limit: int = 50_000) -> None:
    """``work``, run once more after a first run that fills the caches, leaves less than ``limit`` bytes behind (a
    leaked object per call would be hundreds of kilobytes or megabytes)."""
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
    assert grown < limit
