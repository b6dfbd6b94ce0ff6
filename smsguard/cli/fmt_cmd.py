"""``smsguard fmt PATH... [--check]``: rewrite rule files in the one canonical layout, comments kept."""

from __future__ import annotations

import difflib
import os
import sys
import tempfile
from pathlib import Path

import click

from smsguard.errors import RulePackError
from smsguard.lang.formatter import format_source


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file is not formatted.")
@click.option("--diff", "show_diff", is_flag=True, help="Change nothing; print what would change.")
def fmt(paths: tuple[str, ...], check: bool, show_diff: bool) -> None:
    """Format rule files (.sg files, or every .sg file under a directory; - reads standard input and writes the
    result to standard output). Exit status 1 with --check when a file would change, or on a syntax error."""
    failed = False
    for path in paths:
        if path == "-":
            failed |= _format_stdin(check)
            continue
        for file in _rule_files(Path(path)):
            failed |= _format_file(file, check or show_diff, show_diff)
    if failed:
        raise SystemExit(1)


def _rule_files(path: Path) -> list[Path]:
    return sorted(path.rglob("*.sg")) if path.is_dir() else [path]


def _format_stdin(check: bool) -> bool:
    source = sys.stdin.read()
    try:
        formatted = format_source(source, "<stdin>")
    except RulePackError as exc:
        click.echo(str(exc), err=True)
        return True
    if check:
        return formatted != source
    click.echo(formatted, nl=False)
    return False


def _format_file(path: Path, dry_run: bool, show_diff: bool) -> bool:
    """Format one file; True when it has a syntax error or (in a dry run) would change."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"{path}: cannot read: {exc}", err=True)
        return True
    try:
        formatted = format_source(source, str(path))
    except RulePackError as exc:
        click.echo(str(exc), err=True)
        return True
    if formatted == source:
        return False
    if show_diff:
        lines = difflib.unified_diff(
            source.splitlines(keepends=True), formatted.splitlines(keepends=True), str(path), str(path)
        )
        click.echo("".join(lines), nl=False)
    if dry_run:
        click.echo(f"would reformat {path}", err=True)
        return True
    _write(path, formatted)
    click.echo(f"reformatted {path}", err=True)
    return False


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
