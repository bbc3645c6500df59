"""Tiny inline-SVG charts, so HTML reports stay self-contained (no JS, no CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

_PALETTE = ("#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#2c7a7b", "#975a16")


@dataclass(frozen=True, slots=True, kw_only=True)
class BarChart:
    """A horizontal bar chart: one bar per label, optional error bars and reference line."""

    labels: Sequence[str]
    values: Sequence[float]
    title: str = ""
    lower: Sequence[float] | None = None
    upper: Sequence[float] | None = None
    reference: float | None = None
    max_value: float | None = None
    value_format: str = "{:.3g}"
    highlight: Sequence[bool] | None = None


def bar_chart_svg(chart: BarChart, *, width: int = 640, bar_height: int = 22) -> str:
    """Render ``chart`` as an SVG string."""
    n = len(chart.labels)
    label_w = min(260, 12 + 7 * max((len(label) for label in chart.labels), default=4))
    top = 28 if chart.title else 8
    height = top + n * (bar_height + 6) + 10
    peak = chart.max_value
    if peak is None:
        candidates = list(chart.values) + list(chart.upper or []) + [chart.reference or 0.0]
        peak = max([abs(v) for v in candidates] + [1e-12])
    plot_w = width - label_w - 70
    scale = plot_w / peak if peak else 0.0
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="12">'
    ]
    if chart.title:
        out.append(f'<text x="4" y="16" font-weight="bold">{escape(chart.title)}</text>')
    for i, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        y = top + i * (bar_height + 6)
        colour = _PALETTE[0]
        if chart.highlight is not None and chart.highlight[i]:
            colour = "#c53030"
        w = max(0.0, value) * scale
        out.append(
            f'<text x="{label_w - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        out.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{colour}">'
            f"<title>{escape(label)}: {escape(chart.value_format.format(value))}</title></rect>"
        )
        if chart.lower is not None and chart.upper is not None:
            lo = label_w + max(0.0, chart.lower[i]) * scale
            hi = label_w + max(0.0, chart.upper[i]) * scale
            mid = y + bar_height / 2
            out.append(
                f'<line x1="{lo:.1f}" x2="{hi:.1f}" y1="{mid}" y2="{mid}" stroke="#1a202c" '
                'stroke-width="1.5"/>'
            )
        out.append(
            f'<text x="{label_w + w + 4:.1f}" y="{y + bar_height * 0.7:.1f}">'
            f"{escape(chart.value_format.format(value))}</text>"
        )
    if chart.reference is not None:
        x = label_w + chart.reference * scale
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{height - 6}" '
            'stroke="#718096" stroke-dasharray="4 3"/>'
        )
    out.append("</svg>")
    return "".join(out)
