"""The ``smsguard`` command. Each subcommand lives in its own module and is registered here."""

from __future__ import annotations

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="smsguard")
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
