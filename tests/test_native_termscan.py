"""The termscan accelerator (smsguard._ctermscan) against its Python references: TermMatcher over ahocorasick_rs
(smsguard/termscan.py) and the term detectors' scan and per-message reads (plugins/_terms.py).

The reference of plugins/_terms.py is a second copy of the module executed with the accelerator off (its own
_MESSAGE, scanners and classes) whose matchers are built with smsguard.termscan's accelerator off too: both copies
read the same messages and must give equal results, of the same types, with the same sharing of lists.
"""

from __future__ import annotations

import functools
import gc
import importlib.util
import itertools
import os
import random
import re
import sys
import tracemalloc
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import ahocorasick_rs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from native_support import missing_accelerator
from smsguard_plugins import _termhits, _terms
from smsguard_plugins._brands import _NAME_TERMS
from smsguard_plugins._cues import CONTEXT_TERMS

from smsguard import native, termscan
from smsguard.lexicon import ENV_PATH
from smsguard.normalize import NormalizedText, default_normalizer, replace_surrogates
from smsguard.termscan import TermMatcher

if termscan._native is None or _terms._native is None:
    missing_accelerator("termscan")

from smsguard import _ctermscan as C

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from packgen import literal_heavy_pack
from synth import Generator

DETECTORS = ("collector", "legal", "payment", "credential", "harassment", "urgency", "specificity", "scripts")
# Characters at the edges of the code: ASCII word characters (boundaries), Han, the replacement character (what a
# lone surrogate is searched as), characters of 1, 2 and 4 bytes, NUL, the wedge punctuation.
EDGES = "ab09Z_ \x00\xe9\u4e00\u9fff起诉讼法院\ufffd😀\U0010ffff,，。、\n"
SURROGATES = "\ud800\udc00\udfff"


@pytest.fixture(scope="module")
def messages() -> list[NormalizedText]:
    normalizer = default_normalizer()
    return [normalizer.normalize(m.text) for m in Generator(7).messages(3000)]


def pure_matcher(*args: Any, **kwargs: Any) -> TermMatcher:
    """A TermMatcher built with the accelerator off: ahocorasick_rs and the Python methods."""
    saved, termscan._native = termscan._native, None
    try:
        return TermMatcher(*args, **kwargs)
    finally:
        termscan._native = saved


def twins(keys: list[str]) -> tuple[TermMatcher, TermMatcher]:
    fast, pure = TermMatcher.from_keys(keys), pure_matcher(keys, keys=keys)
    assert pure.native is None
    return fast, pure


def same_matches(fast: TermMatcher, pure: TermMatcher, text: Any) -> None:
    assert fast.native is not None and fast.find_spans.__self__ is fast.native  # type: ignore[attr-defined]
    assert fast.matches(text) == pure.matches(text)
    spans = fast.find_spans(text)
    assert list(spans.items()) == list(pure.find_spans(text).items())  # the same keys in the same order
    assert all(type(k) is int and all(type(s) is tuple for s in v) for k, v in spans.items())
    assert fast.find(text) == pure.find(text)


# ---- the literal pass (TermMatcher)


@given(
    st.lists(st.text(EDGES, min_size=1, max_size=5), max_size=25),
    st.lists(st.text(EDGES + SURROGATES, max_size=40), max_size=5),
)
def test_matches_and_spans_are_the_reference_ones(keys: list[str], texts: list[str]) -> None:
    fast, pure = twins(keys)
    if fast.native is None:  # no key (all empty): nothing to search with
        assert not any(keys)
        return
    for text in texts:
        same_matches(fast, pure, text)


@given(st.lists(st.text(min_size=1, max_size=4), min_size=1, max_size=20), st.text())
def test_any_unicode(keys: list[str], text: str) -> None:
    keys = [replace_surrogates(k) for k in keys]
    fast, pure = twins(keys)
    same_matches(fast, pure, text)
    same_matches(fast, pure, text + "".join(keys))


