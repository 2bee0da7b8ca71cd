"""Inline SVG charts for the report, drawn with the report's own font (no chart library).

The only chart is a horizontal stacked bar per ranked vendor: its group scores end to end,
so a bar's length is the vendor's total out of 100. Every text in the SVG is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from selector.reports.ledger import text_width

# Okabe–Ito, a palette that colour-blind readers can tell apart, then two greys.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#999999", "#555555")
FONT = "Noto Sans CJK SC"
WIDTH = 510.0  # points: the page's content width
LABEL = 120.0  # room for the vendor names
SCALE_MAX = 100.0
BAR = 11.0
GAP = 4.0
SIZE = 7.0


def _cut(text: str, room: float, size: float = SIZE) -> str:
    if text_width(text, size) <= room:
        return text
    while text and text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def stacked_bars(
    rows: Sequence[tuple[str, Sequence[float], str]],
    groups: Sequence[str],
) -> Markup:
    """An SVG of one bar per (vendor, group scores, total as shown) row, and a legend."""
    plot = WIDTH - LABEL - 30.0
    per_point = plot / SCALE_MAX
    legend_rows = _legend(groups)
    legend_height = 12.0 * len(legend_rows)
    axis_y = legend_height + 6.0
    top = axis_y + 10.0
    height = top + len(rows) * (BAR + GAP) + 4.0
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH:g}pt" '
        f'height="{height:g}pt" viewBox="0 0 {WIDTH:g} {height:g}" '
        f'font-family="{FONT}" font-size="{SIZE:g}">'
    ]
    for line, items in enumerate(legend_rows):
        for x, index, title in items:
            y = 12.0 * line
            colour = PALETTE[index % len(PALETTE)]
            parts.append(f'<rect x="{LABEL + x:.1f}" y="{y + 2:.1f}" width="7" height="7" '
                         f'fill="{colour}"/>')
            parts.append(f'<text x="{LABEL + x + 10:.1f}" y="{y + 8.5:.1f}">{escape(title)}'
                         "</text>")
    for tick in range(0, 101, 20):
        x = LABEL + tick * per_point
        parts.append(f'<line x1="{x:.1f}" y1="{axis_y + 3:.1f}" x2="{x:.1f}" y2="{height:.1f}" '
                     'stroke="#d0d0d0" stroke-width="0.4"/>')
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 1:.1f}" text-anchor="middle" '
                     f'fill="#666">{tick}</text>')
    for row, (vendor, scores, total) in enumerate(rows):
        y = top + row * (BAR + GAP)
        parts.append(f'<text x="{LABEL - 4:.1f}" y="{y + BAR - 3:.1f}" text-anchor="end">'
                     f"{escape(_cut(vendor, LABEL - 8))}</text>")
        x = LABEL
        for index, score in enumerate(scores):
            width = max(0.0, score) * per_point
            if width <= 0:
                continue
            colour = PALETTE[index % len(PALETTE)]
            parts.append(f'<rect x="{x:.2f}" y="{y:.1f}" width="{width:.2f}" '
                         f'height="{BAR:g}" fill="{colour}"/>')
            x += width
        parts.append(f'<text x="{x + 3:.1f}" y="{y + BAR - 3:.1f}">{escape(total)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(groups: Sequence[str]) -> list[list[tuple[float, int, str]]]:
    """Legend entries laid out in lines that fit the plot width: (x, group index, title)."""
    room = WIDTH - LABEL
    lines: list[list[tuple[float, int, str]]] = [[]]
    x = 0.0
    for index, title in enumerate(groups):
        title = _cut(title, room - 12)
        needed = 10.0 + text_width(title) + 12.0
        if x and x + needed > room:
            lines.append([])
            x = 0.0
        lines[-1].append((x, index, title))
        x += needed
    return lines if lines[0] else []
