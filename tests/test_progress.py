"""`practice progress`: first vs recent, trends, bests, weak spots, sparkline and PNG chart."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_review import FIT_Q, STORY_Q, fill_history, invoke, make_attempt, write_tone

from practice.core.results import Question
from practice.history.progress import build, sparkline
from practice.history.store import History


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture(autouse=True)
def utc() -> Iterator[None]:
    """Progress counts the person's local days: the dates expected here are UTC's, so the
    tests run in UTC whatever the machine's zone."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", "UTC")
        time.tzset()
        try:
            yield
        finally:
            mp.undo()
            time.tzset()


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
    lines = r.output.splitlines()
    at = next(i for i, x in enumerate(lines) if x.startswith("Overall"))
    assert lines[at] == "Overall: 45 -> 48, improving"  # first 3 vs 80, 30, 35
    assert sparkline(OVERALLS + [30, 35]) in lines[at + 2]  # after the best's line
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


# -- a made-up history over three weeks (issue 21) -------------------------------------------------

STORY2_Q = Question(
    id="success-team",
    text="Tell me about a time you led a team through a hard deadline.",
    category="success-story",
    target_seconds=(60, 120),
)
BACKGROUND_Q = Question(id="bg-about", text="Tell me about yourself.", category="background")
START = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)

# (day, question, overall, fillers a minute, quantified, session): the retried story climbs from
# 40 to 80 while fillers fall from 6 a minute to 1; its last four tellings end with a number.
PLAN = (
    (0, STORY_Q, 40, 6.0, False, None),
    (1, FIT_Q, 50, 6.0, True, None),
    (3, STORY_Q, 45, 6.0, False, None),
    (6, STORY_Q, 55, 5.0, False, None),
    (8, FIT_Q, 50, 4.0, True, None),
    (9, STORY_Q, 60, 3.0, True, None),
    (14, STORY2_Q, 66, 2.0, True, "interview"),
    (14, FIT_Q, 58, 1.0, True, "interview"),
    (14, BACKGROUND_Q, 62, 1.0, True, "interview"),
    (17, STORY_Q, 70, 1.0, True, None),
    (20, STORY_Q, 80, 1.0, True, None),
)


