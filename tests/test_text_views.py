"""Every text view at 80 and 40 columns: no line wider than the terminal, no word cut; colour
only repeats what the words say; days are the person's local days (issue 21)."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_prep import POSTING
from test_progress import save_plan
from test_review import STORY_Q, invoke, make_attempt, write_tone

from practice.history.store import History

STORY = (
    "At my last job the weekly report took four hours to build by hand. My task was to "
    "automate it before the quarterly review. I wrote a Python script that pulled the data "
    "from three systems and built the charts. As a result the report took ten minutes "
    "instead of four hours, saving the team 200 hours a year."
)
ANSWER = STORY
NOTES = "They asked about my gap year and the data-platform migration I led last spring."
QUESTION_ID = "conflict-coworker"
NOTE_ARGS = ("--company", "Acme Analytics", "--role", "Senior Data Engineer")
NOTE_POINTS = "the dashboard latency question we ran out of time for"


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The made-up history of test_progress (eleven attempts over three weeks, an interview, a
    retried question), with a kept story rehearsed twice, three outcomes and a job posting."""
    tmp = tmp_path_factory.mktemp("views")
    home = tmp / "home"
    with pytest.MonkeyPatch.context() as mp:
        save_plan(home, tmp, mp)
    r = invoke(home, "stories", "add", "--text", "-", "--title", "Automating the weekly report",
               input=STORY)  # fmt: skip
    assert r.exit_code == 0, r.output
    wav = write_tone(tmp / "tone.wav")
    with History.open(home) as h:
        for overall in (61, 74):
            h.save(make_attempt(overall, question=STORY_Q), wav, story_id=1)
    for company in ("Acme", "Globex", "Initech"):
        r = invoke(
            home, "outcome", "add", "--company", company, "--role", "Senior Data Engineer",
            "--stage", "phone-screen", "--result", "rejected", "--notes", NOTES,
        )  # fmt: skip
        assert r.exit_code == 0, r.output
    (tmp / "job.txt").write_text(POSTING)
    (tmp / "answer.txt").write_text(ANSWER)
    return home


