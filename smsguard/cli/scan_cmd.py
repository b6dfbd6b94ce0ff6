"""``smsguard scan FILE|-``: judge a stream of messages, one JSON line per input line, in input order.

The input is read in chunks and never held whole, so memory stays flat whatever its size. With ``--jobs N``
the chunks are judged by N worker processes while at most a few chunks per worker are in flight, and the
workers write the results themselves, in input order (see :mod:`smsguard.cli.scan_workers`).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import itertools
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import BinaryIO

import click

from smsguard.cli.common import build_engine, dumps_bytes, no_default_option, pack_option, stdout_bytes
from smsguard.cli.progress import Progress, ScanStats, render_summary
from smsguard.cli.scan_workers import Chunk, Judged, WorkerDied, run_workers
from smsguard.engine import Engine
from smsguard.intake import batched
from smsguard.model import Message, Verdict
from smsguard.records import InputFormat, Record, RecordError, jsonl_records, read_records

CHUNK_RECORDS = 256


@click.command()
@click.argument("source", type=click.Path(allow_dash=True, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="Input format: JSON Lines objects, or CSV with a header row naming the columns.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes, at most one per CPU; 0 means one per CPU. Output order is the input order whatever the "
    "number.",
)
@click.option("--progress/--no-progress", default=None, help="Progress line on stderr [default: when a terminal].")
@click.option(
    "--summary/--no-summary", default=None, help="Counts and rate on stderr at the end [default: when a terminal]."
)
@pack_option
@no_default_option
def scan(
    source: str,
    fmt: InputFormat,
    jobs: int,
    progress: bool | None,
    summary: bool | None,
    packs: tuple[str, ...],
    no_default: bool,
) -> None:
    """Judge every message of SOURCE (a file, or - for standard input) and write JSON Lines to standard output:
    exactly one object per input line (per CSV row), in input order.

    JSON Lines input: one object a line with the keys text (required), sender (a string or a whole number), id (a
    string or an integer, carried through to the output) and received_at (ISO 8601), the last three optional. CSV
    input: a header row naming the columns, one of them text (sender, id, received_at optional; names match
    whatever their case and surrounding spaces).

    Each output line is the verdict, with the id first when there is one, or {"line": N, "error": "..."} (and the
    id when known) for a line that cannot be judged: invalid JSON, not UTF-8, blank, or a field of the wrong type.
    A UTF-8 byte order mark at the start of the input is ignored.
    """
    engine = build_engine(packs, no_default)
    factory = functools.partial(build_engine, packs, no_default)
    cpus = os.cpu_count() or 1
    if jobs > cpus:
        click.echo(f"smsguard scan: --jobs {jobs} capped at {cpus}, the number of CPUs", err=True)
    jobs = min(jobs, cpus) or cpus
    on_terminal = _stderr_is_tty()
    show_progress = on_terminal if progress is None else progress
    show_summary = on_terminal if summary is None else summary
    out = stdout_bytes()
    started = time.perf_counter()
    # The engine's tables live as long as the scan: frozen, the collector stops walking them at every full
    # collection (about 5% of a long scan), and forked workers (the start method on Linux) do not copy their
    # pages by touching them. What a caller had frozen already stays frozen.
    thaw = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        with _open_source(source) as stream:
            stats = run_scan(
                engine,
                stream,
                out,
                fmt,
                jobs=jobs,
                engine_factory=factory,
                progress=show_progress,
                total_bytes=None if source == "-" else os.fstat(stream.fileno()).st_size,
            )
        out.flush()
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        raise SystemExit(130) from None
    except WorkerDied as exc:
        click.echo(f"smsguard scan: {exc}", err=True)
        raise SystemExit(2) from None
    finally:
        if thaw:
            gc.unfreeze()
    if show_summary:
        click.echo(render_summary(stats, time.perf_counter() - started), err=True)


def _open_source(source: str) -> AbstractContextManager[BinaryIO]:
    if source == "-":
        return contextlib.nullcontext(sys.stdin.buffer)
    try:
        return open(source, "rb")
    except OSError as exc:
        click.echo(f"smsguard scan: {source}: cannot read ({exc.strerror})", err=True)
        raise SystemExit(2) from None


def run_scan(
    engine: Engine,
    stream: BinaryIO,
    out: BinaryIO,
    fmt: InputFormat,
    *,
    jobs: int = 1,
    engine_factory: Callable[[], Engine] | None = None,
    start_method: str | None = None,
    progress: bool = False,
    total_bytes: int | None = None,
) -> ScanStats:
    """Write one line per input record, in order; return the counts.

    With ``jobs`` > 1 the records are judged in worker processes, started with ``start_method`` or else the
    platform's default. Under ``fork`` each worker starts from a copy of ``engine`` (without a factory, ``fork``
    is used wherever the platform has it); under ``spawn`` or ``forkserver`` a worker cannot inherit the engine
    and calls ``engine_factory`` instead, which must then be given and be picklable (a module-level function or
    a :func:`functools.partial` of one) and build the same engine, plugins included. Forked workers write to
    ``out`` themselves when it has a file descriptor (they share it), taking turns in input order; otherwise
    they send their output to this process, which writes it. A worker process that dies raises
    :class:`~smsguard.cli.scan_workers.WorkerDied`; an exception raised in a worker is raised here.
    """
    if start_method is None and engine_factory is None and "fork" in multiprocessing.get_all_start_methods():
        start_method = "fork"  # the engine is inherited, whatever the platform's default start method is
    context = multiprocessing.get_context(start_method)
    if jobs > 1 and context.get_start_method() != "fork" and engine_factory is None:
        raise ValueError(
            f"scanning with {jobs} jobs under the {context.get_start_method()!r} start method needs an "
            "engine_factory: worker processes cannot inherit the engine"
        )
    stats = ScanStats()
    reader = _ChunkReader(stream, fmt)
    bar = Progress(sys.stderr, total_bytes) if progress else None

    def written(counts: ScanStats, bytes_done: int) -> None:
        stats.add(counts)
        if bar is not None:
            bar.update(stats.records, bytes_done)

    try:
        if jobs <= 1:
            for chunk in reader:
                data, counts = judge_chunk(engine, chunk)
                out.write(data)
                written(counts, reader.bytes_read)
        else:
            run_workers(
                engine, engine_factory, context, reader, lambda: reader.bytes_read, out, judge_chunk, written, jobs
            )
    finally:
        if bar is not None:
            bar.update(stats.records, reader.bytes_read, final=True)
            bar.close()
    return stats


def judge_chunk(engine: Engine, chunk: Chunk) -> Judged:
    """The output lines of one chunk, and its counts."""
    stats = ScanStats()
    items = list(_records(chunk))
    verdicts = _verdicts(engine, [item.message for item in items if isinstance(item, Record)])
    lines: list[bytes] = []
    for item in items:
        stats.records += 1
        if isinstance(item, Record):
            verdict = next(verdicts)
            if isinstance(verdict, str):
                stats.bad_records += 1
                failed = RecordError(item.line, item.id, f"could not judge this message: {verdict}")
                lines.append(dumps_bytes(failed.to_dict()))
                continue
            stats.categories[verdict.category] += 1
            if verdict.errors:
                stats.plugin_failures += 1
            data = verdict.to_dict()
            obj = {"id": item.id, **data} if item.id is not None else data
        else:
            stats.bad_records += 1
            obj = item.to_dict()
        lines.append(dumps_bytes(obj))
    lines.append(b"")
    return b"\n".join(lines) if len(lines) > 1 else b"", stats


def _verdicts(engine: Engine, messages: list[Message]) -> Iterator[Verdict | str]:
    """The verdicts of a chunk's messages, judged in batches; the name of the error for each message that cannot
    be judged (never lose the rest of the scan to one message)."""
    for batch in batched(messages):
        for verdict in engine.verdicts_or_errors(batch):
            yield type(verdict).__name__ if isinstance(verdict, Exception) else verdict


def _records(chunk: Chunk) -> Iterator[Record | RecordError]:
    if isinstance(chunk, list):
        yield from chunk
        return
    first_line, raw = chunk
    yield from jsonl_records(raw, first_line)


class _ChunkReader:
    """Chunks of at most ``CHUNK_RECORDS`` records, read lazily; counts the bytes consumed for progress."""

    def __init__(self, stream: BinaryIO, fmt: InputFormat) -> None:
        self.stream = stream
        self.fmt = fmt
        self.bytes_read = 0

    def __iter__(self) -> Iterator[Chunk]:
        if self.fmt == "csv":
            yield from self._csv_chunks()
            return
        first = 1
        while lines := list(itertools.islice(self.stream, CHUNK_RECORDS)):
            self.bytes_read += sum(map(len, lines))
            yield first, lines
            first += len(lines)

    def _csv_chunks(self) -> Iterator[Chunk]:
        counted = io.BufferedReader(_CountingReader(self.stream, self))
        chunk: list[Record | RecordError] = []
        for item in read_records(counted, "csv"):
            chunk.append(item)
            if len(chunk) >= CHUNK_RECORDS:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


class _CountingReader(io.RawIOBase):
    """A readable binary stream over another that reports the bytes read to the chunk reader."""

    def __init__(self, stream: BinaryIO, owner: _ChunkReader) -> None:
        super().__init__()
        self._stream = stream
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        self._owner.bytes_read += len(data)
        buffer[: len(data)] = data
        return len(data)


def _stderr_is_tty() -> bool:
    return sys.stderr.isatty()
