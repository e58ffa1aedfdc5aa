"""Holes from the hardening issue: spreadsheet formulas, terminal escapes, attempt ids, bank
names, file modes and one-line errors where a traceback was."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import pytest
from test_review import STORY_Q, fill_history, invoke

from practice.history.report import csv_cell


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


# -- 1. CSV formula injection -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "  =1+1", "\t=1"]
)
def test_a_text_cell_a_spreadsheet_would_run_is_quoted(text: str) -> None:
    assert csv_cell(text) == "'" + text


def test_numbers_and_plain_text_stay_as_they_are() -> None:
    assert csv_cell(-3) == -3
    assert csv_cell(-2.5) == -2.5
    assert csv_cell(None) == ""
    assert csv_cell("Tell me - about") == "Tell me - about"


def test_csv_export_quotes_a_question_that_reads_as_a_formula(home: Path, tmp_path: Path) -> None:
    import dataclasses

    q = dataclasses.replace(STORY_Q, text='=HYPERLINK("http://evil","click")')
    fill_history(home, tmp_path, [50], question=q)
    r = invoke(home, "export", "--format", "csv")
    assert r.exit_code == 0, r.output
    row = next(csv.DictReader(io.StringIO(r.output)))
    assert row["question_text"] == "'" + q.text
    assert row["overall"] == "50"


# -- 3. attempt, story and outcome numbers ------------------------------------------------------

BAD_NUMBERS = ["100000000000000000000000", "9223372036854775808", "-1", "0", "abc", "\u00b2"]


@pytest.mark.parametrize("bad", BAD_NUMBERS)
@pytest.mark.parametrize(
    "command",
    [
        ["review", "--", "{}"],
        ["export", "--bundle", "{tmp}/b.zip", "--", "{}"],
        ["delete", "--yes", "--", "{}"],
        ["fix", "--", "{}"],
        ["ask", "--retry", "{}"],
        ["ask", "--story", "{}"],
        ["report", "--html", "{tmp}/r.html", "--", "{}"],
        ["stories", "add", "--from", "{}"],
        ["stories", "show", "--", "{}"],
        ["stories", "edit", "--title", "t", "--", "{}"],
        ["stories", "delete", "--", "{}"],
        ["outcome", "edit", "--notes", "n", "--", "{}"],
        ["outcome", "delete", "--", "{}"],
    ],
    ids=lambda c: " ".join(c[:2]) if isinstance(c, list) else None,
)
def test_a_bad_record_number_is_one_line(
    home: Path, tmp_path: Path, command: list[str], bad: str
) -> None:
    fill_history(home, tmp_path, [50], audio=False)
    args = [a.format(bad, tmp=tmp_path) for a in command]
    r = invoke(home, *args, input="\n")
    assert r.exit_code == 1, r.output
    assert isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output
    line = r.output.strip()
    assert "\n" not in line and line.startswith("Error: ")
    if bad != "0":
        assert "number" in line


@pytest.mark.parametrize(
    "option", [["report", "--html", "{tmp}/r.html", "--last"], ["history", "--json", "--limit"]]
)
def test_a_count_past_sqlite_integers_means_all_of_them(
    home: Path, tmp_path: Path, option: list[str]
) -> None:
    fill_history(home, tmp_path, [50, 60], audio=False)
    args = [a.format(tmp=tmp_path) for a in option]
    r = invoke(home, *args, "100000000000000000000000")
    assert r.exit_code == 0, r.output
    if option[0] == "report":
        assert "Report of 2 attempts" in r.output
    else:
        assert len(json.loads(r.output)) == 2


# -- 4. a bank name is a plain file name ---------------------------------------------------------


@pytest.mark.parametrize(
    "bank", ["../../x", "../x", "a/b", "/tmp/x", "..", ".hidden", "a\\b", "x\x00y", ""]
)
def test_a_bank_name_with_a_folder_is_refused(home: Path, tmp_path: Path, bank: str) -> None:
    args = ["questions", "add", "mine-1", "--text", "Why us?", "--category", "fit"]
    r = invoke(home, *args, "--bank", bank)
    assert r.exit_code == 1, r.output
    assert r.output.startswith("Error: ") and r.output.count("\n") == 1
    assert "bank name" in r.output
    assert sorted(p.name for p in tmp_path.rglob("*.toml")) == []


def test_a_plain_bank_name_is_kept_in_the_questions_folder(home: Path) -> None:
    args = ["questions", "add", "mine-1", "--text", "Why us?", "--category", "fit"]
    r = invoke(home, *args, "--bank", "real-interviews.toml")
    assert r.exit_code == 0, r.output
    assert (home / "questions" / "real-interviews.toml").is_file()


# -- 5. files with the user's words or voice are private whatever the umask ---------------------


@pytest.fixture
def open_umask():
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_written_files_are_private_under_umask_zero(
    home: Path, tmp_path: Path, open_umask: None
) -> None:
    from test_prep import POSTING

    ids = fill_history(home, tmp_path, [40, 60])
    out = tmp_path / "out"
    out.mkdir()
    job = tmp_path / "job.txt"
    job.write_text(POSTING)
    commands = {
        "report.html": ["report", "--html", str(out / "report.html")],
        "bundle.zip": ["export", str(ids[-1]), "--bundle", str(out / "bundle.zip")],
        "h.csv": ["export", "--format", "csv", "--out", str(out / "h.csv")],
        "h.json": ["export", "--format", "json", "--out", str(out / "h.json")],
        "prep.html": ["prep", "--job", str(job), "--html", str(out / "prep.html")],
        "trend.png": ["progress", "--plot", str(out / "trend.png")],
    }
    for name, args in commands.items():
        r = invoke(home, *args)
        assert r.exit_code == 0, (name, r.output)
        assert _mode(out / name) == 0o600, name
    # An existing file a user made readable by others is narrowed when written over.
    (out / "h.csv").chmod(0o644)
    assert invoke(home, *commands["h.csv"]).exit_code == 0
    assert _mode(out / "h.csv") == 0o600


def test_folders_made_in_the_home_are_private_at_every_level(
    home: Path, tmp_path: Path, open_umask: None
) -> None:
    from practice.core.home import ensure_dir

    ensure_dir(home)
    made = ensure_dir(home / "models" / "base" / "ctranslate2")
    for level in (made, made.parent, made.parent.parent):
        assert _mode(level) == 0o700, level


# -- 2. user text cannot drive the terminal ----------------------------------------------------

EVIL = "\x1b]0;evil\x07\x1b[31m"


def test_printable_keeps_text_newlines_and_tabs() -> None:
    from practice.core.text import printable

    assert printable(f"a{EVIL}b\tc\nd\r\x00\x7f\x9b") == "ab\tc\nd"
    assert printable("Café \u2019ok\u2019 \u00e9") == "Café \u2019ok\u2019 \u00e9"


def _clean(output: str) -> None:
    assert "\x1b" not in output and "\x07" not in output, repr(output)


def test_story_outcome_and_question_text_print_without_escapes(home: Path, tmp_path: Path) -> None:
    story = (
        f"{EVIL}At my last job the weekly report took four hours. My goal was to automate it. "
        "I built dashboards for the operations team. As a result the report time fell by 80%."
    )
    r = invoke(home, "stories", "add", "--text", "-", "--title", f"Report {EVIL}", input=story)
    assert r.exit_code == 0, r.output
    _clean(r.output)
    for args in (["stories", "list"], ["stories", "show", "1"]):
        r = invoke(home, *args)
        assert r.exit_code == 0, r.output
        assert "Report" in r.output
        _clean(r.output)

    r = invoke(
        home, "outcome", "add", "--company", f"Acme{EVIL}", "--role", "Analyst",
        "--stage", "applied", "--result", "no-response", "--notes", f"call back {EVIL}",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    _clean(r.output)
    r = invoke(home, "outcomes")
    assert r.exit_code == 0 and "Acme" in r.output, r.output
    _clean(r.output)

    text = f"Tell me about {EVIL}a time you failed."
    args = ["questions", "add", "evil-1", "--text", text, "--category", "success-story"]
    r = invoke(home, *args, "--guidance", f"Own it{EVIL}.")
    assert r.exit_code == 0, r.output
    for args in (["questions", "show", "evil-1"], ["questions", "list"]):
        r = invoke(home, *args)
        assert r.exit_code == 0 and "Tell me about" in r.output, r.output
        _clean(r.output)


def test_a_question_with_escapes_reviews_and_lists_clean(home: Path, tmp_path: Path) -> None:
    import dataclasses

    q = dataclasses.replace(STORY_Q, text=f"Tell me {EVIL}about a time")
    fill_history(home, tmp_path, [50], question=q, audio=False)
    for args in (["review"], ["history"], ["export", "1", "--bundle", str(tmp_path / "b.zip")]):
        r = invoke(home, *args)
        assert r.exit_code == 0, r.output
        _clean(r.output)


def test_an_error_naming_user_text_prints_clean(home: Path) -> None:
    r = invoke(home, "review", f"x{EVIL}")
    assert r.exit_code == 1
    _clean(r.output)


# -- 6. one line where a traceback was ---------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_into_a_missing_folder_is_one_line(home: Path, tmp_path: Path, fmt: str) -> None:
    fill_history(home, tmp_path, [50], audio=False)
    r = invoke(home, "export", "--format", fmt, "--out", str(tmp_path / "none" / f"x.{fmt}"))
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), repr(r.exception)
    assert r.output.startswith("Error: Cannot write") and r.output.count("\n") == 1


@pytest.mark.parametrize("seconds", ["nan", "inf", "-nan"])
def test_play_from_a_non_number_is_one_line(home: Path, tmp_path: Path, seconds: str) -> None:
    fill_history(home, tmp_path, [50])
    r = invoke(home, "review", "--play", "--from", seconds)
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), repr(r.exception)
    assert r.output.startswith("Error: --from") and r.output.count("\n") == 1


def test_play_refuses_a_start_that_is_not_a_number() -> None:
    from practice.core.errors import InputError
    from practice.history.review import play

    with pytest.raises(InputError, match="not a number of seconds"):
        play("/nonexistent.wav", start_s=float("nan"))


def test_the_countdown_still_overwrites_its_line_and_strips_escapes(capsys) -> None:  # noqa: ANN001
    from practice.cli.rehearse import _err_over

    _err_over('Recording from "mic\x1b]0;evil\x07" (press Enter).', nl=False)
    err = capsys.readouterr().err
    assert err == '\rRecording from "mic" (press Enter).'


# -- text input: pipes, devices and standard input ------------------------------------------------


@pytest.mark.parametrize("how", ["answer", "--job"])
def test_a_fifo_nobody_writes_to_is_refused_without_hanging(tmp_path: Path, how: str) -> None:
    import subprocess
    import sys

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    answer = tmp_path / "answer.txt"
    answer.write_text("I rebuilt the queue and the wait fell by half.")
    args = [str(fifo)] if how == "answer" else [str(answer), "--job", str(fifo)]
    done = subprocess.run(
        [sys.executable, "-m", "practice", "--home", str(tmp_path / "home"), "score", *args,
         "--question-text", "Tell me about a time you improved a process."],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "Nothing came through the pipe" in done.stderr and "Traceback" not in done.stderr


def test_standard_input_has_the_same_size_limit_as_a_file(tmp_path: Path) -> None:
    from practice.core.files import MAX_TEXT_BYTES

    home = tmp_path / "home"
    q = ["--question-text", "Tell me about a time you improved a process."]
    long = "word " * (MAX_TEXT_BYTES // 5 + 10)
    r = invoke(home, "score", "-", *q, input=long)
    assert r.exit_code == 1 and "standard input is over" in r.output
    r = invoke(home, "score", "-", *q, input="I rebuilt the queue and the wait fell by half.")
    assert r.exit_code == 0, r.output
