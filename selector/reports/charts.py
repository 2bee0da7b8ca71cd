"""Inline SVG charts for the report, drawn with the report's own font (no chart library).

The only chart is a horizontal stacked bar per ranked vendor: its group scores end to end,
so a bar's length is the vendor's total out of 100. Every text in the SVG is escaped.

Kept cheap for WeasyPrint, which draws an SVG node by node and lays out each `<text>` with
Pango (about a millisecond each): the bars of one colour are one `<path>`, the grid lines
another, and a tender of many vendors gets thinner bars (the chart stays within about half
a page, under the ranking) with the totals left to the ranking above it.
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
PLOT_HEIGHT = 400.0  # points the bars may take: 26 vendors at full size, thinner beyond
TOTALS_UP_TO = 20  # vendors up to which each bar ends in its total (the ranking has them)


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
    pitch = min(BAR + GAP, PLOT_HEIGHT / max(len(rows), 1))
    bar = pitch * BAR / (BAR + GAP)
    size = min(SIZE, max(4.5, pitch * 0.62))
    totals = len(rows) <= TOTALS_UP_TO
    height = top + len(rows) * pitch + 4.0
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH:g}pt" '
        f'height="{height:.1f}pt" viewBox="0 0 {WIDTH:g} {height:.1f}" '
        f'font-family="{FONT}" font-size="{SIZE:g}">'
    ]
    bars: dict[int, list[str]] = {}
    for line, items in enumerate(legend_rows):
        for x, index, title in items:
            y = 12.0 * line
            bars.setdefault(index, []).append(f"M{LABEL + x:.1f} {y + 2:.1f}h7v7h-7z")
            parts.append(f'<text x="{LABEL + x + 10:.1f}" y="{y + 8.5:.1f}">{escape(title)}'
                         "</text>")
    grid = []
    for tick in range(0, 101, 20):
        x = LABEL + tick * per_point
        grid.append(f"M{x:.1f} {axis_y + 3:.1f}V{height:.1f}")
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 1:.1f}" text-anchor="middle" '
                     f'fill="#666">{tick}</text>')
    parts.append(f'<path d="{"".join(grid)}" stroke="#d0d0d0" stroke-width="0.4"/>')
    labels = []
    names = []
    for row, (vendor, scores, total) in enumerate(rows):
        y = top + row * pitch
        baseline = y + bar / 2 + size * 0.36
        names.append(str(escape(_cut(vendor, LABEL - 8, size))))
        x = LABEL
        for index, score in enumerate(scores):
            width = max(0.0, score) * per_point
            if width <= 0:
                continue
            bars.setdefault(index, []).append(f"M{x:.2f} {y:.2f}h{width:.2f}v{bar:.2f}"
                                              f"h{-width:.2f}z")
            x += width
        if totals:
            labels.append(f'<text x="{x + 3:.1f}" y="{baseline:.1f}">{escape(total)}</text>')
    for index, shapes in sorted(bars.items()):
        parts.append(f'<path d="{"".join(shapes)}" fill="{PALETTE[index % len(PALETTE)]}"/>')
    if size != SIZE:
        parts.append(f'<g font-size="{size:.1f}">')
    parts.extend(labels)
    if size != SIZE:
        parts.append("</g>")
    parts.append("</svg>")
    # The vendors' names: one HTML line per bar over the SVG's left margin, each line one
    # bar's pitch tall (an SVG <text> costs WeasyPrint a Pango layout per character).
    lift = (pitch - bar) / 2
    names_block = (f'<div class="bar-names" style="top: {top - lift:.2f}pt; '
                   f'width: {LABEL - 4:g}pt; line-height: {pitch:.2f}pt; '
                   f'font-size: {size:.1f}pt">' + "\n".join(names) + "</div>")
    return Markup(f'<div class="bars">{"".join(parts)}{names_block}</div>')


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
