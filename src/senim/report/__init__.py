"""Rendering shared by every report: self-contained HTML (inline CSS + SVG charts), kk/ru/en."""

from senim.report._charts import BarChart, bar_chart_svg
from senim.report._html import render_html

__all__ = ["BarChart", "bar_chart_svg", "render_html"]