def test_the_automaton_reports_in_ahocorasick_rs_order() -> None:
    keys = ["abcd", "bcd", "cd", "d", "bc", "b", "xbcdy", "起诉", "诉", "起诉讼"]
    fast = TermMatcher.from_keys(keys)
    assert isinstance(fast.native, C.Automaton) and fast.matches.__self__ is fast.native  # type: ignore[attr-defined]
    rust = ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.Standard)
    for text in ["xabcdy", "xbcdy", "将起诉讼", "😀abcd起诉讼\ufffd"]:
        assert fast.matches(text) == rust.find_matches_as_indexes(text, overlapping=True)


def test_terms_that_normalize_alike_share_a_pattern() -> None:
    terms = ["起 诉", "起诉", "ＶＸ", "vx", "诉讼", "提起诉讼", ""]
    fast, pure = TermMatcher(terms), pure_matcher(terms)
    assert fast.pattern_ids == pure.pattern_ids and any(len(ids) > 1 for ids in fast.pattern_ids)
    for text in ["要起诉你", "将提起诉讼，加vx", "", "vxvx起诉"]:
        same_matches(fast, pure, text)


def test_keys_with_lone_surrogates_stay_with_ahocorasick_rs() -> None:
    keys = ["ab", "c\ud800", "d"]  # ahocorasick_rs drops the keys from the first it cannot encode on
    matcher = TermMatcher.from_keys(keys)
    assert matcher.native is None
    assert matcher.find_spans("abd") == pure_matcher(keys, keys=keys).find_spans("abd") == {0: [(0, 2)]}


def test_nothing_to_find_and_bad_input() -> None:
    empty = TermMatcher.from_keys([])
    assert empty.native is None and empty.find_spans("起诉") == {} and empty.matches(b"x") == []  # type: ignore[arg-type]
    fast, pure = twins(["起诉", "a"])
    for falsy in ("", None, b"", 0):
        same_matches(fast, pure, falsy)
    for bad in (b"ab", 1, ["a"]):
        for method in ("matches", "find_spans"):
            with pytest.raises(TypeError):
                getattr(pure, method)(bad)
            with pytest.raises(TypeError):
                getattr(fast, method)(bad)
    with pytest.raises(ValueError):
        C.Automaton(["a", "a"], ((0,), (1,)))
    with pytest.raises(ValueError):
        C.Automaton([""], ((0,),))
    with pytest.raises(ValueError):
        C.Automaton(["\udfff"], ((0,),))
    with pytest.raises(TypeError):
        C.Automaton(["a"], ([0],))


def test_the_default_pack_on_synthetic_messages(engine: Any, messages: list[NormalizedText]) -> None:
    fast = engine.pack.literals
    pure = pure_matcher(fast.terms, keys=fast.normalized)
    for ntext in messages:
        same_matches(fast, pure, ntext.text)


def test_a_pack_of_5000_rules_and_long_texts(messages: list[NormalizedText]) -> None:
    literals = sorted(set(re.findall(r'"([^"]+)"', literal_heavy_pack(5000))))
    assert len(literals) > 10_000
    fast, pure = twins(literals)
    for ntext in messages[:300]:
        same_matches(fast, pure, ntext.text)
    long_text = "".join(n.text for n in messages)
    assert len(long_text) > 100_000
    same_matches(fast, pure, long_text[:100_000])
    same_matches(fast, pure, "的" * 100_000)
    same_matches(fast, pure, "\ud800" * 1000 + "起诉" * 1000)


def test_overlapping_keys_on_a_long_run() -> None:
    keys = ["a" * n for n in range(1, 30)]
    fast, pure = twins(keys)
    same_matches(fast, pure, "a" * 3000)


# ---- the term detectors' scan and reads (plugins/_terms.py)


@contextmanager
def _pure_environment() -> Iterator[None]:
    saved = os.environ.get(native.PURE_ENV)
    os.environ[native.PURE_ENV] = "termscan"
    try:
        yield
    finally:
        if saved is None:
            del os.environ[native.PURE_ENV]
        else:
            os.environ[native.PURE_ENV] = saved


@pytest.fixture(scope="module")
def pure() -> ModuleType:
    """plugins/_terms.py executed again with the accelerator off, its matchers built without it too."""
    spec = importlib.util.spec_from_file_location("smsguard_plugins._terms_pure", _terms.__file__)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with _pure_environment():
        spec.loader.exec_module(module)
    assert module._native is None and module._C_TERMS is None
    module.TermMatcher = pure_matcher
    return module


