"""The ``smsguard`` command. Each subcommand lives in its own module and is registered here."""

from __future__ import annotations

import click

from smsguard import __version__
from smsguard.cli.check_cmd import check
from smsguard.cli.eval_cmd import eval_cmd
from smsguard.cli.scan_cmd import scan


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="smsguard")
def main() -> None:
    """Judge Chinese SMS about debts, loans and legal threats: scam, illegal collection, scare tactic or real."""


main.add_command(check)
main.add_command(scan)
main.add_command(eval_cmd)
