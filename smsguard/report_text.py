"""The plain-text rendering of an evaluation report: aligned tables that stay aligned with Chinese titles.

Columns are padded by display width (``unicodedata.east_asian_width``), not by code points, so a title such
as 诈骗/钓鱼 takes the ten columns a terminal gives it. Message texts never appear; mistakes are listed by id.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smsguard.evaluation import EvalReport


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide and full-width characters 2, combining and format ones 0."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Cf", "Mn", "Me"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` display columns (left-aligned unless ``right``)."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def table(rows: Sequence[Sequence[str]], right: Sequence[bool], gap: int = 2) -> list[str]:
    """Rows of cells as aligned lines; ``right[i]`` right-aligns column ``i``. Trailing spaces are dropped."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(right))]
    sep = " " * gap
    return [
        sep.join(pad(cell, w, right=r) for cell, w, r in zip(row, widths, right, strict=True)).rstrip() for row in rows
    ]


def fmt(value: float | None, digits: int = 3) -> str:
    """A figure with fixed decimals, or ``-`` when it is undefined."""
    return "-" if value is None else f"{value:.{digits}f}"


def render_text(report: EvalReport, *, max_mistakes: int = 50) -> str:
    """The whole report: summary, per-category figures, confusion matrix, rule frequencies, mistakes."""
    cats = report.categories
    keys = [f"[{i}]" for i in range(1, len(cats) + 1)]
    out = [
        f"smsguard eval: {report.total} messages, {report.correct} judged as labelled, "
        f"accuracy {fmt(report.accuracy)}, macro-F1 {fmt(report.macro_f1)}",
        "",
    ]

    rows = [["", "category", "title", "precision", "recall", "F1", "support", "predicted"]]
    for key, f in zip(keys, report.per_category, strict=True):
        rows.append(
            [
                key,
                f.category,
                report.category_titles.get(f.category, ""),
                fmt(f.precision),
                fmt(f.recall),
                fmt(f.f1),
                str(f.support),
                str(f.predicted),
            ]
        )
    rows.append(["", "macro average", "", "", "", fmt(report.macro_f1), str(report.total), ""])
    out += table(rows, [False, False, False, True, True, True, True, True])

    out += ["", "confusion matrix (rows: gold label, columns: predicted category, numbered as above)"]
    rows = [["gold \\ predicted", *keys, "total"]]
    for key, cat, line in zip(keys, cats, report.confusion, strict=True):
        rows.append([f"{key} {cat}", *(str(n) if n else "." for n in line), str(sum(line))])
    out += table(rows, [False, *([True] * len(cats)), True])

    out += [
        "",
        "rule hits by gold label (own = share of a rule's hits on its own category; a negative weight wants it low)",
    ]
    if report.rules:
        rows = [["rule", "category", "weight", "total", *keys, "own", "flag"]]
        for r in report.rules:
            flag = "dead" if r.dead else ("noisy" if r.noisy else "")
            rows.append(
                [
                    r.rule,
                    r.category or "?",
                    "?" if r.weight is None else f"{r.weight:g}",
                    str(r.total),
                    *(str(n) if n else "." for n in r.hits),
                    fmt(r.own_share, 2),
                    flag,
                ]
            )
        out += table(rows, [False, False, True, True, *([True] * len(cats)), True, False])
    else:
        out.append("  (no rules listed and none fired)")
    dead = [r.rule for r in report.dead_rules]
    noisy = [f"{r.rule} ({fmt(r.own_share, 2)})" for r in report.noisy_rules]
    out.append(f"dead rules ({len(dead)}): {', '.join(dead) if dead else 'none'}")
    out.append(
        f"noisy rules ({len(noisy)}; own share below {report.noisy_below:.2f}, negative rules above "
        f"{1 - report.noisy_below:.2f}): {', '.join(noisy) or 'none'}"
    )

    out += ["", f"misjudged messages ({len(report.mistakes)})"]
    if report.mistakes:
        rows = [["id", "label", "judged", "rules fired"]]
        for m in report.mistakes[:max_mistakes]:
            rows.append([m.id, m.label, m.predicted, ", ".join(m.rules) or "-"])
        out += ["  " + line for line in table(rows, [False, False, False, False])]
        if len(report.mistakes) > max_mistakes:
            out.append(f"  ... and {len(report.mistakes) - max_mistakes} more (see the JSON or HTML report)")
    return "\n".join(out) + "\n"