def pair(pure: ModuleType, *lexicons: str, **options: Any) -> tuple[Any, Any]:
    """The same term set from the accelerated module and from the pure one (in a group of its own)."""
    group = options.pop("group", "main")
    fast = _terms.TermSet(*lexicons, group=group, **options)
    slow = pure.TermSet(*lexicons, group=group, **options)
    assert isinstance(fast.read, C.Reader) and slow.read == slow._read
    return fast, slow


def same_hits(fast: list[Any], slow: list[Any]) -> None:
    assert fast == slow
    assert [type(h).__name__ for h in fast] == [type(h).__name__ for h in slow]
    assert all(type(h.start) is int and type(h.end) is int and type(h.fuzzy) is bool for h in fast)


LEXICONS = ("legal_terms", "payment_terms", "credential_terms", "harassment_terms", "urgency_terms")
LEXICONS += ("specificity_terms", "script_terms", "brands", "context", "collectors", "lenders")
COLLECTOR_KINDS = {"collectors": "known_company", "lenders": "lender"}  # as collector.py registers them


def collector_pair(pure: ModuleType, group: str = "main") -> tuple[Any, Any]:
    fuzzy = ("collectors", "lenders")
    return pair(pure, "collectors", "lenders", default_kinds=COLLECTOR_KINDS, fuzzy=fuzzy, group=group)


@pytest.fixture(scope="module")
def detectors(pure: ModuleType) -> list[tuple[Any, Any]]:
    """The term sets of the detectors, and one of three lexicons."""
    pairs = [collector_pair(pure)] + [pair(pure, name) for name in LEXICONS[:9]]
    pairs.append(pair(pure, "legal_terms", "payment_terms", "context"))
    return pairs


@pytest.fixture(scope="module")
def scanners(pure: ModuleType) -> tuple[Any, Any]:
    """Twin scanners of every lexicon, registered in the same order (the order of hits at one span)."""
    collector_pair(pure, "twin")
    for name in LEXICONS[:9]:
        pair(pure, name, group="twin")
    key = (_terms.LEXICON_DIR, "twin")
    return _terms._SCANNERS[key], pure._SCANNERS[key]


def test_the_term_sets_read_what_the_reference_reads(
    detectors: list[tuple[Any, Any]], messages: list[NormalizedText]
) -> None:
    pairs = detectors
    scanner = _terms._SCANNERS[(_terms.LEXICON_DIR, "main")]
    for ntext in messages:
        for fast, slow in pairs:
            text, hits = fast.read(ntext)
            slow_text, slow_hits = slow.read(ntext)
            assert text is _terms.scan_text(ntext) and text == slow_text
            same_hits(hits, slow_hits)
            assert fast.read(ntext)[1] is hits  # once per message
        assert isinstance(scanner.compiled().native, C.LexiconScan)


def test_sets_of_one_lexicon_share_its_read(pure: ModuleType) -> None:
    ntext = default_normalizer().normalize("请于今日转账到安全账户，否则起诉你")
    one, other = _terms.TermSet("legal_terms"), _terms.TermSet("legal_terms")
    assert one.read(ntext)[1] is other.read(ntext)[1]
    slow_one, slow_other = pure.TermSet("legal_terms"), pure.TermSet("legal_terms")
    assert slow_one.read(ntext)[1] is slow_other.read(ntext)[1]


