"""The command line: help everywhere, clean errors, the JSON contract for typed answers."""

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner
from conftest import SPEECH

from practice.cli.main import cli

STORY = (
    "Last year I led the support team at a software company where customers waited three days "
    "for answers. My goal was to cut that to one day. I sorted the tickets by topic and I wrote "
    "answers for the ten most common questions. Response time fell to five hours and "
    "satisfaction rose by 20 percent."
)


def walk(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from walk(cmd, (*prefix, name))


def test_every_command_has_help():
    runner = CliRunner()
    commands = list(walk(cli))
    assert len(commands) >= 7
    for path, cmd in commands:
        assert cmd.help, f"{' '.join(path)} has no help"
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, result.output
        assert "Usage: " in result.output


def test_help_imports_no_heavy_library():
    code = (
        "import sys; from click.testing import CliRunner; from practice.cli.main import cli; "
        "CliRunner().invoke(cli, ['--help']); "
        "print(sorted(m for m in ('torch', 'whisper', 'faster_whisper', 'librosa', "
        "'sounddevice', 'numpy', 'ctranslate2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def run(args, tmp_path, input=None):
    return CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), *args], input=input)


def test_score_typed_answer_follows_the_contract(tmp_path):
    r = run(
        [
            "score",
            "-",
            "--question-text",
            "Tell me about a time you improved something",
            "--category",
            "success-story",
            "--json",
        ],
        tmp_path,
        input=STORY,
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["audio"] is None and doc["delivery"] is None and doc["prosody"] is None
    assert doc["category"] == "success-story" and doc["id"] is None
    st = doc["structure"]
    assert st["situation"] and st["task"] and st["action"] and st["result"]
    assert st["result_quantified"] is True
    assert set(doc["scores"]) == {"overall", "structure", "delivery", "enthusiasm", "content"}
    assert doc["scores"]["delivery"] is None and 0 <= doc["scores"]["overall"] <= 100


def test_score_needs_a_question(tmp_path):
    r = run(["score", "-"], tmp_path, input=STORY)
    assert r.exit_code == 2 and "--question-text" in r.output


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"hello, this is text\n" * 40, "not audio")],
)
def test_analyze_bad_input_is_one_line_and_exit_1(tmp_path, content, message):
    bad = tmp_path / "answer.wav"
    bad.write_bytes(content)
    r = run(["analyze", str(bad)], tmp_path)
    assert r.exit_code == 1
    assert message in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_analyze_missing_file_and_unknown_model(tmp_path):
    r = run(["analyze", str(tmp_path / "none.wav")], tmp_path)
    assert r.exit_code == 1 and "No such file" in r.output
    r = run(["analyze", str(SPEECH / "clips" / "fw__jfk.flac"), "--model", "huge"], tmp_path)
    assert r.exit_code == 1 and 'Unknown model "huge"' in r.output


def test_unwritable_home_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = CliRunner().invoke(cli, ["--home", str(blocker / "home"), "history"])
    assert r.exit_code == 1 and "Cannot write to the data home" in r.output


def test_unknown_option_is_a_usage_error(tmp_path):
    r = run(["analyze", "x.wav", "--speed", "9"], tmp_path)
    assert r.exit_code == 2


def test_history_starts_empty_and_models_list_json(tmp_path):
    r = run(["history", "--json"], tmp_path)
    assert r.exit_code == 0 and json.loads(r.output) == []
    r = run(["models", "list", "--json"], tmp_path)
    rows = json.loads(r.output)
    assert {(x["name"], x["engine"]) for x in rows} == {
        ("base", "faster-whisper"),
        ("base", "openai-whisper"),
        ("tiny.en", "faster-whisper"),
        ("tiny.en", "openai-whisper"),
    }
    assert set(rows[0]) == {"name", "engine", "format", "path", "sha256", "installed"}
    assert not any(x["installed"] for x in rows)


def test_questions_add_list_and_show(tmp_path):
    r = run(
        [
            "questions",
            "add",
            "why-acme",
            "--text",
            "Why did you leave Acme?",
            "--category",
            "red-flag",
            "--target",
            "30-60",
        ],
        tmp_path,
    )
    assert r.exit_code == 0, r.output
    rows = json.loads(
        run(["questions", "list", "--category", "red-flag", "--json"], tmp_path).output
    )
    mine = [q for q in rows if q["id"] == "why-acme"]
    assert mine and mine[0]["target_seconds"] == [30, 60]
    assert len(rows) >= 9  # the built-in red-flag questions are there too
    r = run(["questions", "show", "why-acme"], tmp_path)
    assert "Why did you leave Acme?" in r.output and "30-60 s" in r.output
    r = run(
        ["questions", "add", "bad", "--text", "x", "--category", "fit", "--target", "abc"], tmp_path
    )
    assert r.exit_code == 2
