"""``smsguard fmt PATH... [--check] [--diff]``: rewrite rule files in the one canonical layout, comments kept."""

from __future__ import annotations

import difflib
import os
import sys
import tempfile
from pathlib import Path

import click

from smsguard.diagnostics import whole_file
from smsguard.errors import RulePackError
from smsguard.lang.formatter import format_source
from smsguard.lang.loader import NO_RULE_FILES


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file is not formatted.")
@click.option(
    "--diff", "show_diff", is_flag=True, help="Change nothing; print what would change and exit 1 if anything would."
)
def fmt(paths: tuple[str, ...], check: bool, show_diff: bool) -> None:
    """Format rule files (.sg files, or every .sg file under a directory; - reads standard input and writes the
    result to standard output). Exit status 1 with --check or --diff when a file would change, on a syntax error,
    or for a directory without .sg files."""
    dry_run = check or show_diff
    failed = False
    for path in paths:
        if path == "-":
            failed |= _format_stdin(dry_run, show_diff)
            continue
        files = _rule_files(Path(path))
        if not files:
            click.echo(whole_file(path, NO_RULE_FILES).render(), err=True)
            failed = True
        for file in files:
            failed |= _format_file(file, dry_run, show_diff)
    if failed:
        raise SystemExit(1)


def _rule_files(path: Path) -> list[Path]:
    return sorted(path.rglob("*.sg")) if path.is_dir() else [path]


def _format_stdin(dry_run: bool, show_diff: bool) -> bool:
    """Format standard input to standard output; True when it has a syntax error or (in a dry run) would change."""
    source = sys.stdin.read()
    formatted = _formatted(source, "<stdin>")
    if formatted is None:
        return True
    if dry_run:
        return _report_change(source, formatted, "<stdin>", show_diff)
    click.echo(formatted, nl=False)
    return False


def _format_file(path: Path, dry_run: bool, show_diff: bool) -> bool:
    """Format one file; True when it has a syntax error or (in a dry run) would change."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"{path}: cannot read: {exc}", err=True)
        return True
    formatted = _formatted(source, str(path))
    if formatted is None:
        return True
    if dry_run:
        return _report_change(source, formatted, str(path), show_diff)
    if formatted != source:
        _write(path, formatted)
        click.echo(f"reformatted {path}", err=True)
    return False


def _formatted(source: str, name: str) -> str | None:
    """The formatted source, or None after printing its syntax errors."""
    try:
        return format_source(source, name)
    except RulePackError as exc:
        click.echo(str(exc), err=True)
        return None


def _report_change(source: str, formatted: str, name: str, show_diff: bool) -> bool:
    """Say whether ``name`` would change (with the unified diff when asked); True when it would."""
    if formatted == source:
        return False
    if show_diff:
        lines = difflib.unified_diff(source.splitlines(keepends=True), formatted.splitlines(keepends=True), name, name)
        click.echo("".join(lines), nl=False)
    click.echo(f"would reformat {name}", err=True)
    return True


def _write(path: Path, text: str) -> None:
    """Replace the file in one step, so an interrupted run never leaves half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
