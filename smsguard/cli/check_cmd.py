"""``smsguard check TEXT``: judge one message and explain the verdict."""

from __future__ import annotations

import sys

import click

from smsguard.cli.common import build_engine, dumps, message_from_arguments, no_default_option, pack_option
from smsguard.model import Span, Verdict

_RISK_COLOURS = {"high": "red", "medium": "yellow", "low": "cyan", "none": "green"}


@click.command()
@click.argument("text")
@click.option("--sender", "-s", default=None, help="The sender number as shown on the phone.")
@click.option("--at", "received_at", default=None, help="When it arrived (ISO 8601, e.g. 2025-03-01T23:30).")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@pack_option
@no_default_option
def check(
    text: str,
    sender: str | None,
    received_at: str | None,
    as_json: bool,
    packs: tuple[str, ...],
    no_default: bool,
) -> None:
    """Judge one SMS TEXT (- reads it from standard input) and explain why."""
    engine = build_engine(packs, no_default)
    message = message_from_arguments(text, sender, received_at)
    verdict = engine.check_message(message)
    if as_json:
        click.echo(dumps(verdict.to_dict()))
    else:
        click.echo(render_verdict(message.text, verdict, colour=None))


def render_verdict(text: str, verdict: Verdict, colour: bool | None) -> str:
    """A readable explanation: category and risk, the evidence with matched characters marked, the advice."""
    style = _styler(colour)
    lines = [
        f"类别 category: {style(verdict.category_title or verdict.category, bold=True)} ({verdict.category})",
        f"风险 risk:     {style(verdict.risk, fg=_RISK_COLOURS.get(verdict.risk), bold=True)}",
    ]
    ranked = sorted(((p, c) for c, p in verdict.scores.items() if p > 0), reverse=True)
    if ranked:
        lines.append("概率 scores:   " + ", ".join(f"{c} {p:.2f}" for p, c in ranked))
    if verdict.hits:
        lines.append("")
        lines.append("证据 evidence:")
        for hit in verdict.hits:
            lines.append(f"  {hit.weight:+.1f} {hit.category:<18} {hit.title or hit.rule}  [{hit.rule}]")
            if hit.spans:
                lines.append("       " + highlight(text, hit.spans, style))
    shown = [s for s in verdict.signals if s.value not in (False, 0, "")]
    if shown:
        lines.append("")
        lines.append("信号 signals:  " + ", ".join(_signal_text(s.name, s.value) for s in shown))
    if verdict.errors:
        lines.append("")
        for error in verdict.errors:
            lines.append(style(f"插件错误 plugin error: {error.plugin} {error.hook}: {error.error}", fg="red"))
    if verdict.advice:
        lines.append("")
        lines.append("建议 advice:")
        lines.extend(f"  {i}. {a}" for i, a in enumerate(verdict.advice, 1))
    return "\n".join(lines)


def _signal_text(name: str, value: object) -> str:
    return name if value is True else f"{name}={value}"


class _Style:
    def __init__(self, colour: bool | None) -> None:
        self.colour = colour

    def __call__(self, text: str, fg: str | None = None, bold: bool = False, mark: bool = False) -> str:
        if self.colour is False or (self.colour is None and not _stdout_is_tty()):
            return f"⟦{text}⟧" if mark else text
        return click.style(text, fg="red" if mark else fg, bold=bold or mark, underline=mark)


def _styler(colour: bool | None) -> _Style:
    return _Style(colour)


def _stdout_is_tty() -> bool:
    return sys.stdout.isatty()


def highlight(text: str, spans: tuple[Span, ...], style: _Style, context: int = 12) -> str:
    """The part of ``text`` around the spans, with the matched characters marked."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if not merged:
        return ""
    begin = max(0, merged[0][0] - context)
    finish = min(len(text), merged[-1][1] + context)
    out = ["…" if begin > 0 else ""]
    pos = begin
    for start, end in merged:
        out.append(_printable(text[pos:start]))
        out.append(style(_printable(text[start:end]), mark=True))
        pos = end
    out.append(_printable(text[pos:finish]))
    out.append("…" if finish < len(text) else "")
    return "".join(out)


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else " " for ch in text)
