"""The benchmark script runs from a clean checkout: a small run of every part gives every figure it reports.

Only that the figures exist and are sane is checked here; what they are is the benchmark's business (no timing
assertions in tests).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench

from smsguard import native


def test_a_small_benchmark_run_reports_every_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "figures.json"
    report = bench.main(
        [
            "--messages",
            "80",
            "--reference-messages",
            "20",
            "--pack-sizes",
            "10,100",
            "--lengths",
            "10,100",
            "--scan",
            "--scan-messages",
            "200",
            "--json",
            str(out),
        ]
    )
    assert out.is_file()
    assert "messages/s" in capsys.readouterr().out
    assert report["throughput_msgs_per_s"] > 0 and report["throughput_batched_msgs_per_s"] > 0
    assert 0 < report["latency"]["p50_us"] <= report["latency"]["p99_us"]
    stages = report["stages"]["stages_us"]
    assert {"normalize", "extract", "scoring and verdict"} <= set(stages) and all(v >= 0 for v in stages.values())
    assert set(report["by_pack_size"]) == {"10", "100"} and set(report["by_length"]) >= {"10", "100"}
    assert report["pure_python_msgs_per_s"] > 0
    assert set(report["native"]) == set(native.MODULES)
    for ratio in ("engine_vs_jieba_lcut", "engine_vs_reference", "batched_vs_one_at_a_time", "engine_vs_pure_python"):
        assert report["ratios"][ratio] > 0
    assert report["scan"]["speedup_jobs2_vs_jobs1"] > 0
