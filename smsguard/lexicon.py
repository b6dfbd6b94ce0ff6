"""Lexicon files: plain-text lists that users extend without touching code.

Format: one entry per line; ``#`` starts a comment; an entry may carry attributes after a tab
(``95588<TAB>工商银行``). A ``# source: ...`` comment names where the following group of entries comes from.

A lexicon is looked up by name (``lenders`` -> ``lenders.txt``) in the plugin's own directory, then every
directory on ``SMSGUARD_LEXICON_PATH`` (``os.pathsep``-separated) adds its file of the same name, so a user
extends a built-in list by dropping a file next to nothing else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources.abc import Traversable
from pathlib import Path

from smsguard.errors import SmsguardError

ENV_PATH = "SMSGUARD_LEXICON_PATH"


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """One line of a lexicon: the term, its tab-separated attributes, and the source comment above it."""

    term: str
    attributes: tuple[str, ...] = ()
    source: str = ""


def parse_lexicon(text: str) -> tuple[LexiconEntry, ...]:
    """Parse the text of a lexicon file."""
    entries: list[LexiconEntry] = []
    source = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            comment = line.lstrip("#").strip()
            if comment.lower().startswith("source:"):
                source = comment.split(":", 1)[1].strip()
            continue
        fields = [f.strip() for f in raw.split("\t")]
        term = fields[0].split("#", 1)[0].strip()
        if term:
            entries.append(LexiconEntry(term, tuple(f for f in fields[1:] if f), source))
    return tuple(entries)


def read_lexicon_file(path: Path | Traversable) -> tuple[LexiconEntry, ...]:
    try:
        return parse_lexicon(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SmsguardError(f"cannot read lexicon {path}: {exc}") from exc


def extension_dirs() -> tuple[Path, ...]:
    """Directories named by ``SMSGUARD_LEXICON_PATH``, in order."""
    value = os.environ.get(ENV_PATH, "")
    return tuple(Path(p) for p in value.split(os.pathsep) if p)


def load_lexicon(builtin_dir: Path | Traversable, name: str) -> tuple[LexiconEntry, ...]:
    """The built-in lexicon ``name`` plus every user extension of the same name, duplicates dropped."""
    return _load_cached(str(builtin_dir), name, extension_dirs())


@lru_cache(maxsize=256)
def _load_cached(builtin_dir: str, name: str, extra_dirs: tuple[Path, ...]) -> tuple[LexiconEntry, ...]:
    filename = f"{name}.txt"
    entries = list(read_lexicon_file(Path(builtin_dir) / filename))
    for directory in extra_dirs:
        candidate = directory / filename
        if candidate.is_file():
            entries.extend(read_lexicon_file(candidate))
    seen: set[str] = set()
    unique: list[LexiconEntry] = []
    for entry in entries:
        if entry.term not in seen:
            seen.add(entry.term)
            unique.append(entry)
    return tuple(unique)


def terms(entries: tuple[LexiconEntry, ...]) -> tuple[str, ...]:
    return tuple(e.term for e in entries)