def _json(home: Path, *args: str) -> object:
    r = invoke(home, *args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _strings(doc: object, keys: set[str]) -> list[str]:
    """Every string value under one of `keys`, anywhere in a JSON document."""
    out: list[str] = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k in keys and isinstance(v, str):
                out.append(v)
            else:
                out += _strings(v, keys)
    elif isinstance(doc, list):
        for v in doc:
            out += _strings(v, keys)
    return out


def _sources(home: Path, command: str) -> tuple[list[str], list[str]]:
    """The command line of a text view and the texts it must show whole, read from its --json
    twin (or the library) where it has one."""
    job = str(home.parent / "job.txt")
    if command == "history":
        doc = _json(home, "history")
        assert isinstance(doc, list)
        return ["history"], [a["question"]["text"] for a in doc if a.get("question")]
    if command == "review":
        doc = _json(home, "history")
        texts = _strings(doc, {"reason", "tip"}) + ["Tell me about a time you solved a problem."]
        return ["review", "last"], [*texts, "[Um], {I think} I rebuilt the queue. [pause 2.5s]"]
    if command == "review-first":
        return ["review", "1"], ["First attempt at this question: nothing to compare yet."]
    if command == "progress":
        doc = _json(home, "progress")
        assert isinstance(doc, dict)
        texts = list(doc["wins"]) + _strings(doc["weak_spots"], {"text", "tip"})
        texts = [t[0].upper() + t[1:] for t in texts if t]
        retried = [q["text"] for q in doc["by_question"].values() if q["attempts"] > 1]
        return ["progress"], texts + retried + _strings(doc["by_story"], {"text"})
    if command == "questions list":
        return ["questions", "list"], _strings(_json(home, "questions", "list"), {"text"})
    if command == "questions show":
        bank = _json(home, "questions", "list")
        assert isinstance(bank, list)
        q = next(q for q in bank if q["id"] == QUESTION_ID)
        return ["questions", "show", QUESTION_ID], [q["text"], q["guidance"]]
    if command == "stories list":
        return ["stories", "list"], _strings(_json(home, "stories", "list"), {"title"})
    if command == "stories show":
        doc = _json(home, "stories", "show", "1")
        parts = {"title", "situation", "task", "actions", "result", "quantified_result"}
        return ["stories", "show", "1"], _strings(doc, parts)
    if command == "prep":
        doc = _json(home, "prep", "--job", job)
        return ["prep", "--job", job], _strings(doc, {"text", "advice", "reason"})
    if command == "outcomes":
        doc = _json(home, "outcomes")
        return ["outcomes"], _strings(doc, {"company", "role", "notes"})
    if command == "diagnose":
        doc = _json(home, "diagnose")
        assert isinstance(doc, dict)
        main = doc["findings"][0]
        texts = [main[k] for k in ("headline", "basis", "meaning", "evidence_note")]
        texts += main["practise"] + [e["text"] for e in main["evidence"]]
        return ["diagnose"], [*texts, doc["encouragement"]]
    if command == "plan":
        return ["plan"], _strings(_json(home, "plan"), {"focus", "text", "reason"})
    if command in ("note thank-you", "note feedback-request"):
        from practice.journey import notes

        kind = command.split()[1]
        draft = notes.draft(kind, company=NOTE_ARGS[1], role=NOTE_ARGS[3], points=[NOTE_POINTS])
        args = ["note", kind, *NOTE_ARGS, "--points", NOTE_POINTS]
        return args, [p for p in draft.splitlines() if p.strip()]
    if command == "score":
        args = ["score", str(home.parent / "answer.txt"), "--category", "success-story"]
        args += ["--question-text", "Tell me about a time you improved the way your team worked."]
        doc = _json(home, *args)
        assert isinstance(doc, dict)
        texts = _strings(doc["scores"], {"reason"}) + list(doc["tips"])
        texts += _strings(doc["structure"], {"text"})
        return args, [*texts, "STAR: situation, task, action, result"]
    if command == "config path":
        return ["config", "path"], []
    if command == "models list":
        doc = _json(home, "models", "list")
        assert isinstance(doc, list)
        return ["models", "list"], [m["path"] for m in doc]
    raise AssertionError(command)


VIEWS = (
    "history", "review", "review-first", "progress", "questions list", "questions show",
    "stories list", "stories show", "prep", "outcomes", "diagnose", "plan", "note thank-you",
    "note feedback-request", "score", "config path", "models list",
)  # fmt: skip


def _words_whole(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("columns", [80, 40])
@pytest.mark.parametrize("command", VIEWS)
def test_every_text_view_fits_the_width_and_cuts_no_word(
    views: Path, command: str, columns: int
) -> None:
    """Wrapping adds only line breaks and indents: no line is wider than COLUMNS but a single
    unbreakable token (here only file paths: `config path`'s, `models list`'s), and with the
    breaks taken out every text the view shows (read from its --json twin) is there whole."""
    args, texts = _sources(views, command)
    assert texts or command == "config path"
    r = invoke(views, *args, env={"COLUMNS": str(columns), "NO_COLOR": "1"})
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines
    too_long = [line for line in lines if len(line) > columns]
    # The one kind of line allowed to stick out: a path, whole, alone on its line.
    assert all(" " not in line.strip() and "/" in line for line in too_long), (
        f"{command} at {columns}:\n" + "\n".join(too_long)
    )
    if command == "config path":
        assert lines == [str(views / "config.toml")] or lines[0].endswith(".toml")
    assert not any("…" in line for line in lines)
    shown = _words_whole(r.stdout)
    for text in texts:
        assert _words_whole(text) in shown, f"{command} at {columns} cut {text!r}"


# -- colour only repeats the words ---------------------------------------------------------------


def _both(render: object) -> dict[str, str]:
    from rich.console import Console

    out = {}
    for name, kwargs in {
        "colour": {"force_terminal": True, "color_system": "truecolor"},
        "plain": {"no_color": True, "color_system": None},
    }.items():
        buf = io.StringIO()
        render(Console(file=buf, width=60, highlight=False, **kwargs))  # type: ignore[operator]
        out[name] = buf.getvalue()
    return out


def test_colour_shows_nothing_the_plain_text_does_not(views: Path) -> None:
    """The feedback, the review and progress, coloured and with NO_COLOR (or piped): the
    coloured one, its colour taken off, reads exactly as the plain one; a missing STAR part and
    each verdict are words."""
    from rich.text import Text

    from practice.cli.history import render_progress, render_review
    from practice.cli.render import analysis_lines, print_lines
    from practice.history import progress as pg
    from practice.history import review as rv

    with History.open(views) as h:
        last = h.get("11")
        previous = h.get("10")
        prog = pg.build(h.list())
    data = rv.build(last, previous=previous, same_question=[previous, last])

    def everything(console: object) -> None:
        from rich.console import Console

        assert isinstance(console, Console)
        print_lines(analysis_lines(last.analysis, 60), console, plain=console.no_color)
        render_review(data, last, None, console)
        render_progress(prog, console)

    views_ = _both(everything)
    assert "\x1b[" in views_["colour"] and "\x1b[" not in views_["plain"]
    assert Text.from_ansi(views_["colour"]).plain == views_["plain"]
    plain = views_["plain"]
    assert "STAR: action, result; missing: situation, task" in _words_whole(plain)
    assert "Overall 70 -> 80 better" in _words_whole(plain)
    assert "Delivery 70 -> 70 same" in _words_whole(plain)
    assert "ACT [Um], {I think} I rebuilt the queue. [pause 2.5s]" in _words_whole(plain)


def test_piped_output_has_no_escape_sequences(views: Path) -> None:
    """A pipe (CliRunner's output is one) gets the plain view even without NO_COLOR."""
    for args in (["review", "last"], ["progress"], ["history"]):
        r = invoke(views, *args, env={"COLUMNS": "80"})
        assert r.exit_code == 0, r.output
        assert "\x1b" not in r.output
    assert "missing: situation, task" in invoke(views, "review", "last").output


# -- local days -------------------------------------------------------------------------------


@contextmanager
def time_zone(name: str) -> Iterator[None]:
    """The process in time zone `name` inside the block, as it was after."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", name)
        time.tzset()
        try:
            yield
        finally:
            mp.undo()
            time.tzset()


@pytest.fixture(autouse=True)
def utc() -> Iterator[None]:
    """The views' dates and times are local: the expectations here are written in UTC, so the
    tests run in UTC whatever the machine's zone (the days test moves to New York)."""
    with time_zone("UTC"):
        yield


@pytest.fixture
def zone() -> Iterator[None]:
    """The process in New York time (UTC-5 in December) for the test, then back."""
    with time_zone("America/New_York"):
        yield


def _save_at(home: Path, tmp_path: Path, moments: list[datetime], overalls: list[int]) -> None:
    from practice.history import store

    wav = write_tone(tmp_path / "tone.wav")
    with pytest.MonkeyPatch.context() as mp, History.open(home) as h:
        for moment, overall in zip(moments, overalls, strict=True):
            mp.setattr(store, "utc_now", lambda m=moment: m.isoformat())
            a = make_attempt(overall, fillers_per_minute=6.0 if overall < 60 else 1.0)
            h.save(dataclasses.replace(a, duration_s=90.0), wav)


def test_days_are_the_persons_local_days_everywhere(zone: None, tmp_path: Path) -> None:
    """Answers at 23:30 and 00:30 New York time (04:30 and 05:30 UTC the next day) fall on two
    local days, in progress, its trend, the wins, history, review and the charts alike."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from practice.history import charts
    from practice.history import progress as pg

    home = tmp_path / "home"
    moments = [
        datetime(2026, 12, 5, 4, 30, tzinfo=UTC),  # 4 Dec, 23:30 in New York
        datetime(2026, 12, 6, 4, 30, tzinfo=UTC),  # 5 Dec, 23:30
        datetime(2026, 12, 6, 5, 30, tzinfo=UTC),  # 6 Dec, 00:30
        datetime(2026, 12, 6, 6, 0, tzinfo=UTC),  # 6 Dec, 01:00
    ]
    _save_at(home, tmp_path, moments, [50, 55, 80, 85])
    doc = json.loads(invoke(home, "progress", "--json").output)
    assert (doc["first_date"], doc["last_date"]) == ("2026-12-04", "2026-12-06")
    points = doc["metrics"]["overall"]["points"]
    assert [p["date"] for p in points] == ["2026-12-04", "2026-12-05", "2026-12-06", "2026-12-06"]
    trend = doc["by_category"]["success-story"]["trend"]
    assert [(d["date"], d["attempts"], d["average"]) for d in trend] == [
        ("2026-12-04", 1, 50.0),
        ("2026-12-05", 1, 55.0),
        ("2026-12-06", 2, 82.5),
    ]
    # Every point carries its local day beside the stored UTC time, for the app to group by.
    story = doc["by_category"]["success-story"]
    assert (story["first"]["date"], story["latest"]["date"]) == ("2026-12-04", "2026-12-06")
    assert story["first"]["created_at"].startswith("2026-12-05T04:30")
    assert doc["by_question"]["success-problem"]["best"]["date"] == "2026-12-06"
    # Two local days from first to last: "over the last 2 days", not UTC's "since yesterday".
    assert "success story scores up from 52 to 82 over the last 2 days" in doc["wins"]
    assert "fillers down from 6 a minute to 1 over the last 2 days" in doc["wins"]
    assert doc["metrics"]["overall"]["best"]["created_at"].startswith("2026-12-06T06:00")
    history = invoke(home, "history", env={"COLUMNS": "80"}).output
    assert "#3  2026-12-06 00:30" in history and "#2  2026-12-05 23:30" in history
    review = invoke(home, "review", "3", env={"COLUMNS": "80"}).output
    assert "2026-12-06 00:30" in review and "previous try (#2, 2026-12-05)" in review
    text = _words_whole(invoke(home, "progress", env={"COLUMNS": "80"}).output)
    assert "4 Dec to 6 Dec" in text and "best 85 on 6 Dec (#4, highest)" in text
    with History.open(home) as h:
        fig = charts.figure(pg.build(h.list()))
    try:
        xs = fig.axes[0].get_lines()[0].get_xdata()
        days = [mdates.num2date(mdates.date2num(x)).strftime("%Y-%m-%d %H:%M") for x in xs]
        assert days == ["2026-12-04 23:30", "2026-12-05 23:30", "2026-12-06 00:30",
                        "2026-12-06 01:00"]  # fmt: skip
    finally:
        plt.close(fig)


def test_local_day_of_a_stored_moment(zone: None) -> None:
    from practice.core.when import local_day, local_minute

    assert local_day("2026-12-06T04:59:59.000+00:00") == "2026-12-05"
    assert local_day("2026-12-06T05:00:00.000+00:00") == "2026-12-06"
    assert local_minute("2026-12-06T05:30:00+00:00") == "2026-12-06 00:30"
    assert local_day("2026-12-06T05:00:00") == "2026-12-06"  # no zone: UTC, as stored
    # Summer time: New York is UTC-4 in July.
    assert local_minute("2026-07-01T03:30:00Z") == "2026-06-30 23:30"


@pytest.mark.parametrize("columns", [80, 40])
def test_interview_and_retry_lines_fit_the_width(
    columns: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`interview`'s lines after each answer and at the end, and `ask --retry`'s comparison,
    go through the same fitting (`say`) as the views run above: the microphone they need is
    left out, the lines are not."""
    from practice.app.rehearse import changes
    from practice.cli.common import say
    from practice.cli.rehearse import _change_lines
    from practice.journey import interview as mock

    monkeypatch.setenv("COLUMNS", str(columns))
    before = dataclasses.replace(make_attempt(60), id=4)
    after = make_attempt(72)
    summary = mock.summarize([before, after])
    texts = [mock.answer_line(1, 2, before), *mock.summary_lines(summary, 2)]
    texts += _change_lines(changes(before, after))
    for text in texts:
        say(text)
    out = capsys.readouterr().out
    assert all(len(line) <= columns for line in out.splitlines()), out
    shown = _words_whole(out)
    for text in texts:
        assert _words_whole(text) in shown
    assert "Tip: Open with when and where it happened." in shown


def test_the_report_names_a_missing_star_part_in_words(views: Path, tmp_path: Path) -> None:
    """The HTML report colours each sentence by its STAR label; the parts no sentence has are
    named too, so a reader who cannot see the colours misses nothing."""
    out = tmp_path / "report.html"
    r = invoke(views, "report", "--html", str(out), "--last", "1")
    assert r.exit_code == 0, r.output
    page = out.read_text()
    assert "STAR: action, result; missing: situation, task · quantified result" in page


def test_the_one_wrapping_rule() -> None:
    """Between words only: a hyphenated id, a path and a glued figure stay whole; `fit` hangs
    a list item's continuation under its text and keeps a prompt's trailing space."""
    from practice.core.text import fit, glue, wrap

    assert wrap("see feedback-request and success-story now", 16) == [
        "see",
        "feedback-request",
        "and",
        "success-story",
        "now",
    ]
    path = "/home/someone/.local/share/practice/config.toml"
    assert wrap(f"Wrote {path}.", 20) == ["Wrote", f"{path}."]
    assert wrap(f"pace {glue('140 wpm')} today", 9) == ["pace", "140 wpm", "today"]
    assert wrap("tip", 20, indent="  • ", hang="    ") == ["  • tip"]
    text = "  - 3 of your last 3 fit answers gave no reason\n[GAP] Explain findings to managers"
    assert fit(text, 24).splitlines() == [
        "  - 3 of your last 3 fit",
        "    answers gave no",
        "    reason",
        "[GAP] Explain findings",
        "      to managers",
    ]
    assert fit("Press Enter for question 2 (q to stop): ", 20).endswith("stop): ")
    assert fit("short\n", 20) == "short\n"


@pytest.mark.parametrize("width", [80, 34])
def test_a_missing_star_part_is_dimmed_even_on_the_next_line(width: int) -> None:
    """Wrapped after "missing:", the parts named on the next line are still the missing ones:
    dimmed, never in a present part's colour."""
    from rich.console import Console
    from rich.text import Text

    from practice.cli.render import print_lines, star_lines

    st = make_attempt(50).structure  # action and result, no situation, no task
    lines = star_lines(st, width)
    assert len(lines) == (1 if width == 80 else 3)  # "missing:" ends the first of three
    buf = io.StringIO()
    print_lines(lines, Console(file=buf, width=width, force_terminal=True), plain=False)
    text = Text.from_ansi(buf.getvalue())
    styles = {}
    for part in ("situation", "task", "action", "result"):
        at = text.plain.index(part)
        styles[part] = next(str(s.style) for s in text.spans if s.start <= at < s.end)
    assert styles["situation"] == styles["task"] == "dim"
    assert "dim" not in styles["action"] and "dim" not in styles["result"]
    # "quantified result" is no STAR part: left uncoloured.
    found = re.search(r"quantified\s+(result)", text.plain)
    assert found is not None
    at = found.start(1)
    assert not [s for s in text.spans if s.start <= at < s.end]
