"""Speed benchmark of smsguard on messages the project generates itself (see synth.py). Run from the repo:

    python benchmarks/bench.py                  # throughput, latency, stages, comparators, memory, scaling
    python benchmarks/bench.py --scan           # also `smsguard scan --jobs 2` against `--jobs 1` on 100k messages
    python benchmarks/bench.py --corpora ../shared/corpora   # also throughput on local corpora (never copied)
    python benchmarks/bench.py --json out.json  # the figures as JSON too

Every figure comes from this one process on one core (the scan comparison uses worker processes), so ratios
between figures of the same run are meaningful; absolute rates depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import read_corpora
from packgen import write_pack
from synth import Generator, write_jsonl

from smsguard import Engine, __version__
from smsguard.cache import PackCache
from smsguard.extract import extract
from smsguard.lang.reference import ReferenceEvaluator
from smsguard.model import Message
from smsguard.native import status as native_status

REPO = Path(__file__).resolve().parents[1]
Report = dict[str, Any]


def rate(function: Callable[[Any], object], items: Sequence[Any], repeat: int = 3) -> float:
    """Items per second: the best of ``repeat`` passes (the least disturbed by other work on the machine)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        for item in items:
            function(item)
        best = min(best, time.perf_counter() - started)
    return len(items) / best


def batched_rate(engine: Engine, messages: Sequence[Message], repeat: int = 3) -> float:
    """Messages per second through ``Engine.check_many`` (batches judged stage by stage), best of ``repeat``."""
    return len(messages) * rate(lambda batch: deque(engine.check_many(batch), maxlen=0), [messages], repeat)


def micros(function: Callable[[Any], object], items: Sequence[Any], repeat: int = 3) -> float:
    return 1e6 / rate(function, items, repeat)


