"""`practice ask --story ID`: a kept story told aloud through the virtual microphone, compared
with its written form in the feedback, the review and the story's practice record."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_capture import _ask, vmic  # noqa: F401  (the shared virtual-mic fixture)

from practice.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]

SITUATION = "Last spring our support team had a backlog of four hundred open tickets."
TASK = "As the team lead I had to clear it before the product launch."
ACTIONS = (
    "I sorted the tickets by customer impact, paired each new agent with a senior one, "
    "and wrote answers for the twenty most common questions."
)
RESULT = "We closed the backlog in three weeks and response time fell by 40 percent."


def _cli(home: Path, *args: str) -> dict:
    r = CliRunner().invoke(cli, ["--home", str(home), *args])
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


@pytest.fixture()
def told_without_result(tmp_path: Path) -> Path:
    """The story's situation, task and actions spoken by espeak-ng; the result never said."""
    wav = tmp_path / "told.wav"
    subprocess.run(
        ["espeak-ng", "-s", "150", "-w", str(wav), f"{SITUATION} {TASK} {ACTIONS}"],
        check=True,
        timeout=60,
    )
    return wav


@pytest.mark.mic
@pytest.mark.model
def test_a_story_told_without_its_result_is_caught(
    vmic,  # noqa: F811  (the fixture imported above)
    told_without_result: Path,  # noqa: ANN001
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    story = _cli(
        home,
        "stories",
        "add",
        "--title",
        "Support backlog",
        "--situation",
        SITUATION,
        "--task",
        TASK,
        "--actions",
        ACTIONS,
        "--result",
        RESULT,
        "--json",
    )
    assert story["quantified_result"] == RESULT

    doc, err = _ask(
        [
            "--story",
            str(story["id"]),
            "--stop-after-silence",
            "1.5",
            "--max-seconds",
            "60",
            "--json",
        ],
        home,
        told_without_result,
    )
    assert 'Rehearsing story #1 "Support backlog"' in err
    assert doc["question"]["category"] == "success-story"  # a bank question the story fits
    assert "open tickets" in doc["transcript"]["text"].lower()
    told = doc["story"]
    assert told["id"] == story["id"]
    assert told["result_left_out"] is True
    assert "result" in told["parts_dropped"]
    assert "situation" not in told["parts_dropped"]
    assert any("stopped before the result" in t for t in told["tips"])

    # The review of that attempt says the same; the story counts the rehearsal.
    review = _cli(home, "review", str(doc["id"]), "--json")
    assert review["story"]["result_left_out"] is True
    shown = _cli(home, "stories", "show", str(story["id"]), "--json")
    assert shown["practice"]["attempts"] == 1
    assert shown["practice"]["latest_score"] == doc["scores"]["overall"]
    text = (
        CliRunner(env={"NO_COLOR": "1"})
        .invoke(cli, ["--home", str(home), "review", str(doc["id"])])
        .output
    )
    assert 'Against your written story #1 "Support backlog":' in text
    assert "You stopped before the result" in text


def test_story_with_category_or_retry_is_a_usage_error(tmp_path: Path) -> None:
    env = dict(os.environ) | {"PRACTICE_HOME": str(tmp_path)}
    for extra in (["--category", "fit"], ["--retry", "last"]):
        r = subprocess.run(
            [sys.executable, "-m", "practice", "ask", "--no-input", "--story", "1", *extra],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert r.returncode == 2
        assert "--story picks its own question" in r.stderr


def test_an_unknown_story_is_one_line(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["--home", str(tmp_path), "ask", "--no-input", "--story", "7"])
    assert r.exit_code == 1
    assert r.output.strip().splitlines()[-1].startswith("Error: No story 7")
    assert "Traceback" not in r.output