def save_plan(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The PLAN saved into a real home, each attempt on its day (the store's clock moved)."""
    from practice.history import store

    wav = write_tone(tmp_path / "tone.wav")
    with History.open(home) as h:
        session = None
        for i, (day, question, overall, fillers, quantified, kind) in enumerate(PLAN):
            moment = START + timedelta(days=day, minutes=i)
            monkeypatch.setattr(store, "utc_now", lambda m=moment: m.isoformat())
            if kind and session is None:
                session = h.start_session(kind)
            a = make_attempt(
                overall, question=question, quantified=quantified, fillers_per_minute=fillers
            )
            # A 90 s answer at 140 words a minute, with as many fillers as a minute holds.
            a = dataclasses.replace(
                a,
                duration_s=90.0,
                delivery=dataclasses.replace(
                    a.delivery, spoken_word_count=140, filler_count=int(fillers)
                ),
            )
            h.save(
                a,
                wav,
                session_id=session if kind else None,
            )
    return home


@pytest.fixture
def made_up(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The PLAN saved into a real home."""
    return save_plan(home, tmp_path, monkeypatch)


def test_progress_json_by_category_question_and_wins(made_up: Path) -> None:
    doc = json.loads(invoke(made_up, "progress", "--json").output)
    assert doc["attempts"] == 11
    assert (doc["first_date"], doc["last_date"]) == ("2026-11-16", "2026-12-06")
    cats = doc["by_category"]
    assert set(cats) == {"success-story", "fit", "background"}
    story = cats["success-story"]
    assert story["attempts"] == 7
    assert story["first"]["value"] == 40 and story["latest"]["value"] == 80
    assert story["best"]["value"] == 80 and story["best"]["created_at"].startswith("2026-12-06")
    assert story["average"] == pytest.approx((40 + 45 + 55 + 60 + 66 + 70 + 80) / 7, abs=0.01)
    assert story["direction"] == "improving"
    # The dated trend: one entry per day, the smoothed value the mean of the week's days.
    trend = story["trend"]
    assert [d["date"] for d in trend][:2] == ["2026-11-16", "2026-11-19"]
    assert trend[2]["average"] == 55 and trend[2]["smoothed"] == pytest.approx(
        (40 + 45 + 55) / 3, abs=0.01
    )
    # Day 20's week reaches back to day 14 (66), not day 9 (60).
    assert trend[-1]["smoothed"] == pytest.approx((66 + 70 + 80) / 3)
    assert cats["fit"]["direction"] == "improving" and cats["fit"]["latest"]["value"] == 58
    # Per question: the retried story from first to best to latest; one telling of the other.
    q = doc["by_question"]["success-problem"]
    assert q["attempts"] == 6
    assert (q["first"]["value"], q["best"]["value"], q["latest"]["value"]) == (40, 80, 80)
    assert doc["by_question"]["success-team"]["attempts"] == 1
    assert doc["by_question"]["fit-why"]["best"]["value"] == 58
    # STAR and a number in the result are judged over success stories only.
    star = doc["metrics"]["star_completeness"]
    assert len(star["points"]) == 7 and all(p["value"] == 0.5 for p in star["points"])
    assert [p["value"] for p in doc["metrics"]["result_quantified"]["points"]] == [
        0,
        0,
        0,
        1,
        1,
        1,
        1,
    ]
    wins = doc["wins"]
    assert "your last four success stories all ended with a number" in wins
    # The last two weeks (day 6 on): fillers 5, 4, 3 at first, 1, 1, 1 at the end.
    assert "fillers down from 4 a minute to 1 over the last two weeks" in wins
    # Stories of the last two weeks: 55, 60 first, 70, 80 last.
    assert "success story scores up from 58 to 75 over the last two weeks" in wins
    assert "your latest success story is your best yet: 80 on 6 Dec" in wins
    # Always inside the range: no change to speak of, only the streak.
    assert not any(w.startswith("pace") for w in wins)
    assert "your last 11 answers were all paced inside 100-165 words a minute" in wins


def test_weak_spots_say_how_often_and_whether_fading(made_up: Path) -> None:
    doc = json.loads(invoke(made_up, "progress", "--json").output)
    spots = {w["key"]: w for w in doc["weak_spots"]}
    # No situation in any story: recurring, never fading.
    assert spots["no_situation"]["text"] == "5 of your last 5 success stories did not set the scene"
    assert (spots["no_situation"]["seen"], spots["no_situation"]["seen_of"]) == (7, 7)
    assert spots["no_situation"]["first_seen"] == "2026-11-16"
    assert spots["no_situation"]["fading"] is False
    # The missing number was three stories in a row, then stopped: out of the recent window.
    assert "no_quantified_result" not in spots


def test_a_weak_spot_fades_when_the_last_answers_are_free_of_it(home: Path, tmp_path: Path) -> None:
    fill_history(home, tmp_path, [50] * 7, unquantified={0, 1, 2, 3, 4})
    doc = json.loads(invoke(home, "progress", "--json").output)
    spot = next(w for w in doc["weak_spots"] if w["key"] == "no_quantified_result")
    assert spot["count"] == 3 and spot["total"] == 5
    assert (spot["seen"], spot["seen_of"]) == (5, 7)
    assert spot["fading"] is True and spot["detail"].endswith("; fading")
    fill_history(home, tmp_path, [50, 50], unquantified={0, 1})
    doc = json.loads(invoke(home, "progress", "--json").output)
    spot = next(w for w in doc["weak_spots"] if w["key"] == "no_quantified_result")
    assert spot["fading"] is False


def test_pace_target_is_one_range_everywhere() -> None:
    from practice.core.measures import MEASURE_BY_KEY
    from practice.core.thresholds import PACE_HIGH_WPM, PACE_LOW_WPM
    from practice.history.progress import WEAK_CHECKS
    from practice.judgment.scoring import score

    pace = MEASURE_BY_KEY["words_per_minute"]
    assert (pace.target.low, pace.target.high) == (PACE_LOW_WPM, PACE_HIGH_WPM) == (100, 165)
    assert pace.best_means == "nearest the middle of 100-165 wpm"
    # The best pace is the middle of the range, and anything inside beats anything outside.
    assert pace.goodness(132) > pace.goodness(150) > pace.goodness(165) > pace.goodness(166)
    assert pace.goodness(100) > pace.goodness(99)
    phrase, tip = next((c[2], c[3]) for c in WEAK_CHECKS if c[0] == "pace")
    assert "100-165" in phrase and "100-165" in tip and "150" not in tip
    rushed = dataclasses.replace(make_attempt(50), question=FIT_Q)
    rushed = dataclasses.replace(
        rushed, delivery=dataclasses.replace(rushed.delivery, words_per_minute=200.0)
    )
    _, tips = score(
        structure=rushed.structure,
        content=rushed.content,
        delivery=rushed.delivery,
        prosody=rushed.prosody,
        question=FIT_Q,
        duration_s=60.0,
    )
    assert any("100-165" in t for t in tips) and not any("130-150" in t for t in tips)


def test_text_progress_says_what_the_numbers_are(made_up: Path) -> None:
    r = invoke(made_up, "progress", env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert r.exit_code == 0, r.output
    out = " ".join(r.output.split())
    assert "Progress over 11 attempts (all categories), 16 Nov to 6 Dec" in out
    assert "the average of your first 3 and of your last 3 answers" in out
    assert "Overall: 45 -> 71, improving" in out  # 40 45 50 first, 62 70 80 last
    assert "best 80 on 6 Dec (#11, highest)" in out
    assert "(#1, nearest the middle of 100-165 wpm)" in out  # all 140: the first reached it
    assert "target 100-165 wpm (Microsoft Speaker Coach)" in out
    assert "Questions you retried" in out
    assert "Tell me about a time you solved a problem. 6 tries: first 40, best 80 on 6 Dec" in out
    assert "+ Your last four success stories all ended with a number." in out
    assert "- 5 of your last 5 success stories did not set the scene (7 of 7 in all since" in out


@pytest.mark.parametrize("columns", [80, 40])
def test_text_views_wrap_between_words(made_up: Path, columns: int) -> None:
    """Wrapping adds only line breaks: with them taken out, every sentence reads whole."""
    whole = {
        "progress": [
            "Tell me about a time you solved a problem. 6 tries: first 40, best 80 on 6 Dec",
            "Your last four success stories all ended with a number.",
            "5 of your last 5 success stories did not set the scene (7 of 7 in all since 16 Nov;",
            "Open with one specific occasion: when, where and what was at stake.",
        ],
        "history": [q.text for _, q, *_ in PLAN],
        "review": ["Tell me about a time you solved a problem.", "Compared with your previous"],
    }
    for command, expected in whole.items():
        r = invoke(made_up, command, env={"COLUMNS": str(columns), "NO_COLOR": "1"})
        assert r.exit_code == 0, r.output
        lines = r.output.splitlines()
        too_long = [line for line in lines if len(line) > columns]
        assert not too_long, f"{command} at {columns}: {too_long}"
        assert not any("…" in line for line in lines)
        joined = " ".join(" ".join(lines).split())
        for sentence in expected:
            assert sentence in joined, f"{command} at {columns} cut {sentence!r}"


def test_flat_zero_sparkline_is_flat_zero() -> None:
    assert sparkline([0, 0, 0]) == "▁▁▁"
    assert sparkline([0.0, 0.0, 1.0]) == "▁▁█"


def test_history_groups_an_interview_under_it(made_up: Path) -> None:
    r = invoke(made_up, "history", env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Interview 1,"))
    assert lines[at] == "Interview 1, 2026-11-30 09:06: 3 answers, average 62"
    # Its three answers follow, indented under it, newest first; the next attempt is not.
    under = [line for line in lines[at + 1 : at + 7] if line.startswith("  #")]
    assert [line.split()[0] for line in under] == ["#9", "#8", "#7"]
    assert lines[at + 7].startswith("#6 ")
    assert "      Tell me about a time you led a team through a hard deadline." in lines
    doc = json.loads(invoke(made_up, "history", "--json").output)
    assert [a.get("session_id") for a in doc if a["id"] in (6, 7, 9)] == [1, 1, None]


def test_width_is_columns_else_the_terminal_else_80(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from practice.cli.common import terminal_width

    def no_terminal(*_: object) -> os.terminal_size:
        raise OSError("not a terminal")

    monkeypatch.setattr(os, "get_terminal_size", no_terminal)
    monkeypatch.delenv("COLUMNS", raising=False)
    assert terminal_width() == 80
    monkeypatch.setenv("COLUMNS", "57")  # also when the output is a pipe
    assert terminal_width() == 57
    monkeypatch.delenv("COLUMNS")
    monkeypatch.setattr(os, "get_terminal_size", lambda *_: os.terminal_size((132, 40)))
    assert terminal_width() == 132


def test_colour_only_repeats_what_the_text_says(made_up: Path) -> None:
    """Every state shown in colour (filler, hedge, long pause, trend, fading) is also in the
    words: the coloured view, its colour stripped, reads as the plain one."""
    import io

    from rich.console import Console
    from rich.text import Text

    from practice.cli.history import render_progress, render_review
    from practice.history import progress as pg
    from practice.history import review as rv

    with History.open(made_up) as h:
        rows = h.list()
        last = h.get("last")
    data = rv.build(last, previous=None, same_question=[last])
    prog = pg.build(rows)
    views = {}
    for name, kwargs in {
        "colour": {"force_terminal": True, "color_system": "truecolor"},
        "plain": {"no_color": True, "color_system": None},
    }.items():
        buf = io.StringIO()
        console = Console(file=buf, width=80, highlight=False, **kwargs)
        render_review(data, last, None, console)
        render_progress(prog, console)
        views[name] = buf.getvalue()
    assert "\x1b[" in views["colour"] and "\x1b[" not in views["plain"]
    assert Text.from_ansi(views["colour"]).plain == views["plain"]
    assert "[Um], {I think} I rebuilt the queue. [pause 2.5s]" in views["plain"]
    assert "not fading yet" in views["plain"] and "improving" in views["plain"]


def test_a_missing_star_part_says_missing() -> None:
    from practice.cli.render import star_markup, star_text

    st = make_attempt(50).structure  # action and result, no situation, no task
    assert star_text(st) == "action, result; missing: situation, task · quantified result"
    st = dataclasses.replace(st, result=False, result_quantified=False)
    assert star_text(st) == ("action; missing: situation, task, result · no number in the result")
    assert "strike" not in star_markup(st) and "missing" in star_markup(st)


def test_charts_have_one_dated_panel_per_measure_with_its_target(made_up: Path) -> None:
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon, Rectangle

    from practice.history import charts
    from practice.history import progress as pg

    with History.open(made_up) as h:
        prog = pg.build(h.list())
    fig = charts.figure(prog)
    try:
        shown = [ax for ax in fig.axes if ax.get_visible()]
        drawn = charts.panels(prog)
        assert len(shown) == len(drawn) == 11  # 5 scores, pace, fillers, pauses, length, 2 story
        titles = [ax.get_title() for ax in shown]
        assert titles[0] == "Overall" and "Pace (target 100-165 wpm)" in titles
        for ax in shown:
            assert ax.get_ylabel()
            # A date axis: the x values are dates spanning the history's three weeks.
            assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
            low, high = (d.date().isoformat() for d in mdates.num2date(ax.get_xlim()))
            assert low <= "2026-11-16" and high >= "2026-12-06"
        assert {shown[-1].get_xlabel(), shown[-2].get_xlabel()} == {"date"}
        # Each date tick names its day and month ("21 Nov"), the year is noted under the axis.
        fig.canvas.draw()
        ticks = [t.get_text() for t in shown[0].get_xticklabels() if t.get_text()]
        assert len(ticks) >= 3
        assert all(re.fullmatch(r"\d\d (Nov|Dec)", t) for t in ticks), ticks
        assert shown[-1].xaxis.get_offset_text().get_text() == "2026"
        # One line per category in a score panel, in the colour-blind style's colours.
        overall = shown[0]
        lines = {line.get_label(): line for line in overall.get_lines()}
        assert set(lines) == {"success-story", "fit", "background"}
        assert len(lines["success-story"].get_xdata()) == 7
        colours = {line.get_color() for line in lines.values()}
        assert colours <= set(
            plt.style.library["tableau-colorblind10"]["axes.prop_cycle"].by_key()["color"]
        )
        assert len({line.get_marker() for line in lines.values()}) == 3
        # The pace panel carries the one pace range as its band.
        pace = shown[titles.index("Pace (target 100-165 wpm)")]
        bands = [p for p in pace.patches if isinstance(p, (Polygon, Rectangle))]
        assert len(bands) == 1
        ys = [
            y for _, y in bands[0].get_path().transformed(bands[0].get_patch_transform()).vertices
        ]
        assert (min(ys), max(ys)) == (100, 165)
    finally:
        plt.close(fig)


def test_report_shows_the_same_charts_and_the_wins(made_up: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    r = invoke(made_up, "report", "--html", str(out))
    assert r.exit_code == 0, r.output
    page = out.read_text()
    assert page.count("<svg") == 1 and "Pace (target 100-165 wpm)" in page
    assert "Your last four success stories all ended with a number." in page
    assert "average of your first 3" in page
    # The interview's answers follow one heading, in the order they were given.
    at = page.index('<h2 class="session">Interview 1, 2026-11-30 09:06: 3 answers, average 62</h2>')
    assert at < page.index('id="attempt-7"') < page.index('id="attempt-9"')
    assert page.index('id="attempt-6"') < at and page.count('class="session"') == 1


def test_by_story_first_best_latest_of_a_kept_story(home: Path, tmp_path: Path) -> None:
    from practice.core.records import Story

    wav = write_tone(tmp_path / "tone.wav")
    with History.open(home) as h:
        story = h.add_story(Story(title="The queue rebuild", result="Waits fell 40%."))
        assert story.id is not None
        for overall in (50, 72, 64):
            h.save(make_attempt(overall), wav, story_id=story.id)
        h.save(make_attempt(90), wav)  # the same question, not a rehearsal of the story
    doc = json.loads(invoke(home, "progress", "--json").output)
    told = doc["by_story"][str(story.id)]
    assert told["text"] == "The queue rebuild" and told["attempts"] == 3
    assert (told["first"]["value"], told["best"]["value"], told["latest"]["value"]) == (50, 72, 64)
    assert doc["by_question"]["success-problem"]["attempts"] == 4
    r = invoke(home, "progress", env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert "The queue rebuild 3 tries: first 50, best 72" in " ".join(r.output.split())


def test_no_long_pauses_at_all_draws_a_flat_floor(home: Path, tmp_path: Path) -> None:
    fill_history(home, tmp_path, [50, 60, 70], long_pauses=0)
    r = invoke(home, "progress", env={"COLUMNS": "80", "NO_COLOR": "1"})
    lines = r.output.splitlines()
    at = lines.index("Long pauses: 0.0 -> 0.0, steady")
    spark = next(
        line for line in lines[at:] if line.strip() and set(line.strip()) <= set("▁▂▃▄▅▆▇█")
    )
    assert spark == "  ▁▁▁"


def test_diagnose_and_plan_wrap_to_a_narrow_terminal(made_up: Path) -> None:
    for company in ("Acme", "Globex", "Initech"):
        r = invoke(
            made_up,
            "outcome", "add", "--company", company, "--role", "Engineer",
            "--stage", "phone-screen", "--result", "rejected",
        )  # fmt: skip
        assert r.exit_code == 0, r.output
    for command in ("diagnose", "plan"):
        r = invoke(made_up, command, env={"COLUMNS": "40"})
        assert r.exit_code == 0, r.output
        lines = r.output.splitlines()
        assert len(lines) > 5
        # Only a single word longer than a line (a command, a question id) may stick out.
        assert all(len(line) <= 40 or " " not in line.strip() for line in lines), r.output


# Each measure of the PLAN: (first, recent) averages of the first and last three answers it
# applies to, its trend, and the id of the attempt that first reached its best.
EXPECTED_MEASURES = {
    "overall": (45.0, 70.67, "improving", 11),  # 40 50 45 ... 62 70 80
    "structure": (45.0, 70.67, "improving", 11),  # make_attempt scores structure as overall
    "delivery": (70.0, 70.0, "steady", 1),
    "enthusiasm": (65.0, 65.0, "steady", 1),
    "content": (75.0, 75.0, "steady", 1),
    "words_per_minute": (140.0, 140.0, "steady", 1),  # inside 100-165 throughout
    "fillers_per_minute": (6.0, 1.0, "improving", 8),  # 6 6 6 5 4 3 2 1 1 1 1
    "long_pause_count": (1.0, 1.0, "steady", 1),
    "duration_s": (90.0, 90.0, "steady", 1),  # success stories only (behavioural)
    "star_completeness": (0.5, 0.5, "steady", 1),  # success stories only: action and result
    "result_quantified": (0.0, 1.0, "improving", 6),  # stories #1 #3 #4 without, then with
}
# Every plain-language win of the PLAN, in the order progress gives them.
EXPECTED_WINS = [
    "success story scores up from 58 to 75 over the last two weeks",  # 55 60 -> 70 80
    "your latest success story is your best yet: 80 on 6 Dec",
    "fit answer scores up from 50 to 58 over the last two weeks",  # 50 -> 58
    "your latest fit answer is your best yet: 58 on 30 Nov",
    "fillers down from 4 a minute to 1 over the last two weeks",  # 5 4 3 -> 1 1 1
    "your last four success stories all ended with a number",
    "your last 11 answers were all paced inside 100-165 words a minute",
]


def test_each_measure_and_each_win_of_the_made_up_history(made_up: Path) -> None:
    doc = json.loads(invoke(made_up, "progress", "--json").output)
    got = {
        key: (m["first"], m["recent"], m["trend"], m["best"]["id"])
        for key, m in doc["metrics"].items()
    }
    assert got == EXPECTED_MEASURES
    # Measures for stories only count the seven success stories, not the four other answers.
    for key in ("duration_s", "star_completeness", "result_quantified"):
        assert len(doc["metrics"][key]["points"]) == 7
        assert {p["category"] for p in doc["metrics"][key]["points"]} == {"success-story"}
    assert doc["wins"] == EXPECTED_WINS
    text = " ".join(invoke(made_up, "progress", env={"COLUMNS": "80"}).output.split())
    for win in EXPECTED_WINS:
        assert f"+ {win[0].upper()}{win[1:]}." in text
    # Why 140 is the best pace is said beside it.
    assert "best 140 on 16 Nov (#1, nearest the middle of 100-165 wpm)" in text
