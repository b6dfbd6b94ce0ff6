"""``smsguard lint PATH...``: every error and warning of rule packs, in one run."""

from __future__ import annotations

from pathlib import Path

import click

from smsguard.cli.common import dumps
from smsguard.engine import default_pack_path
from smsguard.lint import CHECKS, lint_paths


def shown_path(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it (shorter file:line:col lines)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, not only on errors.")
@click.option(
    "--no-default", is_flag=True, help="Do not layer the packs on the built-in default pack and the plugins' packs."
)
@click.option("--ignore", multiple=True, metavar="CHECK", help="Skip a check by its id (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per finding instead of text.")
@click.option("--list-checks", is_flag=True, help="List every check with its id and severity, then exit.")
def lint(
    paths: tuple[str, ...], strict: bool, no_default: bool, ignore: tuple[str, ...], as_json: bool, list_checks: bool
) -> None:
    """Check rule packs (files or directories; the default pack when none is given) and report every problem
    as path:line:col: severity: message. Exit status 1 when there are errors (or warnings, with --strict)."""
    if list_checks:
        for check in CHECKS:
            click.echo(f"{check.id:<22} {check.severity:<8} {check.summary()}")
        return
    known = {c.id for c in CHECKS}
    unknown = sorted(set(ignore) - known)
    if unknown:
        raise click.BadParameter(f"no check named {', '.join(unknown)}", param_hint="--ignore")
    report = lint_paths(paths or [shown_path(default_pack_path())], base=not no_default, ignore=ignore)
    for diagnostic in report.diagnostics:
        if as_json:
            click.echo(
                dumps(
                    {
                        "path": diagnostic.path,
                        "line": diagnostic.line,
                        "column": diagnostic.column,
                        "severity": diagnostic.severity,
                        "check": diagnostic.code,
                        "message": diagnostic.message,
                    }
                )
            )
        else:
            click.echo(diagnostic.render())
    errors, warnings, notes = (report.count(s) for s in ("error", "warning", "info"))
    summary = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    click.echo(summary + (f", {notes} note{'s' * (notes != 1)}" if notes else ""), err=True)
    if report.failed(strict):
        raise SystemExit(1)
