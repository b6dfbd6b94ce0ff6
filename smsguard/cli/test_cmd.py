"""``smsguard test [PATH...]``: run every rule's examples; a hit must fire the rule, a miss must not."""

from __future__ import annotations

import click

from smsguard.cli.lint_cmd import shown_path
from smsguard.engine import Engine, default_pack_path
from smsguard.errors import RulePackError
from smsguard.lang.compiler import compile_or_raise
from smsguard.lint.examples import run_examples
from smsguard.lint.runner import load_layers
from smsguard.normalize import default_normalizer
from smsguard.plugins import PluginHost

_PREVIEW = 40


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option(
    "--no-default", is_flag=True, help="Do not layer the packs on the built-in default pack and the plugins' packs."
)
@click.option("--verbose", "-v", is_flag=True, help="Also list the examples that pass.")
def test_cmd(paths: tuple[str, ...], no_default: bool, verbose: bool) -> None:
    """Run the examples of the rules in PATH (rule files or pack directories; the default pack when none is
    given). Failures are reported as file:line:col. Exit status 1 when an example fails, 2 when a pack does not
    compile."""
    host = PluginHost.from_entry_points()
    layers = load_layers(paths or [shown_path(default_pack_path())], not no_default, host, recover=False)
    normalizer = default_normalizer()
    try:
        pack = compile_or_raise(layers.loaded, host.signal_specs, host.functions(), normalizer, layers.diagnostics)
    except RulePackError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(2) from None
    engine = Engine(pack, host, normalizer)
    total = failed = 0
    for result in run_examples(engine, layers.target_paths):
        total += 1
        loc = result.example.loc
        where = f"{loc.path}:{loc.line}:{loc.column}"
        text = result.example.text
        preview = text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"
        if not result.passed:
            failed += 1
            click.echo(f"{where}: FAIL {result.problem}: {preview!r}")
        elif verbose:
            click.echo(f"{where}: ok {result.example.kind} {result.rule.id}")
    rules = sum(1 for r in pack.rules if r.loc.path in layers.target_paths)
    summary = f"{total} examples of {rules} rules: {total - failed} passed, {failed} failed"
    click.echo(summary, err=True)
    if failed:
        raise SystemExit(1)
