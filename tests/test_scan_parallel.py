"""``smsguard scan``: streaming, ``--jobs``, progress and summary on stderr (functional, no timing)."""

from __future__ import annotations

import functools
import gc
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from smsguard import Engine
from smsguard.cli import main, scan_cmd
from smsguard.cli.scan_cmd import CHUNK_RECORDS, run_scan

PACK = """
category bad { title: "bad" threshold: 0.5 priority: 10 risk: high }
category normal { title: "ok" threshold: 0 priority: 0 risk: none fallback: true }
rule threat { category: bad weight: 2 when: any("起诉", "律师函") }
"""


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scan") / "pack.sg"
    path.write_text(PACK, encoding="utf-8")
    return path


def jsonl(count: int) -> str:
    lines = []
    for i in range(count):
        if i % 97 == 13:
            lines.append("{broken")
        elif i % 101 == 7:
            lines.append("")
        else:
            text = "我们将起诉你" if i % 3 == 0 else f"第{i}条普通消息"
            lines.append(json.dumps({"id": i, "text": text}, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def scan(pack: Path, *args: str, stdin: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, ["scan", "-", "--no-default", "--pack", str(pack), *args], input=stdin, catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def test_jobs_2_writes_exactly_what_jobs_1_writes(pack: Path) -> None:
    stdin = jsonl(CHUNK_RECORDS * 3 + 17)
    code1, out1, _ = scan(pack, "--jobs", "1", stdin=stdin)
    code2, out2, _ = scan(pack, "--jobs", "2", stdin=stdin)
    assert code1 == code2 == 0
    assert out1 == out2
    results = [json.loads(line) for line in out1.splitlines()]
    ids = [r["id"] for r in results if "category" in r]
    assert ids == sorted(ids) and len(ids) > CHUNK_RECORDS * 2
    # One output line per input line, blank ones included; error line numbers are those of the input.
    inputs = stdin.splitlines()
    assert len(results) == len(inputs)
    errors = [(r["line"], r["error"]) for r in results if "error" in r]
    assert [line for line, _ in errors] == [n for n, line in enumerate(inputs, 1) if line in ("{broken", "")]
    assert [line for line, error in errors if error == "empty line"] == [n for n, x in enumerate(inputs, 1) if not x]


def test_csv_with_jobs(pack: Path) -> None:
    rows = "".join(f'{i},"{"起诉" if i % 2 else "你好"}"\n' for i in range(CHUNK_RECORDS + 5))
    code, out, _ = scan(pack, "--format", "csv", "--jobs", "2", stdin="id,text\n" + rows)
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == [str(i) for i in range(CHUNK_RECORDS + 5)]
    assert [r["category"] for r in results[:2]] == ["normal", "bad"]


def test_jobs_0_means_one_per_cpu(pack: Path) -> None:
    code, out, _ = scan(pack, "--jobs", "0", stdin=jsonl(20))
    assert code == 0 and len(out.splitlines()) == len(jsonl(20).splitlines())


def test_nothing_on_stderr_when_piped(pack: Path) -> None:
    _, _, err = scan(pack, stdin=jsonl(50))
    assert err == ""


def test_progress_and_summary_on_request(pack: Path) -> None:
    stdin = jsonl(300)
    _, out, err = scan(pack, "--progress", "--summary", stdin=stdin)
    assert "messages" in err and "/s" in err
    summary = err[err.index("scanned") :]
    bad = sum(1 for r in map(json.loads, out.splitlines()) if r.get("category") == "bad")
    assert f"scanned {len(out.splitlines())} records" in summary
    counts = {m[1]: int(m[2].replace(",", "")) for m in re.finditer(r"^ +(\w+) +([\d,]+)", summary, re.M)}
    unusable = stdin.count("{broken") + stdin.count("\n\n")  # blank lines are errors too
    assert counts == {"bad": bad, "normal": len(out.splitlines()) - bad - unusable, "errors": unusable}
    assert "起诉" not in err  # counts only, never message text


class CountingStream(io.RawIOBase):
    """A stream of JSON lines that records how many lines were read before each output write."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.lines = [json.dumps({"text": "起诉" if i % 2 else "你好"}).encode() + b"\n" for i in range(count)]
        self.read_so_far = 0

    def readable(self) -> bool:
        return True

    def readline(self, size: int | None = -1) -> bytes:
        if self.read_so_far >= len(self.lines):
            return b""
        self.read_so_far += 1
        return self.lines[self.read_so_far - 1]

    def __iter__(self) -> CountingStream:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


class WatchingOutput(io.BytesIO):
    def __init__(self, source: CountingStream) -> None:
        super().__init__()
        self.source = source
        self.read_at_first_write: int | None = None

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.read_at_first_write is None:
            self.read_at_first_write = self.source.read_so_far
        return super().write(data)


@pytest.mark.parametrize("jobs", [1, 2])
def test_scan_streams_instead_of_reading_everything_first(pack: Path, jobs: int) -> None:
    engine = Engine.from_paths(pack, load_entrypoints=False)
    source = CountingStream(CHUNK_RECORDS * 40)
    out = WatchingOutput(source)
    stats = run_scan(engine, source, out, "jsonl", jobs=jobs)  # type: ignore[arg-type]
    assert stats.records == CHUNK_RECORDS * 40
    assert out.read_at_first_write is not None
    assert out.read_at_first_write <= CHUNK_RECORDS * (1 + 4 * jobs + 1)
    assert stats.categories == {"bad": CHUNK_RECORDS * 20, "normal": CHUNK_RECORDS * 20}


class _FailsOnBoom(Engine):
    """An engine with a bug that shows on one message only."""

    def evaluate(self, message, ntext, features, signals, failures):  # type: ignore[no-untyped-def]
        if message.text == "boom":
            raise RuntimeError("engine bug")
        return super().evaluate(message, ntext, features, signals, failures)


def test_an_engine_error_on_one_message_costs_only_that_record(pack: Path) -> None:
    from smsguard.cli.scan_cmd import judge_chunk
    from smsguard.records import read_records

    base = Engine.from_paths(pack)
    engine = _FailsOnBoom(base.pack, base.host, base.normalizer)
    lines = [{"id": 1, "text": "我们将起诉你"}, {"id": 2, "text": "boom"}, {"id": 3, "text": "你好"}]
    records = list(read_records(io.BytesIO("\n".join(json.dumps(x) for x in lines).encode()), "jsonl"))
    data, stats = judge_chunk(engine, records)
    out = [json.loads(line) for line in data.splitlines()]
    assert [o["id"] for o in out] == [1, 2, 3]
    assert out[0]["category"] == "bad" and out[2]["category"] == "normal"
    assert out[1]["error"] == "could not judge this message: RuntimeError" and "boom" not in data.decode()
    assert stats.bad_records == 1 and stats.records == 3


def _scan_lines(engine: Engine, data: str, **options: object) -> list[dict[str, object]]:
    out = io.BytesIO()
    run_scan(engine, io.BytesIO(data.encode("utf-8")), out, "jsonl", **options)  # type: ignore[arg-type]
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_spawned_workers_build_the_callers_engine_from_its_factory(pack: Path) -> None:
    engine = Engine.from_paths(pack, load_entrypoints=False)
    factory = functools.partial(Engine.from_paths, pack, load_entrypoints=False)
    data = jsonl(CHUNK_RECORDS * 3)
    alone = _scan_lines(engine, data, jobs=1)
    spawned = _scan_lines(engine, data, jobs=2, engine_factory=factory, start_method="spawn")
    assert spawned == alone
    assert {line.get("category") for line in spawned} >= {"bad", "normal"}  # the custom pack, not the default


def test_spawning_without_a_factory_is_refused_rather_than_judged_by_another_engine(pack: Path) -> None:
    engine = Engine.from_paths(pack, load_entrypoints=False)
    with pytest.raises(ValueError, match="engine_factory"):
        _scan_lines(engine, jsonl(10), jobs=2, start_method="spawn")


@pytest.mark.parametrize(("asked", "used", "note"), [(5, 2, True), (2, 2, False), (0, 2, False), (1, 1, False)])
def test_jobs_are_capped_at_the_number_of_cpus(
    pack: Path, monkeypatch: pytest.MonkeyPatch, asked: int, used: int, note: bool
) -> None:
    seen: list[int] = []

    def recording_run_scan(*args: Any, jobs: int, **kwargs: Any) -> Any:
        seen.append(jobs)
        return run_scan(*args, jobs=jobs, **kwargs)

    monkeypatch.setattr(scan_cmd.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(scan_cmd, "run_scan", recording_run_scan)
    code, out, err = scan(pack, "--jobs", str(asked), stdin=jsonl(5))
    assert code == 0 and len(out.splitlines()) == 5 and seen == [used]
    assert err == (f"smsguard scan: --jobs {asked} capped at 2, the number of CPUs\n" if note else "")


def test_the_collector_leaves_the_engine_alone_during_a_scan_only(pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frozen: list[int] = []

    def recording_run_scan(*args: Any, **kwargs: Any) -> Any:
        frozen.append(gc.get_freeze_count())
        return run_scan(*args, **kwargs)

    monkeypatch.setattr(scan_cmd, "run_scan", recording_run_scan)
    before = gc.get_freeze_count()
    code, out, _ = scan(pack, stdin=jsonl(3))
    assert code == 0 and len(out.splitlines()) == 3
    assert frozen[0] > before  # the engine built, and what else the process holds, is frozen
    assert gc.get_freeze_count() == 0  # and unfrozen once the scan ends
    gc.freeze()  # what a caller froze stays frozen
    try:
        held = gc.get_freeze_count()
        assert scan(pack, stdin=jsonl(3))[0] == 0
        assert gc.get_freeze_count() >= held
    finally:
        gc.unfreeze()


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs process groups")
def test_ctrl_c_stops_a_parallel_scan_quietly_with_status_130(pack: Path) -> None:
    command = [sys.executable, "-c", "from smsguard.cli import main; main()", "scan", "-", "--jobs", "2"]
    proc = subprocess.Popen(
        [*command, "--no-default", "--pack", str(pack)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, which gets the SIGINT as a terminal's would
    )
    stdin, stdout = proc.stdin, proc.stdout
    assert stdin is not None and stdout is not None

    def feed() -> None:  # more than fills the chunks in flight, and stdin stays open: the scan cannot end
        try:
            stdin.write(jsonl(CHUNK_RECORDS * 12).encode())
            stdin.flush()
        except BrokenPipeError:
            pass

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    try:
        if not stdout.readline():  # workers have judged a chunk, so they are up
            pytest.fail(f"the scan ended before its first line (status {proc.wait()}): {proc.communicate()[1]!r}")
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert err.decode() == "interrupted\n"
