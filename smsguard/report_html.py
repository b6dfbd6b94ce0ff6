"""The HTML rendering of an evaluation report: one self-contained page, no scripts, no external assets.

The confusion matrix is an inline-SVG heat map (cells shaded by the share of the gold row, green on the
diagonal, red off it) and the rule frequencies an inline-SVG bar chart with each rule's hits stacked by gold
label. Every piece of text from the report (rule ids, titles, category names, message ids) is escaped.
"""

from __future__ import annotations

from html import escape

from smsguard.evaluation import EvalReport, RuleFigures
from smsguard.report_text import display_width, fmt

PALETTE = (
    "#4e79a7",
    "#e15759",
    "#f28e2b",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
_ROW_H, _BAR_H = 22, 16
_CSS = """
body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; margin: 2em;
       color: #222; max-width: 1100px; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
svg { display: block; margin: 0.5em 0 1.5em; }
svg text { font-size: 12px; fill: #222; }
.key { display: inline-block; width: 0.9em; height: 0.9em; margin: 0 0.3em 0 0.9em; vertical-align: -0.1em; }
.muted { color: #777; }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _text_px(text: str) -> int:
    """Rough width of 12 px text: 7 px a column (a Chinese character takes two)."""
    return 7 * display_width(text) + 4


def render_html(report: EvalReport, *, title: str = "smsguard eval") -> str:
    """The full report page as a string."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p>{report.total} messages, {report.correct} judged as labelled; accuracy <b>{fmt(report.accuracy)}</b>,"
        f" macro-F1 <b>{fmt(report.macro_f1)}</b>. Undefined figures (nothing to divide by) show as -.</p>",
        "<h2>Figures per category</h2>",
        _figures_table(report),
        "<h2>Confusion matrix</h2>",
        '<p class="muted">Rows: gold label; columns: judged category. Shade: share of the row.</p>',
        confusion_svg(report),
        "<h2>Rule hits by gold label</h2>",
        _legend(report),
        rules_svg(report),
        _rule_lists(report),
        "<h2>Misjudged messages</h2>",
        _mistakes_table(report),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _figures_table(report: EvalReport) -> str:
    rows = [
        "<table><tr><th>category</th><th>title</th><th>precision</th><th>recall</th><th>F1</th>"
        "<th>support</th><th>predicted</th></tr>"
    ]
    for i, f in enumerate(report.per_category):
        rows.append(
            f'<tr><td><span class="key" style="background:{_color(i)}"></span>{_e(f.category)}</td>'
            f"<td>{_e(report.category_titles.get(f.category, ''))}</td>"
            f'<td class="n">{fmt(f.precision)}</td><td class="n">{fmt(f.recall)}</td>'
            f'<td class="n">{fmt(f.f1)}</td><td class="n">{f.support}</td><td class="n">{f.predicted}</td></tr>'
        )
    rows.append(
        f'<tr><th colspan="4">macro average</th><td class="n"><b>{fmt(report.macro_f1)}</b></td>'
        f'<td class="n">{report.total}</td><td></td></tr></table>'
    )
    return "\n".join(rows)


def confusion_svg(report: EvalReport) -> str:
    """The confusion matrix as an SVG heat map."""
    cats = report.categories
    if not cats:
        return '<p class="muted">No messages.</p>'
    cell_w, cell_h = 70, 40
    left = max(_text_px(c) for c in cats) + 16
    top = max(_text_px(c) for c in cats) * 7 // 10 + 24
    width, height = left + cell_w * len(cats) + 10, top + cell_h * len(cats) + 10
    out = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="confusion matrix">'
    ]
    for j, cat in enumerate(cats):
        x = left + j * cell_w + cell_w // 2
        out.append(f'<text x="{x}" y="{top - 8}" transform="rotate(-35 {x} {top - 8})">{_e(cat)}</text>')
    for i, (cat, row) in enumerate(zip(cats, report.confusion, strict=True)):
        y = top + i * cell_h
        out.append(f'<text x="{left - 8}" y="{y + cell_h // 2 + 4}" text-anchor="end">{_e(cat)}</text>')
        row_total = sum(row)
        for j, count in enumerate(row):
            share = count / row_total if row_total else 0.0
            hue = 140 if i == j else 0
            fill = "#ffffff" if count == 0 else f"hsl({hue}, 60%, {round(96 - 56 * share)}%)"
            ink = "#ffffff" if share > 0.55 else ("#222222" if count else "#aaaaaa")
            x = left + j * cell_w
            out.append(
                f"<g><title>{_e(f'gold {cat}, judged {cats[j]}: {count} ({share:.0%} of the row)')}</title>"
                f'<rect x="{x}" y="{y}" width="{cell_w}" height="{cell_h}" fill="{fill}" stroke="#bbbbbb"/>'
                f'<text x="{x + cell_w // 2}" y="{y + cell_h // 2 + 4}" text-anchor="middle" '
                f'style="fill:{ink}">{count}</text></g>'
            )
    out.append("</svg>")
    return "\n".join(out)


