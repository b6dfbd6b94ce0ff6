"""The ``smsguard`` command. Each subcommand lives in its own module and is registered here."""

from __future__ import annotations

import errno
import os
import sys
from typing import Any

import click

from smsguard import __version__
from smsguard.cli.check_cmd import check
from smsguard.cli.eval_cmd import eval_cmd
from smsguard.cli.explain_cmd import explain_cmd
from smsguard.cli.fmt_cmd import fmt
from smsguard.cli.lint_cmd import lint
from smsguard.cli.new_plugin_cmd import new_plugin
from smsguard.cli.plugins_cmd import plugins
from smsguard.cli.scan_cmd import scan
from smsguard.cli.test_cmd import test_cmd


class _Main(click.Group):
    """The command group; an operating-system error that no command handled (writing to a full disk, say) ends
    the command with one line on stderr and status 2 instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # buffered output fails here, not in the interpreter's flush at exit
            return result
        except OSError as exc:
            if exc.errno is None or exc.errno == errno.EPIPE:
                raise  # a closed pipe: click leaves quietly; no errno: a bug, whose traceback is wanted
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"smsguard {ctx.invoked_subcommand}: {where}{exc.strerror}", err=True)
            _discard_stdout()
            raise SystemExit(2) from None


def _discard_stdout() -> None:
    """Send what is left in the buffers of standard output to the null device, so that its flush at exit cannot
    fail again and print a second report."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):  # not a real file (a test runner's capture)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from smsguard.native import status

    used = status()
    native = [name for name, on in used.items() if on]
    pure = [name for name, on in used.items() if not on]
    click.echo(f"smsguard {__version__}")
    click.echo(f"native accelerators: {', '.join(native) or 'none'}")
    click.echo(f"pure Python: {', '.join(pure) or 'none'}")
    ctx.exit()


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and which native accelerators are in use, then exit.",
)
def main() -> None:
    """Judge Chinese SMS about debts, loans and legal threats: scam, illegal collection, scare tactic or real."""


main.add_command(check)
main.add_command(scan)
main.add_command(eval_cmd)
main.add_command(plugins)
main.add_command(new_plugin)
main.add_command(lint)
main.add_command(fmt)
main.add_command(test_cmd)
main.add_command(explain_cmd)
