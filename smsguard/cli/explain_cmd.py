"""``smsguard explain TEXT``: the full trace of one judgement, stage by stage."""

from __future__ import annotations

import click

from smsguard.cli.check_cmd import _styler, highlight
from smsguard.cli.common import build_engine, dumps, message_from_arguments, no_default_option, pack_option
from smsguard.explain import CategoryExplanation, Explanation, RuleExplanation, explain
from smsguard.lang.ast import Compare
from smsguard.lang.formatter import render
from smsguard.lang.reference import Trace


@click.command("explain")
@click.argument("text")
@click.option("--sender", "-s", default=None, help="The sender number as shown on the phone.")
@click.option("--at", "received_at", default=None, help="When it arrived (ISO 8601, e.g. 2025-03-01T23:30).")
@click.option("--json", "as_json", is_flag=True, help="Print the trace as JSON.")
@click.option("--fired", "fired_only", is_flag=True, help="Trace only the rules that fired (list the others).")
@pack_option
@no_default_option
def explain_cmd(
    text: str,
    sender: str | None,
    received_at: str | None,
    as_json: bool,
    fired_only: bool,
    packs: tuple[str, ...],
    no_default: bool,
) -> None:
    """Explain how TEXT (- reads it from standard input) is judged: the normalized text, every signal, every
    rule with the result of each part of its condition, the score arithmetic of each category and what decided
    the verdict."""
    engine = build_engine(packs, no_default)
    explanation = explain(engine, message_from_arguments(text, sender, received_at))
    if as_json:
        click.echo(dumps(explanation.to_dict()))
    else:
        click.echo(render_explanation(explanation, fired_only))


def render_explanation(explanation: Explanation, fired_only: bool = False) -> str:
    """The trace as text for a terminal (matched characters in ⟦ ⟧)."""
    judgement = explanation.judgement
    original = judgement.message.text
    lines = [
        f"原文 text:        {_printable(original)}",
        f"规范化 normalized: {_printable(judgement.text.text)}",
        f"发送方 sender:     {judgement.message.sender or '-'}",
        "",
        "信号 signals:" if judgement.signals else "信号 signals: none",
    ]
    for signal in judgement.signals:
        where = f"  {_mark(original, signal.spans)}" if signal.spans else ""
        lines.append(f"  {signal.name} = {signal.value!r}  [{signal.plugin}]{where}")
    lines.append("")
    ordered = sorted(explanation.rules, key=lambda r: (not r.fired, r.rule.category, r.rule.id))
    lines.append(f"规则 rules: {sum(r.counted for r in ordered)} of {len(ordered)} counted")
    for rule in ordered:
        lines.extend(_rule_lines(rule, original, fired_only))
    lines.append("")
    lines.append("分数 scores:")
    lines.extend(_category_line(c) for c in explanation.categories)
    lines.append("")
    verdict = judgement.verdict
    lines.append(f"判定 decision: {explanation.decision}")
    lines.append(f"结果 verdict:  {verdict.category} ({verdict.category_title}), risk {verdict.risk}")
    for failure in verdict.errors:
        lines.append(f"插件错误 plugin error: {failure.plugin} {failure.hook}: {failure.error}")
    return "\n".join(lines)


def _rule_lines(rule: RuleExplanation, original: str, fired_only: bool) -> list[str]:
    r = rule.rule
    mark = "✔" if rule.fired else "✘"
    state = "" if r.enabled else "  (disabled: does not count)"
    head = f"  {mark} {r.id}  {r.weight:+g} → {r.category}  [{r.pack}]  {r.title}{state}"
    if not rule.agrees:
        head += "  !! the reference walk disagrees with the engine on this rule"
    if fired_only and not rule.fired:
        return [head]
    return [head, *_trace_lines(rule.trace, original, 6)]


def _trace_lines(trace: Trace, original: str, indent: int, value: bool = False) -> list[str]:
    """A node and its sub-expressions; the sides of a comparison are values, marked with '·'."""
    mark = "·" if value else ("✔" if trace.truth else "✘")
    text = render(trace.expr)
    if len(text) > 90:
        text = text[:89] + "…"
    extra = ""
    if trace.values and not all(isinstance(v, bool) for v in trace.values):
        extra = "  = " + ", ".join(repr(v) for v in trace.values[:6]) + (" …" if len(trace.values) > 6 else "")
    if trace.spans:
        extra += "  " + _mark(original, trace.spans)
    lines = [f"{' ' * indent}{mark} {text}{extra}"]
    sides = isinstance(trace.expr, Compare)
    for child in trace.children:
        lines.extend(_trace_lines(child, original, indent + 2, value=sides))
    return lines


def _category_line(c: CategoryExplanation) -> str:
    parts = " + ".join(f"{w:g} ({rule})" for rule, w in c.weights)
    total = f" = {c.evidence:g}" if len(c.weights) > 1 else ""
    if not c.weights:
        arithmetic = f"no rule counted → {c.probability:.3f}"
    elif c.evidence <= 0:
        arithmetic = f"{parts}{total} ≤ 0 → {c.probability:.3f}"
    else:
        arithmetic = f"{parts}{total} → 1 − e^−{c.evidence:g} = {c.probability:.3f}"
    if c.fallback:
        verdict = "fallback: chosen when no other category qualifies"
    else:
        verdict = f"{'≥' if c.qualifies else '<'} threshold {c.category.threshold:g}, priority {c.category.priority:g}"
        verdict += "  ✔ qualifies" if c.qualifies else ""
    return f"  {c.category.id:<20} {arithmetic}  {verdict}"


def _mark(original: str, spans: tuple[tuple[int, int], ...]) -> str:
    return highlight(original, spans, _styler(False), context=6)


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else " " for ch in text)
