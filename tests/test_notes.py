"""Note drafts: what goes in, what must never, and how they are written out."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from practice.cli.main import cli
from practice.core.errors import InputError
from practice.journey import notes

REPO = Path(__file__).resolve().parents[1]
# Words that would make a feedback request read as a complaint or a plea to reconsider.
RESENTFUL = re.compile(
    r"\b(unfair\w*|disappoint\w*|frustrat\w*|upset|surpris\w*|mistake\w*|wrong\w*|deserv\w*|"
    r"should have|shouldn't have|why didn't|reconsider\w*|regret\w*|confus\w*|overlook\w*|"
    r"unfortunate\w*|biased|bias)\b",
    re.IGNORECASE,
)


def test_thank_you_ties_up_the_loose_ends() -> None:
    text = notes.draft(
        "thank-you",
        company="Acme Health",
        role="Data Analyst",
        interviewer="Dana Rivera",
        points=[
            "the SQL exercise I would now solve with a window function",
            "the sample dashboard you asked about",
        ],
    )
    assert "Dear Dana Rivera," in text
    assert "Data Analyst role at Acme Health" in text
    assert "- the SQL exercise I would now solve with a window function\n" in text
    assert "- the sample dashboard you asked about\n" in text
    assert "$" not in text  # every placeholder filled
    assert len(text.split()) < 150  # a short note, read in half a minute


def test_thank_you_without_points_leaves_a_visible_prompt_to_fill_in() -> None:
    text = notes.draft("thank-you", company="Acme", role="Analyst")
    assert text.splitlines()[2] == "Hello,"
    assert "[Follow up on one or two things you discussed" in text


def test_feedback_request_is_respectful_and_asks_for_candid_minutes() -> None:
    text = notes.draft(
        "feedback-request",
        company="Birch Labs",
        role="Product Manager",
        interviewer="Sam Okafor",
        points=["how I answered the roadmap case"],
    )
    assert "Dear Sam Okafor," in text
    assert "Product Manager role" in text and "Birch Labs" in text
    assert "- how I answered the roadmap case" in text
    assert "candid" in text and "ten minutes" in text
    assert "thank you" in text.lower()
    assert not RESENTFUL.findall(text)
    assert len(text.split()) < 170


@pytest.mark.parametrize("kind", notes.KINDS)
def test_no_template_carries_a_resentful_word(kind: str) -> None:
    raw = (REPO / "prompts" / "notes" / f"{kind}.txt").read_text(encoding="utf-8")
    assert not RESENTFUL.findall(raw)


def test_values_are_text_not_template_code() -> None:
    text = notes.draft("thank-you", company="$role Inc", role="Analyst", points=["${company}"])
    assert "at $role Inc." in text and "- ${company}" in text


def test_points_split_on_semicolons_and_lines() -> None:
    assert notes.split_points(["a; b", "c\nd", "  ", "e;"]) == ["a", "b", "c", "d", "e"]


def test_bad_kind_and_missing_names_are_refused() -> None:
    with pytest.raises(InputError, match="thank-you, feedback-request"):
        notes.draft("apology", company="A", role="R")
    with pytest.raises(InputError, match="--company and --role"):
        notes.draft("thank-you", company=" ", role="R")


def test_write_note_is_private_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("old draft")
    path.chmod(0o644)
    notes.write_note(path, "new draft\n")
    assert path.read_text() == "new draft\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(InputError, match="Cannot write the note"):
        notes.write_note(tmp_path / "missing-dir" / "n.txt", "x")


# -- CLI ------------------------------------------------------------------------------------------


def test_cli_prints_the_draft_by_default(tmp_path: Path) -> None:
    r = CliRunner().invoke(
        cli,
        [
            "--home",
            str(tmp_path),
            "note",
            "thank-you",
            "--company",
            "Acme",
            "--role",
            "Analyst",
            "--points",
            "budget; timeline",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "- budget\n- timeline\n" in r.output and "Acme" in r.output


def test_cli_out_writes_a_private_file_and_prints_nothing_on_stdout(tmp_path: Path) -> None:
    out = tmp_path / "thanks.txt"
    r = CliRunner().invoke(
        cli,
        [
            "--home",
            str(tmp_path),
            "note",
            "feedback-request",
            "--company",
            "Acme",
            "--role",
            "Analyst",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "Birch" not in out.read_text() and "Acme" in out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert r.stdout == ""


def test_cli_edit_keeps_what_the_editor_returns(tmp_path: Path, monkeypatch) -> None:
    seen = {}

    def fake_edit(text: str) -> str:
        seen["text"] = text
        return text.replace("Hello,", "Hi Dana,")

    monkeypatch.setattr(click, "edit", fake_edit)
    r = CliRunner().invoke(
        cli,
        [
            "--home",
            str(tmp_path),
            "note",
            "thank-you",
            "--company",
            "Acme",
            "--role",
            "Analyst",
            "--edit",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "Hello," in seen["text"]
    assert "Hi Dana," in r.output and "Hello," not in r.output


def test_cli_requires_company_and_role(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["--home", str(tmp_path), "note", "thank-you", "--role", "R"])
    assert r.exit_code == 2 and "--company" in r.output