def probe_lexicons(tmp_path: Path) -> Path:
    """Lexicons with every kind of row: ASCII edges, masks, terms that normalize alike, one term in two lexicons."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "probe.txt").write_text(
        "# source: test\n上门\tvisit\n送货上门\tignore\n12368\tcourt\napp\tapp\nab\tpair\n起诉\tlawsuit\n"
        "起 诉\tlawsuit\n永雄资产\tknown\n永雄\tshort\n",
        encoding="utf-8",
    )
    (tmp_path / "other.txt").write_text(
        "# source: test\n上门\tvisit\n门上\tignore\n3a\tshape\n诉讼\tlawsuit\n", encoding="utf-8"
    )
    return tmp_path


PROBE_ALPHABET = "上门送货12368appb3a起诉讼永x雄资产 ,，。、\n*" + SURROGATES


@pytest.mark.parametrize("seed", range(3))
def test_masks_boundaries_and_wedges(pure: ModuleType, tmp_path: Path, seed: int) -> None:
    directory = probe_lexicons(tmp_path / str(seed))
    sets = [
        pair(pure, "probe", directory=directory),
        pair(pure, "other", directory=directory),
        pair(pure, "probe", "other", directory=directory),
        pair(pure, "probe", fuzzy=("probe",), directory=directory),
        pair(pure, "probe", "other", fuzzy=("other",), directory=directory, group="second"),
    ]
    rng = random.Random(seed)
    normalizer = default_normalizer()
    for _ in range(400):
        text = "".join(rng.choice(PROBE_ALPHABET) for _ in range(rng.randrange(0, 30)))
        ntext = normalizer.normalize(text)
        for fast, slow in sets:
            same_hits(fast.find(text), slow.find(text))
            same_hits(fast.read(ntext)[1], slow.read(ntext)[1])
    scan = sets[0][0]._scanner.scan("送货上门，app，12368", "")
    assert isinstance(scan.compiled.native, C.LexiconScan) and scan.masking == {"probe"}


def same_scan(scanners: tuple[Any, Any], text: str) -> None:
    fast, slow = scanners[0].scan(text, ""), scanners[1].scan(text, "")
    assert isinstance(fast.compiled.native, C.LexiconScan) and slow.compiled.native is None
    assert list(fast.by_lexicon) == list(slow.by_lexicon)  # the same lexicons, first hit first
    for name, hits in fast.by_lexicon.items():
        same_hits(hits, slow.by_lexicon[name])
    assert fast.masking == slow.masking and type(fast.masking) is set


@given(st.text(PROBE_ALPHABET + EDGES + "你您请欠款逾期律师函微粒贷招商银行安全账户验证码", max_size=60))
def test_the_scan_of_any_text(detectors: list[tuple[Any, Any]], scanners: tuple[Any, Any], text: str) -> None:
    same_scan(scanners, text)
    for fast, slow in detectors:
        same_hits(fast.find(text), slow.find(text))


def test_the_scan_of_synthetic_messages(scanners: tuple[Any, Any], messages: list[NormalizedText]) -> None:
    for ntext in messages:
        same_scan(scanners, ntext.text)


@given(st.text())
def test_any_unicode_through_the_reads(detectors: list[tuple[Any, Any]], scanners: tuple[Any, Any], text: str) -> None:
    ntext = default_normalizer().normalize(text)
    for fast, slow in detectors:
        assert fast.read(ntext) == slow.read(ntext)
    same_scan(scanners, text)
    same_scan(scanners, ntext.text)


def test_long_texts_are_read_up_to_the_limit(detectors: list[tuple[Any, Any]], messages: list[NormalizedText]) -> None:
    long_text = "".join(n.text for n in messages)[:100_000]
    normalizer = default_normalizer()
    for text in (long_text, "起诉" * 50_000, "", "\ud800" * 30_000):
        ntext = normalizer.normalize(text)
        for fast, slow in detectors:
            text_read, hits = fast.read(ntext)
            assert len(text_read) == min(len(ntext.text), _terms.MAX_SCAN_CHARS)
            same_hits(hits, slow.read(ntext)[1])


def test_the_message_cache(pure: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _terms._message == _terms._C_TERMS.message  # type: ignore[union-attr]
    normalizer = default_normalizer()
    first, second = normalizer.normalize("请还款"), normalizer.normalize("请还款")
    for module in (_terms, pure):
        message = module._message(first)
        assert module._MESSAGE[0] is message and module._message(first) is message
        assert (message.ntext, message.text, message.env, message.reads) == (first, first.text, "", {})
        assert type(message) is module._Message
        monkeypatch.setenv(ENV_PATH, "/some/where")
        assert module.lexicon_env(first) == ""  # read once per message
        assert module.lexicon_env(second) == "/some/where"  # the next message sees the change
        assert module._message(second) is not message and module.scan_text(second) is second.text
        monkeypatch.delenv(ENV_PATH)
    for module in (_terms, pure):
        module._MESSAGE[0] = None
        with pytest.raises(AttributeError):
            module._message(None)
        assert module._MESSAGE[0] is None


def test_reads_take_their_argument_as_the_reference_does(pure: ModuleType) -> None:
    fast, slow = pair(pure, "legal_terms")
    ntext = default_normalizer().normalize("将起诉你")
    assert fast.read(ntext=ntext) == slow.read(ntext=ntext)
    for call in (lambda r: r(), lambda r: r(ntext, ntext), lambda r: r(text=ntext)):
        with pytest.raises(TypeError):
            call(fast.read)
        with pytest.raises(TypeError):
            call(slow.read)
    with pytest.raises(AttributeError):
        fast.read("not a NormalizedText")
    with pytest.raises(AttributeError):
        slow.read("not a NormalizedText")


def test_a_lexicon_path_change_reaches_the_next_message(pure: ModuleType, tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "collectors.txt").write_text("# source: test\n青松智达\n", encoding="utf-8")
    fast, slow = collector_pair(pure)
    normalizer = default_normalizer()
    text = "青松智达提醒您尽快处理欠款"
    before = normalizer.normalize(text)
    assert fast.read(before)[1] == slow.read(before)[1] == []
    monkeypatch.setenv(ENV_PATH, str(tmp_path))
    assert fast.read(before)[1] == []  # the same message: the setting as it was read for it
    after = normalizer.normalize(text)
    same_hits(fast.read(after)[1], slow.read(after)[1])
    assert [h.term for h in fast.read(after)[1]] == ["青松智达"]


def test_the_first_read_of_a_message_is_made_in_c(
    pure: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The C checks the compiled lexicons itself and calls _Scanner.compiled only to build them again."""
    built: list[str] = []
    compiled = _terms._Scanner.compiled

    def counting(self: Any, env: str | None = None) -> Any:
        built.append("compiled")
        return compiled(self, env)

    scanner = _terms._SCANNERS[(_terms.LEXICON_DIR, "main")]
    sets = [_terms.TermSet("legal_terms"), _terms.TermSet("payment_terms")]
    scanner.compiled()
    monkeypatch.setattr(_terms._Scanner, "compiled", counting)
    normalizer = default_normalizer()
    reads = []
    for text in ("将起诉你", "请转账到安全账户", "将起诉你"):
        ntext = normalizer.normalize(text)
        hits = sets[0].read(ntext)[1]
        message, scan = scanner._last_message
        assert message is _terms._MESSAGE[0] and scan.text is _terms.scan_text(ntext)
        assert sets[1].read(ntext) is message.reads[scanner.plain_key("payment_terms")]
        assert scanner._last_message[1] is scan  # one scan, shared by the term sets of the scanner
        reads.append((scan.text, hits))
    assert built == []
    for text, hits in reads:
        same_hits(hits, pure.TermSet("legal_terms").find(text))
    monkeypatch.setenv(ENV_PATH, str(tmp_path))  # built again for the next message, and only then
    for text in ("将起诉你", "请转账到安全账户"):
        sets[0].read(normalizer.normalize(text))
    assert built == ["compiled"] and scanner._compiled.env == str(tmp_path)
    monkeypatch.delenv(ENV_PATH)
    sets[1].read(normalizer.normalize("将起诉你"))
    assert built == ["compiled"] * 2 and scanner._compiled.env == ""


