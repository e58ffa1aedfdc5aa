"""`practice progress`: first vs recent, trends, bests, weak spots, sparkline and PNG chart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_review import FIT_Q, fill_history, invoke

from practice.history.progress import build, sparkline


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


OVERALLS = [40, 45, 50, 55, 52, 60, 65, 70, 72, 80]  # ten stories getting better


def test_first_recent_trend_and_best(home: Path, tmp_path: Path) -> None:
    ids = fill_history(home, tmp_path, OVERALLS, unquantified={5, 6, 8, 9})
    doc = json.loads(invoke(home, "progress", "--json").output)
    assert doc["attempts"] == 10
    overall = doc["metrics"]["overall"]
    assert overall["first"] == 45.0 and overall["recent"] == pytest.approx(74.0)
    assert overall["trend"] == "improving"
    assert overall["best"]["id"] == ids[-1] and overall["best"]["value"] == 80
    assert [p["value"] for p in overall["points"]] == OVERALLS
    # Constant measures are steady; a lower-is-better best is the smallest value.
    assert doc["metrics"]["fillers_per_minute"]["trend"] == "steady"
    assert doc["metrics"]["enthusiasm"]["trend"] == "steady"
    spots = {w["key"]: w for w in doc["weak_spots"]}
    assert spots["no_quantified_result"]["text"] == (
        "4 of your last 5 success stories had no quantified result"
    )
    assert "long_pauses" not in spots  # one long pause an answer is allowed
    assert "no_situation" in spots and spots["no_situation"]["count"] == 5


def test_pace_is_better_inside_the_coached_range(home: Path, tmp_path: Path) -> None:
    fill_history(home, tmp_path, [50, 50], wpm=210.0)
    fill_history(home, tmp_path, [50, 50], wpm=150.0)
    doc = json.loads(invoke(home, "progress", "--json").output)
    pace = doc["metrics"]["words_per_minute"]
    assert pace["trend"] == "improving" and pace["best"]["value"] == 150.0
    spots = {w["key"]: w for w in doc["weak_spots"]}
    assert spots["pace"]["text"] == (
        "2 of your last 4 answers were paced outside 100-165 words a minute"
    )


def test_one_slip_is_not_a_weak_spot(home: Path, tmp_path: Path) -> None:
    fill_history(home, tmp_path, [60, 60, 60, 60, 60], unquantified={2})
    doc = json.loads(invoke(home, "progress", "--json").output)
    assert "no_quantified_result" not in {w["key"] for w in doc["weak_spots"]}


def test_category_filter_and_terminal_view(home: Path, tmp_path: Path) -> None:
    fill_history(home, tmp_path, OVERALLS)
    fill_history(home, tmp_path, [30, 35], question=FIT_Q)
    r = invoke(home, "progress", "--category", "fit")
    assert r.exit_code == 0, r.output
    assert "Progress over 2 attempts (fit)" in r.output
    assert "STAR complete" not in r.output  # no STAR story expected in a fit answer
    r = invoke(home, "progress")
    assert "Progress over 12 attempts (all categories)" in r.output
    line = next(x for x in r.output.splitlines() if x.startswith("Overall"))
    assert line.split()[1:4] == ["45", "48", "improving"]  # first 3 vs 80, 30, 35
    assert sparkline(OVERALLS + [30, 35]) in line
    assert "4 of your last 5" not in r.output


def test_sparkline_spans_the_blocks() -> None:
    assert sparkline([0, 50, 100]) == "▁▅█"
    assert sparkline([5, 5]) == "▅▅"
    assert sparkline([]) == ""


def test_plot_writes_a_png(home: Path, tmp_path: Path) -> None:
    fill_history(home, tmp_path, OVERALLS)
    png = tmp_path / "progress.png"
    r = invoke(home, "progress", "--plot", str(png))
    assert r.exit_code == 0, r.output
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_empty_history() -> None:
    prog = build([])
    assert prog.attempts == 0 and prog.weak_spots == ()
    assert all(m.trend == "too few" for m in prog.metrics)