def latencies(engine: Engine, messages: Sequence[Message]) -> Report:
    times: list[int] = []
    clock = time.perf_counter_ns
    for message in messages:
        started = clock()
        engine.check_message(message)
        times.append(clock() - started)
    times.sort()
    return {
        "p50_us": times[len(times) // 2] / 1000,
        "p99_us": times[int(len(times) * 0.99)] / 1000,
        "max_us": times[-1] / 1000,
    }


def stages(engine: Engine, messages: Sequence[Message]) -> Report:
    """Microseconds per message of each stage of the path, and of each detector plugin."""
    normalized = [engine.normalizer.normalize(m.text) for m in messages]
    features = [extract(n) for n in normalized]
    triples = list(zip(messages, normalized, features, strict=True))
    signals = [engine.host.detect(*t)[0] for t in triples]
    plugins: dict[str, float] = {}
    for impl in engine.host.pm.hook.smsguard_detect.get_hookimpls():
        detect = impl.function

        def call(t: Any, f: Callable[..., object] = detect) -> None:
            # A broken plugin is the host's problem; time what it does before raising.
            with contextlib.suppress(Exception):
                f(message=t[0], text=t[1], features=t[2])

        plugins[impl.plugin_name] = micros(call, triples)
    quads = list(zip(messages, normalized, features, signals, strict=True))
    whole = micros(engine.check_message, messages)
    out = _instrumented(engine, messages)
    unplanned = without_plan(engine)
    return {
        "whole_us": whole,
        "stages_us": out,
        "rules_without_prefilters_us": micros(lambda q: unplanned.evaluate(q[0], q[1], q[2], q[3], []), quads),
        "plugins_us": dict(sorted(plugins.items(), key=lambda kv: -kv[1])),
    }


STAGES = (
    "normalize",
    "extract",
    "detect (all plugins, with the host)",
    "rules (literal pass + evaluation)",
    "scoring and verdict",
    "adjust hooks and the rest",
)


def _instrumented(engine: Engine, messages: Sequence[Message], repeat: int = 3) -> dict[str, float]:
    """Microseconds per message of each stage, timed inside one pass that does what ``judge`` does.

    The best of ``repeat`` passes is kept for each stage, so the stages add up to about the whole.
    """
    from smsguard.engine import Judgement

    clock = time.perf_counter
    best = dict.fromkeys(STAGES, float("inf"))
    for _ in range(repeat):
        gc.collect()
        totals = [0.0] * len(STAGES)
        for m in messages:
            t0 = clock()
            ntext = engine.normalizer.normalize_any(m.text)
            t1 = clock()
            feats = extract(ntext)
            t2 = clock()
            sigs, failures = engine.host.detect(m, ntext, feats)
            t3 = clock()
            results, hits = engine.evaluate(m, ntext, feats, sigs, failures)
            t4 = clock()
            verdict = engine._verdict(hits, sigs, failures)
            t5 = clock()
            verdict, _ = engine.host.adjust(m, verdict, engine._categories)
            Judgement(m, ntext, feats, tuple(sigs), tuple(results), verdict)
            t6 = clock()
            for i, (a, b) in enumerate(((t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5), (t5, t6))):
                totals[i] += b - a
        for name, total in zip(STAGES, totals, strict=True):
            best[name] = min(best[name], total * 1e6 / len(messages))
    return best


def without_plan(engine: Engine) -> Engine:
    """The same engine evaluating every rule on every message, with no literal prefilter (for comparison)."""
    return Engine(replace(engine.pack, plan=None), engine.host, engine.normalizer)


def comparators(engine: Engine, messages: Sequence[Message], reference_count: int) -> Report:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    texts = [m.text for m in messages]
    jieba_rate = rate(jieba.lcut, texts, repeat=2)
    subset = messages[:reference_count]
    reference = ReferenceEvaluator(engine)
    reference_rate = rate(lambda m: reference.fired(m.text, m.sender), subset, repeat=2)
    engine_rate = rate(engine.check_message, subset)
    # The rule stage alone: the reference evaluator's walk against the compiled closures, same inputs.
    walk_rate, compiled_rate = _rule_stage_rates(engine, reference, subset)
    return {
        "jieba_lcut_msgs_per_s": jieba_rate,
        "reference_msgs_per_s": reference_rate,
        "engine_on_reference_subset_msgs_per_s": engine_rate,
        "reference_rule_walk_msgs_per_s": walk_rate,
        "compiled_rule_stage_msgs_per_s": compiled_rate,
    }


def _rule_stage_rates(
    engine: Engine, reference: ReferenceEvaluator, messages: Sequence[Message]
) -> tuple[float, float]:
    """Rule stage only, on observed messages: the reference walk of every enabled rule against the compiled pack."""
    from smsguard.lang.reference import ConditionWalker, observe

    observed = [observe(engine, m) for m in messages]
    enabled = [rule.id for rule in engine.pack.rules if rule.enabled]

    def walk(seen: Any) -> None:
        walker = ConditionWalker(engine, reference.rules, seen)
        for rule_id in enabled:
            walker.rule(rule_id)

    def compiled(seen: Any) -> None:
        engine.evaluate(seen.message, seen.text, seen.features, list(seen.signals), [])

    return rate(walk, observed, repeat=2), rate(compiled, observed)


def pure_python_rate(count: int, seed: int) -> float:
    """The whole-path rate of the pure-Python path on the same messages, from a process started with every
    accelerator turned off (the choice is made at import), timed while this run waits."""
    code = f"import sys, json; sys.argv = ['bench']; import bench; print(json.dumps(bench.whole_rate({count}, {seed})))"
    env = {**os.environ, "SMSGUARD_PURE_PYTHON": "1", "PYTHONPATH": str(Path(__file__).resolve().parent)}
    here = Path(__file__).resolve().parent
    out = subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True, cwd=here)
    return float(json.loads(out.stdout))


