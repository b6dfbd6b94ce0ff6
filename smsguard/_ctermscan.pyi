"""The C accelerator of smsguard.termscan and plugins/_terms.py (smsguard/_native/termscan*.c)."""

from collections.abc import Callable
from types import ModuleType
from typing import Any

class Automaton:
    """Aho-Corasick over code points: ``keys`` distinct, non-empty, without lone surrogates; ``ids[i]`` are the
    term ids that ``keys[i]`` stands for."""

    def __init__(self, keys: list[str], ids: tuple[tuple[int, ...], ...], /) -> None: ...
    def matches(self, text: str, /) -> list[tuple[int, int, int]]: ...
    def find_spans(self, text: str, /) -> dict[int, list[tuple[int, int]]]: ...

class LexiconScan:
    """The term detectors' scan: ``rows[i]`` are the (entry, lexicon, edge, mask) rows of ``keys[i]``."""

    def __init__(self, automaton: Automaton, rows: tuple[tuple[Any, ...], ...], hit_type: type[Any], /) -> None: ...
    def scan(self, text: str, /) -> tuple[dict[str, list[Any]], set[str]]: ...

class Terms:
    """The per-message steps of plugins/_terms.py over its ``_MESSAGE`` list, ``_Message``, ``_Scanner``, ``_Scan``
    and ``_Compiled``."""

    def __init__(
        self,
        holder: list[Any],
        message_class: type[Any],
        scanner_class: type[Any],
        scan_class: type[Any],
        compiled_class: type[Any],
        max_chars: int,
        env_name: str,
        os: ModuleType,
        fuzzy_hits: Callable[[Any, str], list[Any]],
        apply_masks: Callable[[list[Any]], list[Any]],
        hit_class: type[Any],
        entry_class: type[Any],
        ignore: str,
        /,
    ) -> None: ...
    def message(self, ntext: Any, /) -> Any: ...
    def env(self) -> str: ...
    def apply_masks(self, hits: list[Any], /) -> list[Any]: ...
    def sort_hits(self, hits: list[Any], /) -> None: ...

class Reader:
    """``TermSet.read`` of ``term_set`` (its ``_read``, with ``_read_miss`` and ``_hits``)."""

    def __init__(self, terms: Terms, term_set: Any, /) -> None: ...
    def __call__(self, ntext: Any) -> Any: ...

class Wedges:
    """Whether ``_wedge_pattern`` of the pairs with these Han ends finds anything in a text."""

    def __init__(self, firsts: str, seconds: str, /) -> None: ...
    def search(self, text: str, /) -> bool: ...