def _legend(report: EvalReport) -> str:
    keys = "".join(
        f'<span class="key" style="background:{_color(i)}"></span>{_e(c)}' for i, c in enumerate(report.categories)
    )
    return f"<p>Gold label: {keys}</p>"


def rules_svg(report: EvalReport) -> str:
    """Every rule that fired as a horizontal bar, its hits stacked by the gold label of the messages."""
    fired = [r for r in report.rules if r.total > 0]
    if not fired:
        return '<p class="muted">No rule fired.</p>'
    index = {c: i for i, c in enumerate(report.categories)}
    row_h, bar_w = _ROW_H, 480
    left = max(_text_px(r.rule) for r in fired) + 26
    most = max(r.total for r in fired)
    width, height = left + bar_w + 150, row_h * len(fired) + 10
    out = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="rule hits by gold label">'
    ]
    for k, rule in enumerate(fired):
        y = 5 + k * row_h
        own = index.get(rule.category or "")
        marker = "#ffffff" if own is None else _color(own)
        marker_tip = f"rule category: {rule.category or '?'}"
        name_style = ' style="fill:#c0392b;font-weight:bold"' if rule.noisy else ""
        out.append(
            f'<rect x="4" y="{y + 5}" width="10" height="10" fill="{marker}" stroke="#888888">'
            f"<title>{_e(marker_tip)}</title></rect>"
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end"{name_style}>{_e(rule.rule)}</text>'
        )
        out.extend(_bar_segments(rule, report.categories, left, y, bar_w / most))
        x_end = left + round(rule.total * bar_w / most) + 6
        note = f"{rule.total}  own {fmt(rule.own_share, 2)}"
        note += "  (negative weight)" if rule.weight is not None and rule.weight < 0 else ""
        note += "  noisy" if rule.noisy else ""
        out.append(f'<text x="{x_end}" y="{y + 15}">{_e(note)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _bar_segments(rule: RuleFigures, cats: tuple[str, ...], left: int, y: int, scale: float) -> list[str]:
    out: list[str] = []
    x = float(left)
    for i, (cat, count) in enumerate(zip(cats, rule.hits, strict=True)):
        if not count:
            continue
        w = count * scale
        tip = f"{rule.rule}: {count} hit(s) on messages labelled {cat}"
        out.append(
            f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{_BAR_H}" fill="{_color(i)}">'
            f"<title>{_e(tip)}</title></rect>"
        )
        x += w
    return out


def _rule_lists(report: EvalReport) -> str:
    dead = report.dead_rules
    noisy = report.noisy_rules
    parts = [f"<h3>Dead rules ({len(dead)})</h3>"]
    if dead:
        items = "".join(f"<li>{_e(r.rule)} <span class='muted'>{_e(r.title)}</span></li>" for r in dead)
        parts.append(f"<ul>{items}</ul>")
    else:
        parts.append('<p class="muted">Every listed rule fired at least once.</p>')
    parts.append(f"<h3>Noisy rules ({len(noisy)})</h3>")
    parts.append(
        f'<p class="muted">Own share (hits on the rule\'s own category) below {report.noisy_below:.2f}, or, for a '
        f"negative-weight rule, above {1 - report.noisy_below:.2f}.</p>"
    )
    if noisy:
        items = "".join(
            f"<li>{_e(r.rule)} ({_e(r.category or '?')}, weight {_e(r.weight)}): own share "
            f"{fmt(r.own_share, 2)} of {r.total} hits <span class='muted'>{_e(r.title)}</span></li>"
            for r in noisy
        )
        parts.append(f"<ul>{items}</ul>")
    else:
        parts.append('<p class="muted">None.</p>')
    return "\n".join(parts)


def _mistakes_table(report: EvalReport) -> str:
    if not report.mistakes:
        return '<p class="muted">None: every message was judged as labelled.</p>'
    rows = ["<table><tr><th>id</th><th>label</th><th>judged</th><th>rules fired</th></tr>"]
    for m in report.mistakes:
        rows.append(
            f"<tr><td>{_e(m.id)}</td><td>{_e(m.label)}</td><td>{_e(m.predicted)}</td>"
            f"<td>{_e(', '.join(m.rules) or '-')}</td></tr>"
        )
    rows.append("</table>")
    return "\n".join(rows)