def warmed_engine(count: int, seed: int) -> tuple[Engine, list[Message]]:
    """The default engine, warmed up (OpenCC, lru caches) on the first of ``count`` synthetic messages."""
    messages = [Message(m.text, m.sender or None) for m in Generator(seed).iter_messages(count)]
    engine = Engine.default()
    for message in messages[:500]:
        engine.check_message(message)
    return engine, messages


def whole_rate(count: int, seed: int) -> float:
    """Messages per second through ``check_message`` for ``count`` synthetic messages, measured as ``main``
    measures its throughput."""
    engine, messages = warmed_engine(count, seed)
    return rate(engine.check_message, messages)


def memory(messages: Sequence[Message]) -> Report:
    gc.collect()
    tracemalloc.start()
    engine = Engine.default()
    built = tracemalloc.get_traced_memory()[0]
    for message in messages:
        engine.check_message(message)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "engine_built_mib": built / 2**20,
        "after_judging_mib": current / 2**20,
        "peak_mib": peak / 2**20,
        "process_max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def by_length(engine: Engine, gen: Generator, lengths: Iterable[int]) -> Report:
    out: Report = {}
    for length in lengths:
        count = max(30, min(3000, 300_000 // length))
        messages = [Message(gen.text_of_length(length)) for _ in range(count)]
        us = micros(engine.check_message, messages, repeat=2)
        out[str(length)] = {"us_per_message": us, "us_per_1000_chars": us * 1000 / length}
    return out


def by_pack_size(messages: Sequence[Message], sizes: Iterable[int], workdir: Path) -> Report:
    out: Report = {}
    cache = PackCache(workdir / "cache")
    for size in sizes:
        path = write_pack(workdir, size)
        started = time.perf_counter()
        engine = Engine.from_paths(path, cache=cache)  # a miss: parses, then stores
        build_s = time.perf_counter() - started
        started = time.perf_counter()
        engine = Engine.from_paths(path, cache=cache)  # a hit: no parsing
        cached_build_s = time.perf_counter() - started
        prepared = []
        for m in messages:
            ntext = engine.normalizer.normalize(m.text)
            feats = extract(ntext)
            prepared.append((m, ntext, feats, engine.host.detect(m, ntext, feats)[0]))
        triggered = fired = 0
        for m, ntext, feats, sigs in prepared:
            _, hits = engine.evaluate(m, ntext, feats, sigs, [])
            fired += len(hits)
            triggered += len(engine._candidates(engine.pack.literals.find_spans(ntext.text), {}, feats, ""))
        unplanned = without_plan(engine)
        out[str(size)] = {
            "rules_without_prefilters_us": micros(
                lambda p, e=unplanned: e.evaluate(p[0], p[1], p[2], p[3], []), prepared, repeat=1
            ),
            "build_s": build_s,
            "cached_build_s": cached_build_s,
            "whole_us": micros(engine.check_message, messages),
            "rules_us": micros(lambda p, e=engine: e.evaluate(p[0], p[1], p[2], p[3], []), prepared),
            "rules_triggered_per_message": triggered / len(messages),
            "rules_fired_per_message": fired / len(messages),
        }
    return out


def startup(workdir: Path) -> Report:
    env = {**os.environ, "SMSGUARD_CACHE_DIR": str(workdir / "startup-cache")}

    def wall(code: str, runs: int = 5) -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, cwd=workdir)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    check = "from smsguard.cli import main; main(['check', '你好'], standalone_mode=False)"
    nocache = "import os; os.environ['SMSGUARD_CACHE']='0'; " + check
    return {
        "python_s": wall("pass"),
        "import_smsguard_s": wall("import smsguard"),
        "check_cached_s": wall(check),
        "check_uncached_s": wall(nocache),
    }


def scan(count: int, workdir: Path) -> Report:
    source = workdir / "scan.jsonl"
    write_jsonl(str(source), count, seed=99)
    out: Report = {"messages": count}
    for jobs in (1, 2):
        seconds = float("inf")
        for _ in range(2):  # the better of two runs: a scan is long enough for other work to disturb it
            started = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "from smsguard.cli import main; main()",
                    "scan",
                    str(source),
                    "--jobs",
                    str(jobs),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                cwd=workdir,
            )
            seconds = min(seconds, time.perf_counter() - started)
        out[f"jobs{jobs}_s"] = seconds
        out[f"jobs{jobs}_msgs_per_s"] = count / seconds
    out["speedup_jobs2_vs_jobs1"] = out["jobs1_s"] / out["jobs2_s"]
    return out


