"""``smsguard scan --jobs N`` workers writing their own output in turn (smsguard/cli/scan_workers.py): the bytes
equal those of one job whatever the order chunks finish in, the parent never writes them, and failures (a worker
that raises or dies, a closed pipe, a full disk) end the scan cleanly instead of hanging it."""

from __future__ import annotations

import contextlib
import errno
import io
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from smsguard import Engine
from smsguard.cli import scan_cmd
from smsguard.cli.progress import ScanStats
from smsguard.cli.scan_cmd import CHUNK_RECORDS, judge_chunk, run_scan
from smsguard.cli.scan_workers import IN_FLIGHT_PER_JOB, Chunk, Judged, RemoteTraceback, WorkerDied, run_workers

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from synth import write_jsonl

PACK = """
category bad { title: "bad" threshold: 0.5 priority: 10 risk: high }
category normal { title: "ok" threshold: 0 priority: 0 risk: none fallback: true }
rule threat { category: bad weight: 2 when: any("起诉", "律师函") }
"""
CLI = [sys.executable, "-c", "from smsguard.cli import main; main()", "scan"]


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("workers") / "pack.sg"
    path.write_text(PACK, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def engine(pack: Path) -> Engine:
    return Engine.from_paths(pack, load_entrypoints=False)


def jsonl(count: int, seed: int = 1) -> bytes:
    """Records of every kind a chunk may hold: verdicts with and without ids, bad JSON, blank and non-UTF-8 lines,
    lone surrogates, long texts; a byte order mark first."""
    rng = random.Random(seed)
    lines = []
    for i in range(count):
        kind = rng.randrange(40)
        if kind == 0:
            lines.append(b"{broken")
        elif kind == 1:
            lines.append(b"")
        elif kind == 2:
            lines.append(b'{"text": "\xff\xfe"}')
        elif kind == 3:
            lines.append(b'{"id": %d, "text": "\\ud800\xe8\xb5\xb7\xe8\xaf\x89"}' % i)
        elif kind == 4:
            lines.append(json.dumps({"id": f"x{i}", "text": "请尽快处理" * rng.randrange(200, 2000)}).encode())
        else:
            text = "我们将起诉你" if rng.random() < 0.4 else f"第{i}条普通消息"
            record: dict[str, object] = {"text": text, "sender": str(10690000 + i)}
            if rng.random() < 0.8:
                record["id"] = i
            lines.append(json.dumps(record, ensure_ascii=rng.random() < 0.5).encode())
    return b"\xef\xbb\xbf" + b"\n".join(lines) + b"\n"


def one_job(engine: Engine, data: bytes) -> tuple[bytes, ScanStats]:
    out = io.BytesIO()
    stats = run_scan(engine, io.BytesIO(data), out, "jsonl")
    return out.getvalue(), stats


class ParentMustNotWrite(io.FileIO):
    """An output file whose bytes must come from the workers, through its file descriptor."""

    def write(self, data: object) -> int:
        raise AssertionError("the parent wrote verdict bytes")


def _slow_on_even_chunks(engine: Engine, chunk: Chunk) -> Judged:
    """Chunks finish out of order: every other one takes longer."""
    if isinstance(chunk, tuple) and (chunk[0] // CHUNK_RECORDS) % 2 == 0:
        time.sleep(0.02)
    return judge_chunk(engine, chunk)


def test_the_workers_write_in_input_order_whatever_order_chunks_finish_in(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = jsonl(CHUNK_RECORDS * 12 + 5)
    expected, expected_stats = one_job(engine, data)
    monkeypatch.setattr(scan_cmd, "judge_chunk", _slow_on_even_chunks)
    path = tmp_path / "out.jsonl"
    with ParentMustNotWrite(path, "w") as out:
        stats = run_scan(engine, io.BytesIO(data), out, "jsonl", jobs=2)
    assert path.read_bytes() == expected
    assert stats == expected_stats and stats.records == CHUNK_RECORDS * 12 + 5


def test_the_parent_writes_for_workers_when_the_output_has_no_file_descriptor(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = jsonl(CHUNK_RECORDS * 6)
    expected, expected_stats = one_job(engine, data)
    monkeypatch.setattr(scan_cmd, "judge_chunk", _slow_on_even_chunks)
    out = io.BytesIO()
    assert run_scan(engine, io.BytesIO(data), out, "jsonl", jobs=2) == expected_stats
    assert out.getvalue() == expected


def test_what_the_parent_buffered_comes_first(engine: Engine, tmp_path: Path) -> None:
    data = jsonl(CHUNK_RECORDS + 3)
    expected, _ = one_job(engine, data)
    path = tmp_path / "out.jsonl"
    with open(path, "wb") as out:
        out.write(b"header\n")  # still in the buffer when the workers start
        run_scan(engine, io.BytesIO(data), out, "jsonl", jobs=2)
        out.write(b"footer\n")
    assert path.read_bytes() == b"header\n" + expected + b"footer\n"


def test_csv_chunks_are_written_by_the_workers_too(engine: Engine, tmp_path: Path) -> None:
    rows = "".join(f'{i},"{"起诉" if i % 3 else "你好"}",1069{i}\n' for i in range(CHUNK_RECORDS * 3 + 1))
    data = ("\ufeffID,Text,Sender\n" + rows + 'x,"unclosed\n').encode()
    expected = io.BytesIO()
    run_scan(engine, io.BytesIO(data), expected, "csv")
    path = tmp_path / "out.jsonl"
    with ParentMustNotWrite(path, "w") as out:
        run_scan(engine, io.BytesIO(data), out, "csv", jobs=2)
    assert path.read_bytes() == expected.getvalue()
    assert len(expected.getvalue().splitlines()) == CHUNK_RECORDS * 3 + 2


def test_chunks_in_flight_stay_bounded(engine: Engine, tmp_path: Path) -> None:
    drawn = 0
    outstanding: list[int] = []

    def chunks() -> Iterator[Chunk]:
        nonlocal drawn
        for first in range(1, CHUNK_RECORDS * 40, CHUNK_RECORDS):
            drawn += 1
            yield first, [b'{"text": "\xe4\xbd\xa0\xe5\xa5\xbd"}\n'] * CHUNK_RECORDS

    written = 0

    def on_written(stats: ScanStats, bytes_done: int) -> None:
        nonlocal written
        written += 1
        outstanding.append(drawn - written)
        assert bytes_done == written * 7  # the bytes read when that chunk was handed out

    with open(tmp_path / "out.jsonl", "wb") as out:
        context = multiprocessing.get_context("fork")
        run_workers(engine, None, context, chunks(), lambda: drawn * 7, out, judge_chunk, on_written, 2)
    assert written == drawn == 40
    assert max(outstanding) <= 2 * IN_FLIGHT_PER_JOB


def _raises_on_chunk_3(engine: Engine, chunk: Chunk) -> Judged:
    if isinstance(chunk, tuple) and chunk[0] == 3 * CHUNK_RECORDS + 1:
        raise LookupError("a bug")
    return judge_chunk(engine, chunk)


def _dies_on_chunk_3(engine: Engine, chunk: Chunk) -> Judged:
    if isinstance(chunk, tuple) and chunk[0] == 3 * CHUNK_RECORDS + 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return judge_chunk(engine, chunk)


@pytest.mark.parametrize("output", ["file", "parent"])
def test_an_exception_in_a_worker_is_raised_with_its_traceback(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str
) -> None:
    monkeypatch.setattr(scan_cmd, "judge_chunk", _raises_on_chunk_3)
    with open(tmp_path / "out.jsonl", "wb") as file:
        out = file if output == "file" else io.BytesIO()
        with pytest.raises(LookupError, match="a bug") as caught:
            run_scan(engine, io.BytesIO(jsonl(CHUNK_RECORDS * 20)), out, "jsonl", jobs=2)
    assert isinstance(caught.value.__cause__, RemoteTraceback)
    assert "_raises_on_chunk_3" in str(caught.value.__cause__)


def test_a_worker_that_dies_ends_the_scan_instead_of_hanging_it(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan_cmd, "judge_chunk", _dies_on_chunk_3)
    started = time.monotonic()
    with open(tmp_path / "out.jsonl", "wb") as out, pytest.raises(WorkerDied, match="exit code -9"):
        run_scan(engine, io.BytesIO(jsonl(CHUNK_RECORDS * 20)), out, "jsonl", jobs=2)
    assert time.monotonic() - started < 60
    assert not multiprocessing.active_children()


def run_cli(
    *args: str, stdin: bytes | None = None, stdout: int | IO[bytes] = subprocess.PIPE
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*CLI, *args], stdin=subprocess.PIPE if stdin is not None else None, stdout=stdout, stderr=subprocess.PIPE
    )


def test_cli_jobs_2_writes_byte_for_byte_what_jobs_1_writes_to_a_file_and_to_a_pipe(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(str(source), 3000, seed=5)
    with source.open("ab") as extra:
        extra.write(jsonl(CHUNK_RECORDS * 2))  # and every odd kind of line
    outputs = []
    for jobs, to_file in (("1", True), ("2", True), ("2", False)):
        target = tmp_path / f"out{jobs}{to_file}.jsonl"
        with target.open("wb") as file:
            proc = run_cli(str(source), "--jobs", jobs, stdout=file if to_file else subprocess.PIPE)
            out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
        outputs.append(target.read_bytes() if to_file else out)
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(outputs[0].splitlines()) == 3000 + CHUNK_RECORDS * 2  # one line per input line


def test_cli_a_reader_that_goes_away_ends_a_parallel_scan_quietly(pack: Path) -> None:
    proc = run_cli("-", "--jobs", "2", "--no-default", "--pack", str(pack), stdin=b"")
    stdin, stdout = proc.stdin, proc.stdout
    assert stdin is not None and stdout is not None

    def feed() -> None:
        with contextlib.suppress(BrokenPipeError):
            stdin.write(jsonl(CHUNK_RECORDS * 40))
            stdin.close()

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    assert stdout.readline()
    stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and err == b""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_cli_a_full_disk_ends_a_parallel_scan_with_one_line_and_status_2(pack: Path) -> None:
    with open("/dev/full", "wb") as full:
        proc = run_cli("-", "--jobs", "2", "--no-default", "--pack", str(pack), stdin=b"", stdout=full)
        _, err = proc.communicate(jsonl(CHUNK_RECORDS * 10), timeout=120)
    assert proc.returncode == 2
    assert err.decode() == f"smsguard scan: {os.strerror(errno.ENOSPC)}\n"
