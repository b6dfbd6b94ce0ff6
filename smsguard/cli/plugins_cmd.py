"""``smsguard plugins``: the installed plugins, their versions, hooks and the signals they declare."""

from __future__ import annotations

import click

from smsguard.cli.common import dumps
from smsguard.errors import SmsguardError
from smsguard.plugins import PluginHost, PluginInfo


@click.command()
@click.option("--all", "show_all", is_flag=True, help="Include the built-in detectors.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per plugin.")
def plugins(show_all: bool, as_json: bool) -> None:
    """List the installed plugins (SMSGUARD_LOAD_PLUGINS limits which load)."""
    try:
        infos = PluginHost.from_entry_points().describe()
    except SmsguardError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    shown = [info for info in infos if show_all or not info.builtin]
    if as_json:
        click.echo(dumps([info.to_dict() for info in shown]))
        return
    if not shown:
        hidden = sum(info.builtin for info in infos)
        click.echo(f"No third-party plugins installed ({hidden} built-in; --all lists them).")
        return
    click.echo("\n\n".join(render_plugin(info) for info in shown))


def render_plugin(info: PluginInfo) -> str:
    """A few lines for one plugin: name and origin, then hooks and what it contributes."""
    origin = f"{info.distribution} {info.version}" if info.distribution else "registered directly"
    lines = [f"{info.name}  {origin}{'  (built-in)' if info.builtin else ''}  [{info.module}]"]
    lines.append(f"  hooks:     {', '.join(info.hooks) or 'none'}")
    for spec in info.signals:
        lines.append(f"  signal:    {spec.name} ({spec.type})  {spec.description}")
    for function in info.functions:
        signature = f"{function.name}({', '.join(function.params)}) -> {function.returns}"
        lines.append(f"  function:  {signature}  {function.description}".rstrip())
    for lexicon in info.lexicons:
        lines.append(f"  lexicon:   {lexicon}")
    for pack in info.rule_packs:
        lines.append(f"  rule pack: {pack}")
    return "\n".join(lines)
