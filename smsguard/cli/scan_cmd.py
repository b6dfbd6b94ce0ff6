"""``smsguard scan FILE|-``: judge a stream of messages, one JSON verdict per line, in input order."""

from __future__ import annotations

import sys
from typing import BinaryIO

import click

from smsguard.cli.common import build_engine, no_default_option, pack_option, stdout_bytes, write_line
from smsguard.engine import Engine
from smsguard.records import InputFormat, Record, read_records


@click.command()
@click.argument("source", type=click.Path(allow_dash=True, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="Input format: JSON Lines objects, or CSV with a header row (text, sender, id, received_at).",
)
@pack_option
@no_default_option
def scan(source: str, fmt: InputFormat, packs: tuple[str, ...], no_default: bool) -> None:
    """Judge every message of SOURCE (a file, or - for standard input)."""
    engine = build_engine(packs, no_default)
    out = stdout_bytes()
    if source == "-":
        run_scan(engine, sys.stdin.buffer, out, fmt)
    else:
        with open(source, "rb") as stream:
            run_scan(engine, stream, out, fmt)
    out.flush()


def run_scan(engine: Engine, stream: BinaryIO, out: BinaryIO, fmt: InputFormat) -> int:
    """Write one line per input record; return how many records there were."""
    count = 0
    for item in read_records(stream, fmt):
        count += 1
        if isinstance(item, Record):
            verdict = engine.check_message(item.message).to_dict()
            write_line(out, {"id": item.id, **verdict} if item.id is not None else verdict)
        else:
            write_line(out, item.to_dict())
    return count
