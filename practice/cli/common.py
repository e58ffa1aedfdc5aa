"""What every command module shares: the settings object, the option types and JSON output.

Cheap to import (click and the standard library only), so `practice --help` stays instant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from practice.core.results import CATEGORIES

CATEGORY_CHOICE = click.Choice(list(CATEGORIES))
ENGINE_CHOICE = click.Choice(["faster-whisper", "openai-whisper"])
# A count of rows (--last N, --limit N); the store caps it at SQLite's largest integer.
COUNT = click.IntRange(min=1)
DEFAULT_WIDTH = 80  # columns, when neither COLUMNS nor a terminal says
MIN_WIDTH = 20  # columns: narrower than this, lines are laid out as if this wide


@dataclass
class Settings:
    """Built by the main group from --home / PRACTICE_HOME; the home is made on first use."""

    home_option: str | None

    @property
    def home(self) -> Path:
        from practice.core.home import ensure_dir, resolve_home

        return ensure_dir(resolve_home(self.home_option))


pass_settings = click.make_pass_decorator(Settings)


def echo(message: Any = None, *, err: bool = False, nl: bool = True) -> None:
    """`click.echo` for text output: user text in it (a posting, a note, a story, a transcript)
    cannot reach the terminal as escape sequences or control characters (`core.text.printable`).
    Every plain-text line the commands print goes through here; JSON is escaped by json.dumps."""
    from practice.core.text import printable

    click.echo(None if message is None else printable(str(message)), err=err, nl=nl)


def say(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """`echo` for a text view: each line fitted to the terminal's width (`core.text.fit`),
    wrapped between words under its own indent. Not for JSON or anything a program reads."""
    from practice.core.text import fit

    echo(fit(message, terminal_width()), err=err, nl=nl)


def markup(text: str) -> str:
    """User text for a rich console line: control characters removed, then markup escaped."""
    from rich.markup import escape

    from practice.core.text import printable

    return escape(printable(text))


def terminal_width() -> int:
    """The columns text views wrap to: COLUMNS when set (also when the output is piped), else
    the terminal's, else 80."""
    import shutil

    return max(MIN_WIDTH, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)


def wrap(text: str, width: int, *, indent: str = "", hang: str | None = None) -> list[str]:
    """`core.text.wrap`: the one line-breaking rule of every text view."""
    from practice.core.text import wrap as wrap_text

    return wrap_text(text, width, indent=indent, hang=hang)


def print_json(data: Any) -> None:
    """One JSON document on stdout (numpy scalars become plain numbers)."""
    from practice.core.results import json_default

    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=json_default))


def question_from_options(
    question_id: str | None, question_text: str | None, category: str | None, home: Path | None
) -> Any:
    """The question named by --question / --question-text / --category, or None."""
    if question_id and question_text:
        raise click.UsageError("Give --question or --question-text, not both.")
    from practice.journey.questions import resolve

    return resolve(question_id, question_text, category, home)


def job_text(job: str | None) -> str | None:
    """The job posting's text for --job FILE, or None."""
    if job is None:
        return None
    from practice.core.files import read_text_file

    return read_text_file(job, "job posting")
