"""A static leaderboard site built from the results store: no server, no CDN.

``build_leaderboard(rows, folder)`` writes ``index.html`` (sortable, filterable table with
aggregate columns and coverage, a flat / Brain-Score aggregation toggle), a page per model and
per benchmark with plots, ``failures.html`` and the downloads ``results.csv``,
``results.json`` and ``results.bib``.
"""

from __future__ import annotations

from dynamic_vision.scale.leaderboard.site import Site, build_leaderboard

__all__ = ["Site", "build_leaderboard"]
