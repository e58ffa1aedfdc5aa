"""Short drafts of the two notes a job seeker sends, from the templates in prompts/notes/.

`thank-you`: sent promptly after a conversation, tying up its loose ends (the points given).
`feedback-request`: after a rejection, a respectful ask for a few minutes of candid critique.
The templates are `string.Template` text: user values are substituted, never interpreted.
Each paragraph is one line, so the draft pastes into an email client, which wraps it.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from string import Template

from practice.core.errors import InputError

KINDS: tuple[str, ...] = ("thank-you", "feedback-request")
NOTES_DIR = "notes"  # inside the package data practice.prompts (prompts/ in a checkout)
FILE_MODE = 0o600  # a note names an employer and an interviewer: private until sent
_SPLIT = re.compile(r"[;\n]")  # several points in one --points value


def split_points(values: Sequence[str]) -> list[str]:
    """The points as a list: each value may hold several, separated by ';' or new lines."""
    return [p.strip() for v in values for p in _SPLIT.split(v) if p.strip()]


def draft(
    kind: str,
    *,
    company: str,
    role: str,
    interviewer: str | None = None,
    points: Sequence[str] = (),
) -> str:
    """The note `kind` filled in; `points` are loose ends (thank-you) or topics (feedback)."""
    if kind not in KINDS:
        raise InputError(f'Unknown note "{kind}"; use one of {", ".join(KINDS)}.')
    company, role = company.strip(), role.strip()
    if not company or not role:
        raise InputError("A note needs both --company and --role; give them and retry.")
    name = (interviewer or "").strip()
    values = {
        "company": company,
        "role": role,
        "greeting": f"Dear {name}," if name else "Hello,",
        "loose_ends": _loose_ends(points),
        "focus": _focus(points),
    }
    return Template(_template(kind)).substitute(values)


def _loose_ends(points: Sequence[str]) -> str:
    if not points:
        # A thank-you note earns its place by following up on something specific.
        return "[Follow up on one or two things you discussed, or finish an answer you gave.]"
    return "A few things from our conversation I wanted to follow up on:\n" + "\n".join(
        f"- {p}" for p in points
    )


def _focus(points: Sequence[str]) -> str:
    if not points:
        return ""
    return (
        "\nIn particular, I would welcome your view on:\n"
        + "\n".join(f"- {p}" for p in points)
        + "\n"
    )


def _template(kind: str) -> str:
    name = f"{kind}.txt"
    try:
        from importlib.resources import files

        return (files("practice.prompts") / NOTES_DIR / name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        # Running from a checkout (editable install): prompts/ is not mapped into the package.
        path = Path(__file__).resolve().parents[1] / "prompts" / NOTES_DIR / name
        try:
            return path.read_text(encoding="utf-8")
        except OSError as e:
            raise InputError(
                f"The note template {path} cannot be read ({e.strerror}); reinstall practice "
                "and retry."
            ) from e


def write_note(path: str | os.PathLike[str], text: str) -> Path:
    """Write `text` to `path` readable by the owner only, replacing the file in one step."""
    dest = Path(path).expanduser()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
        try:
            os.fchmod(fd, FILE_MODE)  # mkstemp's mode is already 0600; keep it whatever the umask
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as e:
        raise InputError(
            f"Cannot write the note to {dest} ({e.strerror or e}); check the folder exists and "
            "that you can write to it."
        ) from e
    return dest
