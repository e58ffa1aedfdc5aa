"""Shared fixtures: the real speech clips and one data home whose models are assembled once."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

SPEECH = Path(__file__).resolve().parents[2] / "shared" / "speech"
REPO = Path(__file__).resolve().parents[1]

# A suite started in the background by a non-interactive shell ignores SIGINT, and every child
# inherits that across exec: the tests' Ctrl-C then reached no command (a take ran on until
# silence, a saver never stopped). Python's own handler is not inherited, so children start as
# from a terminal.
signal.signal(signal.SIGINT, signal.default_int_handler)


def clips(kind: str | None = None) -> list[dict]:
    rows = [json.loads(line) for line in (SPEECH / "manifest.jsonl").read_text().splitlines()]
    return [r for r in rows if kind is None or r["transcript_kind"] == kind]


@pytest.fixture(scope="session")
def model_home(tmp_path_factory) -> Path:
    """A data home shared by the model tests (PRACTICE_TEST_HOME reuses one across runs)."""
    env = os.environ.get("PRACTICE_TEST_HOME")
    return Path(env) if env else tmp_path_factory.mktemp("home")