def corpora(engine: Engine, path: Path, limit: int) -> Report:
    found = read_corpora(path, limit)
    if not found:
        return {"skipped": f"no corpus files under {path}"}
    out: Report = {}
    for name, texts in found.items():
        messages = [Message(t) for t in texts]
        out[name] = {"messages": len(messages), "msgs_per_s": rate(engine.check_message, messages, repeat=1)}
    return out


def main(argv: Sequence[str] | None = None) -> Report:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=20_000, help="synthetic messages for throughput")
    parser.add_argument("--reference-messages", type=int, default=2_000, help="messages for the reference evaluator")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scan", action="store_true", help="also time `smsguard scan --jobs 1` and `--jobs 2`")
    parser.add_argument("--scan-messages", type=int, default=100_000)
    parser.add_argument("--corpora", type=Path, help="a directory of local corpora to measure on (read only)")
    parser.add_argument("--corpus-limit", type=int, default=5_000, help="messages read per corpus file")
    parser.add_argument("--pack-sizes", default="10,100,1000,5000")
    parser.add_argument("--lengths", default="10,100,1000,10000")
    parser.add_argument("--json", type=Path, help="write the figures to this file as JSON")
    args = parser.parse_args(argv)

    engine, messages = warmed_engine(args.messages, args.seed)
    report: Report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "smsguard": __version__,
        "pack": {
            "rules": len(engine.pack.rules),
            "literals": len(engine.pack.literals),
            "plugins": engine.host.plugin_names(),
        },
        "messages": len(messages),
        "mean_chars": statistics.fmean(len(m.text) for m in messages),
        "native": native_status(),
    }
    report["throughput_msgs_per_s"] = rate(engine.check_message, messages)
    report["throughput_batched_msgs_per_s"] = batched_rate(engine, messages)
    report["pure_python_msgs_per_s"] = pure_python_rate(args.messages, args.seed)
    report["latency"] = latencies(engine, messages)
    report["stages"] = stages(engine, messages[:5000])
    report["comparators"] = comparators(engine, messages, args.reference_messages)
    comp = report["comparators"]
    report["ratios"] = {
        "engine_vs_jieba_lcut": report["throughput_msgs_per_s"] / comp["jieba_lcut_msgs_per_s"],
        "engine_batched_vs_jieba_lcut": report["throughput_batched_msgs_per_s"] / comp["jieba_lcut_msgs_per_s"],
        "batched_vs_one_at_a_time": report["throughput_batched_msgs_per_s"] / report["throughput_msgs_per_s"],
        "engine_vs_pure_python": report["throughput_msgs_per_s"] / report["pure_python_msgs_per_s"],
        "engine_vs_reference": comp["engine_on_reference_subset_msgs_per_s"] / comp["reference_msgs_per_s"],
        "rule_stage_vs_reference_walk": comp["compiled_rule_stage_msgs_per_s"] / comp["reference_rule_walk_msgs_per_s"],
    }
    report["memory"] = memory(messages[:2000])
    report["by_length"] = by_length(engine, Generator(args.seed + 1), [int(n) for n in args.lengths.split(",")])
    with tempfile.TemporaryDirectory(prefix="smsguard-bench-") as tmp:
        sizes = [int(n) for n in args.pack_sizes.split(",")]
        report["by_pack_size"] = by_pack_size(messages[:2000], sizes, Path(tmp))
        sized = report["by_pack_size"]
        if "100" in sized and "5000" in sized:
            report["ratios"]["whole_5000_vs_100_rules"] = sized["5000"]["whole_us"] / sized["100"]["whole_us"]
            report["ratios"]["rules_5000_vs_100_rules"] = sized["5000"]["rules_us"] / sized["100"]["rules_us"]
        report["startup"] = startup(Path(tmp))
        if args.scan:
            report["scan"] = scan(args.scan_messages, Path(tmp))
    if args.corpora is not None:
        report["corpora"] = corpora(engine, args.corpora, args.corpus_limit)
    print(render(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return report


def render(report: Report) -> str:
    lines = [
        f"smsguard {report['smsguard']} on {report['machine']['cpus']} CPUs, Python {report['machine']['python']}",
        f"pack: {report['pack']['rules']} rules, {report['pack']['literals']} literals; plugins: "
        + ", ".join(report["pack"]["plugins"]),
        f"{report['messages']} synthetic messages, {report['mean_chars']:.0f} characters on average",
        "native accelerators in use: " + (", ".join(k for k, v in report["native"].items() if v) or "none"),
        "",
        f"throughput, one core: {report['throughput_msgs_per_s']:,.0f} messages/s one at a time (check_message), "
        f"{report['throughput_batched_msgs_per_s']:,.0f}/s in batches (check_many); "
        f"the pure-Python path {report['pure_python_msgs_per_s']:,.0f}/s",
        "latency per message: " + ", ".join(f"{k} {v:,.0f}" for k, v in report["latency"].items()),
    ]
    comp = report["comparators"]
    lines.append(
        f"jieba.lcut alone: {comp['jieba_lcut_msgs_per_s']:,.0f}/s; "
        f"reference evaluator: {comp['reference_msgs_per_s']:,.0f}/s"
    )
    lines.append("ratios: " + ", ".join(f"{k} {v:.2f}x" for k, v in report["ratios"].items()))
    stage = report["stages"]
    summed = sum(stage["stages_us"].values())
    lines.append(
        f"\nstages (us per message; check_message {stage['whole_us']:.1f}, stages timed inside one pass {summed:.1f}):"
    )
    lines += [f"  {name:<40} {us:8.1f}  {us / summed:6.1%}" for name, us in stage["stages_us"].items()]
    lines.append(f"  (rules with no prefilter, every rule run: {stage['rules_without_prefilters_us']:.1f})")
    lines.append("detector plugins (us per message):")
    lines += [f"  {name:<40} {us:8.1f}" for name, us in stage["plugins_us"].items()]
    lines.append("\nmemory (MiB): " + ", ".join(f"{k} {v:.1f}" for k, v in report["memory"].items()))
    lines.append(
        "by length: " + "; ".join(f"{k} chars {v['us_per_message']:,.0f} us" for k, v in report["by_length"].items())
    )
    lines.append("by pack size:")
    for size, row in report["by_pack_size"].items():
        lines.append(
            f"  {size:>5} rules: whole {row['whole_us']:7.1f} us, rules {row['rules_us']:6.1f} us "
            f"(every rule run: {row['rules_without_prefilters_us']:,.0f} us), "
            f"triggered {row['rules_triggered_per_message']:.1f}, fired {row['rules_fired_per_message']:.2f}, "
            f"built in {row['build_s']:.2f} s ({row['cached_build_s']:.2f} s from the cache)"
        )
    lines.append("start-up (s): " + ", ".join(f"{k} {v:.3f}" for k, v in report["startup"].items()))
    if "scan" in report:
        s = report["scan"]
        lines.append(
            f"scan {s['messages']:,} messages: --jobs 1 {s['jobs1_s']:.1f} s, --jobs 2 {s['jobs2_s']:.1f} s, "
            f"speed-up {s['speedup_jobs2_vs_jobs1']:.2f}x"
        )
    if "corpora" in report:
        lines.append("corpora: " + json.dumps(report["corpora"], ensure_ascii=False))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
