"""``smsguard eval FILE``: judge labelled messages and print the quality figures of the loaded rule pack."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable

import click

from smsguard.cli.common import build_engine, dumps, no_default_option, pack_option
from smsguard.engine import Engine
from smsguard.errors import InputError, SmsguardError
from smsguard.evaluation import EvalReport, RuleInfo, evaluate, verdict_judge
from smsguard.labelled import LabelledRecord, read_labelled
from smsguard.report_html import render_html


def evaluate_engine(engine: Engine, records: Iterable[LabelledRecord], *, noisy_below: float = 0.5) -> EvalReport:
    """Evaluate ``engine`` on labelled records, with the categories and rules of its compiled pack."""
    pack = engine.pack
    return evaluate(
        records,
        verdict_judge(engine.check),
        [c.id for c in pack.categories],
        [RuleInfo(r.id, r.category, r.title, r.weight) for r in pack.rules if r.enabled],
        category_titles={c.id: c.title for c in pack.categories},
        noisy_below=noisy_below,
    )


@click.command(name="eval")
@click.argument("source", type=click.Path(allow_dash=True, dir_okay=False))
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write a self-contained HTML report (tables and charts) to this file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object instead of tables.")
@click.option(
    "--noisy-below",
    type=click.FloatRange(0.0, 1.0),
    default=0.5,
    show_default=True,
    help="Flag a rule as noisy when less than this share of its hits fall on its own category.",
)
@click.option("--max-mistakes", type=click.IntRange(0), default=50, show_default=True, help="Misjudged ids listed.")
@click.option(
    "--fail-under",
    type=click.FloatRange(0.0, 1.0),
    help="Exit with status 1 when macro-F1 is below this value (for CI).",
)
@pack_option
@no_default_option
def eval_cmd(
    source: str,
    report_path: str | None,
    as_json: bool,
    noisy_below: float,
    max_mistakes: int,
    fail_under: float | None,
    packs: tuple[str, ...],
    no_default: bool,
) -> None:
    """Judge the labelled JSON Lines of SOURCE (- for standard input; keys text, label, sender, id) and print
    per-category precision, recall and F1, macro-F1, the confusion matrix and per-rule hits by label. Exit status
    2 when SOURCE cannot be read, has a bad line or holds no labelled messages."""
    engine = build_engine(packs, no_default)
    name = "<stdin>" if source == "-" else source
    try:
        if source == "-":
            records = read_labelled(io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8"), name=name)
        else:
            records = read_labelled(source)
        if not records:
            raise InputError(f"{name}: no labelled messages")
        report = evaluate_engine(engine, records, noisy_below=noisy_below)
    except SmsguardError as exc:
        click.echo(f"smsguard eval: {exc}", err=True)
        raise SystemExit(2) from None
    if as_json:
        click.echo(dumps(report.to_dict()))
    else:
        click.echo(report.render_text(max_mistakes=max_mistakes), nl=False)
    if report_path:
        try:
            with open(report_path, "w", encoding="utf-8") as out:
                out.write(render_html(report, title=f"smsguard eval: {source}"))
        except OSError as exc:
            click.echo(f"smsguard eval: cannot write {report_path}: {exc.strerror}", err=True)
            raise SystemExit(2) from None
    if fail_under is not None and (report.macro_f1 is None or report.macro_f1 < fail_under):
        raise SystemExit(1)