def test_a_lexicon_registered_later_is_read_from_the_next_message(pure: ModuleType, tmp_path: Path) -> None:
    directory = probe_lexicons(tmp_path)
    first = pair(pure, "probe", directory=directory, group="later")
    normalizer = default_normalizer()
    before = normalizer.normalize("送货上门，诉讼，12368")
    same_hits(first[0].read(before)[1], first[1].read(before)[1])
    scanner = first[0]._scanner
    assert scanner._compiled.names == {"probe"}
    second = pair(pure, "other", directory=directory, group="later")  # registered: the scan is built again
    after = normalizer.normalize("送货上门，诉讼，12368 ")
    for fast, slow in (first, second):
        same_hits(fast.read(after)[1], slow.read(after)[1])
    assert scanner._compiled.names == {"probe", "other"}
    assert [h.term for h in second[0].read(after)[1]] == ["上门", "诉讼"]


def test_rare_scanners_go_through_the_methods(pure: ModuleType, tmp_path: Path) -> None:
    """A compiled scan without its C one, and a subclass of _Scanner, are read through the Python methods."""
    directory = probe_lexicons(tmp_path)

    class Scanner(_terms._Scanner):  # type: ignore[name-defined,misc]
        pass

    _terms._SCANNERS[(directory, "subclass")] = Scanner(directory)
    sets = [
        pair(pure, "probe", directory=directory, group="subclass"),
        pair(pure, "probe", "other", fuzzy=("probe",), directory=directory, group="subclass"),
        pair(pure, "probe", directory=directory, group="pure scan"),
    ]
    plain = sets[2][0]._scanner
    normalizer = default_normalizer()
    for i, text in enumerate(["送货上门，app，12368", "永x雄资产上门", "", "起 诉3a门上"] * 3):
        if i % 4 == 0:  # the compiled lexicons, as if built without the accelerator
            compiled = plain.compiled()
            plain._compiled = compiled._replace(native=None)
        ntext = normalizer.normalize(text)
        for fast, slow in sets:
            same_hits(fast.read(ntext)[1], slow.read(ntext)[1])
        assert isinstance(sets[0][0]._scanner, Scanner) and plain._last_message[1].compiled.native is None


