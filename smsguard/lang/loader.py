"""Read a rule pack from disk: its files, their includes and the lexicon files its lists name.

A pack source is a ``.sg`` file or a directory (every ``.sg`` file in it, sorted). ``include`` and ``file(...)``
paths are relative to the file that names them and may not leave the pack's root directory, so a pack from a
stranger cannot read arbitrary files. ``file("lexicon:NAME")`` reads a lexicon a plugin contributes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path

from smsguard.diagnostics import Diagnostic, make_diagnostic, whole_file
from smsguard.errors import RulePackError, SmsguardError
from smsguard.lang import ast
from smsguard.lang.parser import parse_recovering
from smsguard.lexicon import read_lexicon_file
from smsguard.pack import PackInfo

LEXICON_PREFIX = "lexicon:"


@dataclass(frozen=True, slots=True)
class LoadedPack:
    """The parsed files of one pack, with the terms of every ``file(...)`` list already read."""

    info: PackInfo
    files: tuple[ast.RuleFile, ...]
    file_terms: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    sources: tuple[Path, ...] = ()

    def terms_of(self, rule_file: ast.RuleFile, decl: ast.ListDecl) -> tuple[str, ...]:
        if isinstance(decl.value, ast.StringList):
            return decl.value.items
        return self.file_terms.get((rule_file.path, decl.name), ())


NO_RULE_FILES = "no .sg rule files in this directory"


def load_pack(
    source: Path, lexicons: Mapping[str, Path | Traversable] | None = None, *, recover: bool = False
) -> tuple[LoadedPack, list[Diagnostic]]:
    """Load a pack; return it with every diagnostic found (the pack is partial when there are errors).

    A file with syntax errors is left out, unless ``recover`` keeps the declarations of it that parsed (for
    ``smsguard lint``, which checks them too).
    """
    lexicons = lexicons or {}
    diagnostics: list[Diagnostic] = []
    source = Path(source)
    if source.is_dir():
        root = source.resolve()
        entry_files = sorted(p for p in source.glob("*.sg") if p.is_file())
        if not entry_files:
            raise RulePackError([whole_file(source, NO_RULE_FILES)])
    elif source.is_file():
        root = source.resolve().parent
        entry_files = [source]
    else:
        raise RulePackError([whole_file(source, "no such rule file or directory")])

    files: list[ast.RuleFile] = []
    seen: set[Path] = set()
    pending = list(entry_files)
    while pending:
        path = pending.pop(0)
        resolved = path.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        text, unreadable = _read_rule_file(path)
        if unreadable is not None:
            diagnostics.append(unreadable)
            continue
        rule_file, syntax_errors = parse_recovering(text, str(path))
        diagnostics.extend(syntax_errors)
        if syntax_errors and not recover:
            continue
        files.append(rule_file)
        for item in rule_file.items:
            if isinstance(item, ast.Include):
                target = _inside(root, path.parent / item.path)
                if target is None or not target.is_file():
                    reason = "leaves the pack's directory" if target is None else "does not exist"
                    diagnostics.append(make_diagnostic(item.loc, f"included file {item.path!r} {reason}", source=text))
                else:
                    pending.append(target)

    file_terms: dict[tuple[str, str], tuple[str, ...]] = {}
    lexicon_paths: list[Path] = []
    for rule_file in files:
        for item in rule_file.items:
            if isinstance(item, ast.ListDecl) and isinstance(item.value, ast.FileRef):
                terms, problem, used = _read_list_file(root, Path(rule_file.path), item.value, lexicons)
                if problem:
                    diagnostics.append(make_diagnostic(item.value.loc, problem, source=rule_file.source))
                file_terms[(rule_file.path, item.name)] = terms
                if used is not None:
                    lexicon_paths.append(used)

    headers = [(f, f.header) for f in files if f.header is not None]
    for rule_file, header in headers[1:]:
        assert header is not None
        diagnostics.append(make_diagnostic(header.loc, "a pack has only one 'pack' header", source=rule_file.source))
    if headers and headers[0][1] is not None:
        info = PackInfo(headers[0][1].name, headers[0][1].version, str(source))
    else:
        info = PackInfo(source.stem, "0", str(source))
    sources = tuple(sorted({Path(f.path).resolve() for f in files} | set(lexicon_paths)))
    return LoadedPack(info, tuple(files), file_terms, sources), diagnostics


def _inside(root: Path, candidate: Path) -> Path | None:
    resolved = candidate.resolve()
    return resolved if resolved.is_relative_to(root) else None


def _read_list_file(
    root: Path, rule_path: Path, ref: ast.FileRef, lexicons: Mapping[str, Path | Traversable]
) -> tuple[tuple[str, ...], str, Path | None]:
    if ref.path.startswith(LEXICON_PREFIX):
        name = ref.path[len(LEXICON_PREFIX) :]
        lexicon = lexicons.get(name)
        if lexicon is None:
            return (), f"no plugin provides the lexicon {name!r}", None
        try:
            entries = read_lexicon_file(lexicon)
        except SmsguardError as exc:
            return (), str(exc), None
        return tuple(e.term for e in entries), "", Path(str(lexicon))
    target = _inside(root, rule_path.parent / ref.path)
    if target is None:
        return (), f"lexicon file {ref.path!r} leaves the pack's directory", None
    if not target.is_file():
        return (), f"lexicon file {ref.path!r} does not exist", None
    try:
        entries = read_lexicon_file(target)
    except SmsguardError as exc:
        return (), str(exc), None
    return tuple(e.term for e in entries), "", target


def _read_rule_file(path: Path) -> tuple[str, Diagnostic | None]:
    """The text of a rule file (a byte order mark dropped), or a diagnostic saying why it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return "", whole_file(path, f"cannot read rule file: {exc.strerror or exc}")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line = data.count(b"\n", 0, start) + 1
        column = len(data[data.rfind(b"\n", 0, start) + 1 : start].decode("utf-8", "replace")) + 1
        return "", Diagnostic(str(path), line, column, "error", "rule file is not UTF-8 text (save it as UTF-8)")
