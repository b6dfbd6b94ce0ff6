"""The worker processes of ``smsguard scan --jobs N``.

The parent reads the input and hands out chunks through a queue; N workers judge them and write their output
themselves, taking turns in input order (a shared counter: the number of the next chunk to write). Verdict bytes
never pass through the parent, which only learns the counts of each chunk written, for the progress line and the
summary. Where a worker cannot write the output itself (the output is not a file descriptor, or the worker was
not forked and so does not share it), it sends the bytes to the parent in turn instead, and the parent writes them.

Each worker writes from a second thread, so that waiting for its turn never stops it from judging the next chunk;
the parent bounds the chunks handed out and not yet written, so memory stays flat. A worker that fails sends its
exception to the parent, which stops the others and raises it; a worker that dies is noticed by its process
sentinel. Workers ignore Ctrl-C: the parent stops them.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import signal
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from ctypes import c_int64
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Condition, Lock
from typing import Any, BinaryIO

from smsguard.cli.progress import ScanStats
from smsguard.engine import Engine
from smsguard.records import Record, RecordError

# A chunk of work: raw JSON Lines (with the line number of the first) or records parsed already (CSV).
Chunk = tuple[int, list[bytes]] | list[Record | RecordError]
Judged = tuple[bytes, ScanStats]
Judge = Callable[[Engine, Chunk], Judged]
# Told for each chunk written, in input order: its counts and the input bytes read when it was handed out.
OnWritten = Callable[[ScanStats, int], None]

IN_FLIGHT_PER_JOB = 4


class WorkerDied(RuntimeError):
    """A worker process ended without finishing its work (killed, or out of memory)."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker, as text (the cause of the exception re-raised)."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    results: Connection
    finished: bool = False


@dataclass(slots=True)
class _Parent:
    """What the parent keeps while the workers run: the chunks handed out and not yet written, and what came back
    ahead of its turn (counts, and the bytes when the parent writes them)."""

    out: BinaryIO
    on_written: OnWritten
    workers: list[_Worker]
    handed_out: dict[int, int] = field(default_factory=dict)  # chunk number -> input bytes read when handed out
    arrived: dict[int, tuple[ScanStats, bytes | None]] = field(default_factory=dict)
    next_written: int = 0

    def collect(self, timeout: float | None) -> None:
        """Take what the workers sent, waiting at most ``timeout`` seconds (None: until something comes)."""
        running = [w for w in self.workers if not w.finished]
        objects: list[Any] = [w.results for w in running] + [w.process.sentinel for w in running]
        ready = wait(objects, timeout)
        for worker in running:
            if worker.results in ready:
                self._receive(worker)
        for worker in running:
            if worker.process.sentinel in ready and not worker.finished:
                self._receive(worker)  # what it sent before it ended
                if not worker.finished:
                    worker.process.join()
                    raise WorkerDied(f"a scan worker process died (exit code {worker.process.exitcode})")

    def _receive(self, worker: _Worker) -> None:
        while not worker.finished and worker.results.poll():
            try:
                message = worker.results.recv()
            except EOFError:
                return
            kind = message[0]
            if kind == "written":
                _, number, stats, data = message
                self.arrived[number] = (stats, data)
                self._flush()
            elif kind == "finished":
                worker.finished = True
            else:
                _, exc, text = message
                raise exc from RemoteTraceback(text)

    def _flush(self) -> None:
        while self.next_written in self.arrived:
            stats, data = self.arrived.pop(self.next_written)
            if data is not None:
                self.out.write(data)
            self.on_written(stats, self.handed_out.pop(self.next_written))
            self.next_written += 1


def run_workers(
    engine: Engine,
    engine_factory: Callable[[], Engine] | None,
    context: BaseContext,
    chunks: Iterable[Chunk],
    bytes_read: Callable[[], int],
    out: BinaryIO,
    judge: Judge,
    on_written: OnWritten,
    jobs: int,
) -> None:
    """Judge ``chunks`` in ``jobs`` worker processes and write their output to ``out`` in input order.

    Forked workers use ``engine`` (a copy of it); others call ``engine_factory``. ``judge`` (a module-level
    function, for workers that are not forked) makes a chunk's output and counts; ``on_written`` is called in
    input order for each chunk written.
    """
    forked = context.get_start_method() == "fork"
    out.flush()  # nothing the parent buffered may come after the workers' output
    out_fd = _file_descriptor(out) if forked else None
    tasks = _Tasks(context)
    turn = context.RawValue(c_int64, 0)
    condition = context.Condition()
    workers: list[_Worker] = []
    done = False
    try:
        with _sigint_held():
            for _ in range(jobs):
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(  # type: ignore[attr-defined]  # every context has one; typeshed omits it
                    target=_worker_main,
                    args=(
                        engine if forked else None,
                        engine_factory,
                        judge,
                        tasks.reader,
                        tasks.lock,
                        sender,
                        turn,
                        condition,
                        out_fd,
                    ),
                    daemon=True,
                )
                try:
                    process.start()
                finally:
                    sender.close()
                workers.append(_Worker(process, receiver))
        tasks.start()
        parent = _Parent(out, on_written, workers)
        limit = jobs * IN_FLIGHT_PER_JOB
        for number, chunk in enumerate(chunks):
            tasks.put((number, chunk))
            parent.handed_out[number] = bytes_read()
            parent.collect(0)
            while len(parent.handed_out) >= limit:
                parent.collect(None)
        for _ in workers:
            tasks.put(None)
        while not all(worker.finished for worker in workers):
            parent.collect(None)
        done = True
    finally:
        if not done:
            for worker in workers:
                if worker.process.is_alive():
                    worker.process.terminate()
        for worker in workers:
            worker.process.join()
            worker.results.close()
        tasks.close()


