"""An on-disk cache of loaded rule packs, so start-up does not parse the same rule files again.

Compiled conditions are closures and cannot be stored, and compiling is quick; parsing is what costs (the
Lark grammar is built, every file is parsed). So the cache keeps the parsed packs (:class:`LoadedPack`: syntax
trees and the terms of every list file) with the diagnostics loading gave, and compilation runs on them as
usual.

An entry is used only when everything it was made from is unchanged: the smsguard version, the Python version,
the plugins loaded and the lexicons they provide, the pack paths asked for, the ``.sg`` files in each pack
directory, and the content (SHA-256) of every rule and lexicon file read. Anything else is a miss, and a cache
that cannot be read or written is skipped silently: the cache can only save time, never change a verdict.

The cache lives in ``$SMSGUARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/smsguard``, else ``~/.cache/smsguard``.
``SMSGUARD_CACHE=0`` turns it off. Entries are pickles, and reading a pickle can run code, so an entry is read
only when both it and the directory belong to the user running smsguard and nobody else may write to them; a
directory shared with others is not used at all. The newest ``MAX_ENTRIES`` entries are kept (reading one
counts as new), older ones are deleted when an entry is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from smsguard import __version__
from smsguard.diagnostics import Diagnostic
from smsguard.lang.loader import LoadedPack

ENV_DIR = "SMSGUARD_CACHE_DIR"
ENV_SWITCH = "SMSGUARD_CACHE"
FORMAT = 1
MAX_ENTRIES = 16
log = logging.getLogger(__name__)

Loaded = tuple[list[LoadedPack], list[Diagnostic]]


def default_cache_dir() -> Path:
    configured = os.environ.get(ENV_DIR)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "smsguard"


def cache_enabled() -> bool:
    """False when ``SMSGUARD_CACHE`` says off (0, off, false, no)."""
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in ("0", "off", "false", "no")


@dataclass(frozen=True, slots=True)
class _Entry:
    format: int
    fingerprint: tuple[tuple[str, str], ...]
    listings: tuple[tuple[str, tuple[str, ...]], ...]
    loaded: list[LoadedPack]
    diagnostics: list[Diagnostic]


class PackCache:
    """Loaded rule packs stored by what they were loaded from; see the module docstring."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else default_cache_dir()
        self.hits = 0
        self.misses = 0

    def key(self, sources: Sequence[Path], context: Mapping[str, str]) -> str:
        """The entry name for these pack sources under this context (plugins, lexicons)."""
        parts = [f"format={FORMAT}", f"smsguard={__version__}", f"python={sys.version_info[:2]}"]
        parts += [f"{name}={value}" for name, value in sorted(context.items())]
        parts += [f"source={Path(s).resolve()}" for s in sources]
        return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def get(self, sources: Sequence[Path], context: Mapping[str, str]) -> Loaded | None:
        path = self.directory / f"pack-{self.key(sources, context)}.pickle"
        try:
            with path.open("rb") as stream:
                if not (_private(os.fstat(stream.fileno())) and _private(os.stat(self.directory))):
                    log.debug("pack cache entry %s is not private to this user: not read", path)
                    self.misses += 1
                    return None
                entry = pickle.load(stream)
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception:  # a truncated, foreign or outdated file is a miss, never an error
            log.debug("unreadable pack cache entry %s", path, exc_info=True)
            self.misses += 1
            return None
        if not isinstance(entry, _Entry) or entry.format != FORMAT or not _still_valid(entry, sources):
            self.misses += 1
            return None
        self.hits += 1
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept when older entries are pruned
        return list(entry.loaded), list(entry.diagnostics)

    def put(self, sources: Sequence[Path], context: Mapping[str, str], loaded: Loaded) -> None:
        packs, diagnostics = loaded
        if any(d.is_error for d in diagnostics):
            return  # a broken pack is reported afresh each time, with the current files
        files = sorted({str(p) for pack in packs for p in pack.sources})
        try:
            entry = _Entry(
                FORMAT,
                tuple((f, _digest(Path(f))) for f in files),
                _listings(sources),
                list(packs),
                list(diagnostics),
            )
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not _private(os.stat(self.directory)):
                log.debug("pack cache directory %s is not private to this user: not written", self.directory)
                return
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".pack-", suffix=".tmp")
            with os.fdopen(fd, "wb") as stream:
                pickle.dump(entry, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.directory / f"pack-{self.key(sources, context)}.pickle")
            self._prune()
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            log.debug("could not write the pack cache in %s", self.directory, exc_info=True)

    def _prune(self) -> None:
        """Delete all but the ``MAX_ENTRIES`` most recently used entries."""
        entries = sorted(self.directory.glob("pack-*.pickle"), key=_used_at, reverse=True)
        for stale in entries[MAX_ENTRIES:]:
            with contextlib.suppress(OSError):
                stale.unlink()


def _used_at(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _private(status: os.stat_result) -> bool:
    """Whether a file or directory belongs to the user running smsguard and only that user may write to it."""
    if not hasattr(os, "getuid"):  # Windows: no owners in this sense; a profile directory is private already
        return True
    return status.st_uid == os.getuid() and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listings(sources: Sequence[Path]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The ``.sg`` files of every directory source: a new or removed file changes what a pack is."""
    return tuple(
        (str(source), tuple(sorted(p.name for p in Path(source).glob("*.sg"))))
        for source in sources
        if Path(source).is_dir()
    )


def _still_valid(entry: _Entry, sources: Sequence[Path]) -> bool:
    try:
        if entry.listings != _listings(sources):
            return False
        return all(_digest(Path(path)) == digest for path, digest in entry.fingerprint)
    except OSError:
        return False