def test_the_setting_is_read_as_the_reference_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    env = _terms.lexicon_path_setting
    assert env == _terms._C_TERMS.env  # type: ignore[union-attr]
    monkeypatch.delenv(ENV_PATH, raising=False)
    assert env() == "" == os.environ.get(ENV_PATH, "")
    for value in ("/some/where", "", "/非/ascii", "/bad\udcff"):
        monkeypatch.setenv(ENV_PATH, value)
        assert env() == os.environ.get(ENV_PATH, "") == value
    monkeypatch.setattr(os, "environ", {ENV_PATH: "/stand/in"})
    assert env() == "/stand/in"
    monkeypatch.setattr(os, "environ", {})
    assert env() == ""


@given(st.text("永雄资产信和用管理x3a*-,，。、 \n!?;:" + SURROGATES, max_size=24))
def test_wedges_as_the_pattern_finds_them(text: str) -> None:
    for pairs in (frozenset({"永雄", "雄资", "资产", "信和", "3a", "和信"}), frozenset({"3a"}), frozenset()):
        pattern = _terms._wedge_pattern(pairs)
        assert C.Wedges(*_terms._wedge_ends(pairs)).search(text) is bool(pattern.search(text))


def test_wedges_of_every_short_text() -> None:
    pairs = frozenset({"永雄", "雄产", "3a"})
    pattern, wedges = _terms._wedge_pattern(pairs), C.Wedges(*_terms._wedge_ends(pairs))
    for size in range(5):
        for chars in itertools.product("永雄产x3\n,，。、!?;: \ud800", repeat=size):
            text = "".join(chars)
            assert wedges.search(text) is bool(pattern.search(text)), ascii(text)


def test_no_references_leak(detectors: list[tuple[Any, Any]], messages: list[NormalizedText]) -> None:
    fast_sets = [fast for fast, _ in detectors]
    matcher = TermMatcher.from_keys(["起诉", "诉讼", "a", "ab"])
    texts = [n.text for n in messages[:200]]

    def work() -> None:
        for ntext in messages[:200]:
            for term_set in fast_sets:
                term_set.read(ntext)
        for text in texts:
            matcher.find_spans(text)
            matcher.matches(text + "ab")
            _terms.lexicon_path_setting()

    work()
    gc.collect()
    tracemalloc.start()
    work()
    gc.collect()
    before = tracemalloc.take_snapshot()
    for _ in range(5):
        work()
    gc.collect()
    grown = sum(s.size_diff for s in tracemalloc.take_snapshot().compare_to(before, "filename"))
    tracemalloc.stop()
    assert grown < 50_000


def test_a_term_set_and_its_reader_are_collected(tmp_path: Path) -> None:
    directory = probe_lexicons(tmp_path)
    term_set = _terms.TermSet("probe", "other", directory=directory, group="collected")
    assert isinstance(term_set.read, C.Reader) and term_set._read_key is term_set  # a cycle through the reader
    ref = weakref.ref(term_set)
    del term_set
    gc.collect()
    assert ref() is None