class _Tasks:
    """The chunks handed out: a pipe that the workers read in turn (under a lock), and a thread in the parent
    that writes to it, so that the parent never blocks on a full pipe. The parent closes its reading end once
    the workers have theirs: should every worker end, the thread's write fails instead of waiting forever."""

    def __init__(self, context: BaseContext) -> None:
        self.reader, self.writer = context.Pipe(duplex=False)
        self.lock = context.Lock()
        self._items: queue.SimpleQueue[tuple[tuple[int, Chunk] | None] | tuple[()]] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._send, name="smsguard-scan-tasks", daemon=True)

    def start(self) -> None:
        self.reader.close()
        self._thread.start()

    def put(self, task: tuple[int, Chunk] | None) -> None:
        """Hand out a chunk; None tells a worker to end."""
        self._items.put((task,))

    def _send(self) -> None:
        while item := self._items.get():  # an empty tuple ends the thread
            try:
                self.writer.send(item[0])
            except OSError:  # every worker has ended; the parent raises the reason
                return

    def close(self) -> None:
        self._items.put(())
        if self._thread.is_alive():
            self._thread.join()
        self.writer.close()
        self.reader.close()


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """Hold SIGINT back while workers start, until each ignores it: Ctrl-C then reaches the parent alone."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _file_descriptor(out: BinaryIO) -> int | None:
    try:
        return out.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both an OSError and a ValueError
        return None


def _worker_main(
    engine: Engine | None,
    engine_factory: Callable[[], Engine] | None,
    judge: Judge,
    tasks: Connection,
    tasks_lock: Lock,
    results: Connection,
    turn: c_int64,
    condition: Condition,
    out_fd: int | None,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with lock:
            results.send(message)

    try:
        if engine is None:
            if engine_factory is None:
                raise RuntimeError("scan worker without an engine")
            engine = engine_factory()
        judged: queue.SimpleQueue[tuple[int, Judged] | None] = queue.SimpleQueue()
        writer = threading.Thread(target=_write_in_turn, args=(judged, send, turn, condition, out_fd), daemon=True)
        writer.start()
        while True:
            with tasks_lock:
                task: tuple[int, Chunk] | None = tasks.recv()
            if task is None:
                break
            number, chunk = task
            judged.put((number, judge(engine, chunk)))
        judged.put(None)
        writer.join()
        send(("finished",))
    except BaseException as exc:  # whatever it is, the parent raises it
        _fail(send, exc)


def _write_in_turn(
    judged: queue.SimpleQueue[tuple[int, Judged] | None],
    send: Callable[[tuple[Any, ...]], None],
    turn: c_int64,
    condition: Condition,
    out_fd: int | None,
) -> None:
    """Write each chunk judged when its turn comes (its number is the shared counter), then pass the turn on."""
    try:
        while (item := judged.get()) is not None:
            number, (data, stats) = item
            with condition:
                condition.wait_for(lambda: turn.value == number)  # noqa: B023 - used before the loop goes on
            if out_fd is None:
                send(("written", number, stats, data))
            else:
                _write_all(out_fd, data)
                send(("written", number, stats, None))
            with condition:
                turn.value = number + 1
                condition.notify_all()
    except BaseException as exc:
        _fail(send, exc)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _fail(send: Callable[[tuple[Any, ...]], None], exc: BaseException) -> None:
    """Send the exception to the parent and end the worker now (the parent stops the others)."""
    text = "".join(traceback.format_exception(exc))
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # the parent could not rebuild it
        exc = RuntimeError(f"{type(exc).__name__} in a scan worker")
    try:
        send(("failed", exc, text))
    finally:
        os._exit(1)
