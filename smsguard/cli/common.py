"""Helpers shared by the subcommands: building the engine, writing JSON safely, reporting errors."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from typing import Any, BinaryIO

import click
import orjson

from smsguard.engine import Engine
from smsguard.errors import InputError, SmsguardError
from smsguard.intake import parse_time
from smsguard.model import Message

pack_option = click.option(
    "--pack",
    "packs",
    multiple=True,
    type=click.Path(exists=True),
    help="Rule pack file or directory layered after the default pack (repeatable).",
)
no_default_option = click.option(
    "--no-default", is_flag=True, help="Do not load the built-in default pack (use only --pack)."
)


def build_engine(packs: Sequence[str] = (), no_default: bool = False) -> Engine:
    """The engine for a command, turning load errors into a clean exit with the diagnostics."""
    try:
        if no_default:
            if not packs:
                raise click.UsageError("--no-default needs at least one --pack")
            return Engine.from_paths(*packs, cache=True)
        return Engine.from_paths(*packs, include_default=True, cache=True)
    except SmsguardError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(2) from None


def dumps(obj: Any, *, compact: bool = False) -> str:
    """JSON on one line, readable Chinese, and still valid when the input held lone surrogates."""
    separators = (",", ":") if compact else None
    text = json.dumps(obj, ensure_ascii=False, separators=separators)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(obj, ensure_ascii=True, separators=separators)
    return text


def dumps_bytes(obj: Any) -> bytes:
    """Compact :func:`dumps` as UTF-8, for ``scan``, which pays it on every verdict: orjson writes it in a tenth
    of the time. What orjson refuses (lone surrogates, integers beyond 64 bits, unknown types) goes to ``dumps``;
    a value that is not a finite number (NaN, infinity) is written as ``null``, which is valid JSON, in both.
    """
    try:
        return orjson.dumps(obj)
    except TypeError:
        return dumps(_finite(obj), compact=True).encode("utf-8")


def _finite(obj: Any) -> Any:
    """``obj`` with every NaN or infinite float replaced by None, as orjson writes them."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {key: _finite(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(value) for value in obj]
    return obj


def stdout_bytes() -> BinaryIO:
    return sys.stdout.buffer


def message_from_arguments(text: str, sender: str | None, received_at: str | None) -> Message:
    """The message ``check`` and ``explain`` judge: TEXT, or with ``-`` all of standard input as UTF-8 (one final
    line break dropped, for a text too long for the command line), from ``--sender``, received ``--at``."""
    if text == "-":
        data = sys.stdin.buffer.read()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise click.BadParameter(f"standard input is not UTF-8 (byte {exc.start})", param_hint="TEXT") from None
        text = text.removesuffix("\n").removesuffix("\r")
    try:
        when = parse_time(received_at) if received_at else None
    except InputError as exc:
        raise click.BadParameter(str(exc), param_hint="--at") from None
    return Message(text, sender, when)