def test_the_detectors_term_sets_use_the_c_reads() -> None:
    for term_set in (_NAME_TERMS, CONTEXT_TERMS):
        assert isinstance(term_set.read, C.Reader)
    for name in DETECTORS:
        assert isinstance(importlib.import_module(f"smsguard_plugins.{name}")._TERMS.read, C.Reader)


# ---- the hits' own steps in C (termscan_fuzzy.c): apply_masks and the sort by hit_order ----

ENTRIES = [
    _termhits.Entry(term, "probe", kind, (), "test")
    for term, kind in (("送货上门", "ignore"), ("门上", "ignore"), ("上门", "visit"), ("起诉", "lawsuit"))
]
IGNORED = [e for e in ENTRIES if e.kind == _termhits.IGNORE]


@st.composite
def hit_lists(draw: st.DrawFn) -> list[_termhits.TermHit]:
    """Hits on a short stretch, so that masks overlap, share starts, end where hits end; zero-length and inverted
    spans included; some hits with the very span of a mask; longer than the C's local buffers sometimes."""
    spans = st.tuples(st.integers(0, 12), st.integers(-2, 6)).map(lambda s: (s[0], s[0] + s[1]))
    hit = st.builds(
        lambda entry, span, fuzzy: _termhits.TermHit(entry, span[0], span[1], fuzzy),
        st.sampled_from(ENTRIES),
        spans,
        st.booleans(),
    )
    hits = draw(st.lists(hit, max_size=draw(st.sampled_from([6, 40, 90]))))
    for mask in [h for h in hits if h.entry.kind == _termhits.IGNORE][: draw(st.integers(0, 3))]:
        hits.insert(draw(st.integers(0, len(hits))), _termhits.TermHit(ENTRIES[2], mask.start, mask.end))
    return hits


def c_masks(hits: list[Any]) -> Any:
    assert _terms._C_TERMS is not None
    return _terms._C_TERMS.apply_masks(hits)


def same_masks(hits: list[Any]) -> None:
    fast, slow = c_masks(hits), _termhits.apply_masks(hits)
    assert type(fast) is type(slow) and [id(h) for h in fast] == [id(h) for h in slow]  # the very hits, in order
    assert (fast is hits) is (slow is hits)


@given(hit_lists())
def test_masks_as_the_reference_applies_them(hits: list[_termhits.TermHit]) -> None:
    same_masks(hits)


@given(hit_lists())
def test_the_sort_is_the_reference_one(hits: list[_termhits.TermHit]) -> None:
    assert _terms._C_TERMS is not None
    fast, slow = list(hits), list(hits)
    _terms._C_TERMS.sort_hits(fast)
    slow.sort(key=_termhits.hit_order)
    assert [id(h) for h in fast] == [id(h) for h in slow]  # stable: equal spans keep their order


def test_masks_at_the_edges() -> None:
    mask, other = IGNORED[0], ENTRIES[2]
    hit = _termhits.TermHit
    cases: list[list[Any]] = [
        [],
        [hit(other, 0, 0)],
        [hit(mask, 0, 0)],
        [hit(mask, 0, 0), hit(other, 0, 0), hit(other, 0, 1)],
        [hit(mask, 2, 6), hit(other, 2, 6), hit(other, 3, 5), hit(other, 5, 7), hit(other, 1, 3), hit(mask, 2, 6)],
        [hit(mask, 2, 4), hit(mask, 2, 8), hit(other, 6, 8), hit(other, 2, 9)],  # one start, two lengths
        [hit(mask, 5, 3), hit(other, 4, 2), hit(other, 5, 3)],  # inverted spans
        [hit(mask, 0, 3), hit(other, 7, 2), hit(other, 1, -5)],
        [hit(mask, 2**59, 2**60), hit(other, 2**59 + 1, 2**59 + 2), hit(other, -(2**60), -(2**60))],
    ]
    for hits in cases:
        same_masks(hits)
        fast, slow = list(hits), list(hits)
        assert _terms._C_TERMS is not None
        _terms._C_TERMS.sort_hits(fast)
        slow.sort(key=_termhits.hit_order)
        assert [id(h) for h in fast] == [id(h) for h in slow]


