"""The monthly monitoring report (issue #18): what the Welsh Government receives.

``data`` gathers the month's numbers (only what happened), ``files`` writes them as CSV and HTML,
``keep`` keeps a month's report as it was sent.
"""
from __future__ import annotations

from .data import KIND_NAMES, Objective, ReportData, Row, build, event_attendance
from .files import render, render_csv, render_html
from .keep import FILES, KeptMonth, keep, kept_files, make_last_month_reports, stored_reports

__all__ = ["FILES", "KIND_NAMES", "KeptMonth", "Objective", "ReportData", "Row", "build",
           "event_attendance", "keep", "kept_files", "make_last_month_reports",
           "render", "render_csv", "render_html", "stored_reports"]
