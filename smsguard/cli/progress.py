"""What ``smsguard scan`` tells a person on stderr: a progress line while it runs, a summary at the end.

Both say only counts and rates, never message text.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO


@dataclass(slots=True)
class ScanStats:
    """Counts gathered while scanning; chunks judged in worker processes are added up here."""

    records: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    bad_records: int = 0
    plugin_failures: int = 0

    def add(self, other: ScanStats) -> None:
        self.records += other.records
        self.categories.update(other.categories)
        self.bad_records += other.bad_records
        self.plugin_failures += other.plugin_failures


class Progress:
    """A single self-rewriting line: messages done, rate, and the share of the input read when its size is known."""

    def __init__(self, stream: TextIO, total_bytes: int | None, interval_s: float = 0.2) -> None:
        self.stream = stream
        self.total_bytes = total_bytes or None
        self.interval_s = interval_s
        self.started = time.perf_counter()
        self._last = 0.0
        self._shown = False

    def update(self, records: int, bytes_read: int, final: bool = False) -> None:
        now = time.perf_counter()
        if not final and now - self._last < self.interval_s:
            return
        self._last = now
        elapsed = max(now - self.started, 1e-9)
        rate = records / elapsed
        line = f"{records:,} messages  {rate:,.0f}/s  {elapsed:,.1f} s"
        if self.total_bytes:
            share = min(1.0, bytes_read / self.total_bytes)
            filled = int(share * 24)
            left = (elapsed / share - elapsed) if share > 0 else 0.0
            eta = "" if final else f"  about {left:,.0f} s left"
            line = f"[{'#' * filled}{'.' * (24 - filled)}] {share:4.0%}  {line}{eta}"
        self.stream.write("\r\x1b[2K" + line)
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()


def render_summary(stats: ScanStats, elapsed_s: float) -> str:
    """Counts per category (most frequent first), bad records, plugin failures and the rate."""
    rate = stats.records / elapsed_s if elapsed_s > 0 else 0.0
    judged = sum(stats.categories.values())
    lines = [f"scanned {stats.records:,} records in {elapsed_s:,.1f} s ({rate:,.0f}/s)"]
    width = max((len(c) for c in stats.categories), default=8)
    for category, count in sorted(stats.categories.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {category:<{width}}  {count:>10,}  {count / judged:6.1%}")
    lines.append(f"  {'errors':<{width}}  {stats.bad_records:>10,}  (records that could not be read)")
    if stats.plugin_failures:
        lines.append(f"  plugin failures in {stats.plugin_failures:,} verdicts (see each verdict's errors)")
    return "\n".join(lines)