class _Hit(_termhits.TermHit):  # type: ignore[misc]
    pass


class _Kind(str):
    pass


def outcome(function: Any, hits: list[Any]) -> Any:
    try:
        result = function(hits)
    except Exception as error:  # compared with the reference's
        return type(error), str(error)
    return None if result is None else [id(h) for h in result]


def test_hits_the_c_does_not_read_go_to_the_reference() -> None:
    mask, other = IGNORED[0], ENTRIES[2]
    hit = _termhits.TermHit
    odd_entry = _termhits.Entry("x", "probe", _Kind("ignore"), (), "test")
    rare: list[list[Any]] = [
        [hit(mask, 0, 4), _Hit(other, 1, 2)],  # a subclass of TermHit
        [hit(mask, 0, 4), hit(odd_entry, 1, 2), hit(other, 2, 3)],  # a str subclass for a kind
        [hit(mask, 0, 2**70), hit(other, 1, 2)],  # positions beyond the C's
        [hit(mask, 0, 4), hit(other, 1.0, 2)],  # not ints
        [hit(mask, 0, 4), hit(("t", "probe"), 1, 2)],  # an entry that is no Entry: AttributeError
        [hit(mask, 0, 4), (other, 1, 2)],  # a plain tuple
        [hit(mask, 0, 4), tuple.__new__(hit, ())],  # a TermHit too short: IndexError
        [hit(mask, 0, 4), hit(_termhits.Entry("x", "probe", None, (), "t"), 1, 2)],
    ]
    for hits in rare:
        assert outcome(c_masks, hits) == outcome(_termhits.apply_masks, hits)
    assert _terms._C_TERMS is not None
    for hits in rare[:4]:  # (the C's fallback sorts by item, as the reader always did: the same for TermHits)
        fast, slow = list(hits), list(hits)
        assert outcome(_terms._C_TERMS.sort_hits, fast) == outcome(lambda h: h.sort(key=_termhits.hit_order), slow)
        assert [id(h) for h in fast] == [id(h) for h in slow]
    assert outcome(c_masks, (hit(mask, 0, 4),)) == outcome(_termhits.apply_masks, (hit(mask, 0, 4),))  # type: ignore


def python_calls(action: Any) -> set[str]:
    """The names of the Python functions that run during ``action()``."""
    names: set[str] = set()

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            names.add(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return names


def test_masks_and_the_fuzzy_table_are_read_in_c(pure: ModuleType, tmp_path: Path) -> None:
    directory = probe_lexicons(tmp_path)
    sets = [
        pair(pure, "probe", "other", directory=directory, group="masks_in_c"),
        pair(pure, "probe", "other", fuzzy=("probe",), directory=directory, group="masks_in_c"),
    ]
    normalizer = default_normalizer()
    for fast, _ in sets:
        fast.read(normalizer.normalize("送货上门"))  # the first read builds what is needed
    for text in ("送货上门，门上门，起诉", "永x雄资产送货上门", "门上12368"):
        ntext = normalizer.normalize(text)
        for fast, slow in sets:
            ran = python_calls(functools.partial(fast.read, ntext))
            assert ran.isdisjoint({"apply_masks", "_build_fuzzy", "hit_order"})
            same_hits(fast.read(ntext)[1], slow.read(ntext)[1])


def test_a_rebuilt_fuzzy_table_is_noticed(pure: ModuleType, tmp_path: Path, monkeypatch: Any) -> None:
    directory = probe_lexicons(tmp_path / "built")
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "probe.txt").write_text("# source: test\n信和资产\tknown\n", encoding="utf-8")
    fast, slow = pair(pure, "probe", fuzzy=("probe",), directory=directory, group="rebuilt")
    normalizer = default_normalizer()
    for setting in ("", str(extra), "", str(extra)):
        monkeypatch.setenv(ENV_PATH, setting)
        ntext = normalizer.normalize("永x雄资产，信x和资产")
        hits = fast.read(ntext)[1]
        same_hits(hits, slow.read(ntext)[1])
        assert any(h.fuzzy and h.term == "信和资产" for h in hits) is bool(setting)
        assert fast._fuzzy.compiled is fast._scanner.compiled()  # built again, as the reference builds it
