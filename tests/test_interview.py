"""The mock interview: question order and least-practised selection, the summary across answers,
reading questions aloud, and one interview end to end through the virtual microphone."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from practice.cli.main import cli
from practice.core.errors import InputError, NoVoiceError
from practice.core.results import Analysis, Delivery, DimensionScore, Question, Scores
from practice.journey import speak
from practice.journey.interview import (
    InterviewSummary,
    answer_line,
    category_order,
    plan,
    summarize,
    summary_lines,
)
from practice.journey.questions import load_bank
from practice.judgment import coach

ROOT = Path(__file__).resolve().parents[1]
CLIPS = ROOT.parent / "shared" / "speech" / "clips"


def q(qid: str, category: str) -> Question:
    return Question(id=qid, text=f"Question {qid}?", category=category)


# -- order -------------------------------------------------------------------------------------


def test_five_questions_run_background_fit_story_red_flag_closing() -> None:
    assert category_order(5) == ["background", "fit", "success-story", "red-flag", "closing"]


def test_background_always_opens_and_closing_ends_longer_interviews() -> None:
    assert category_order(1) == ["background"]
    assert category_order(2) == ["background", "fit"]  # too short to spend one on closing
    assert category_order(3) == ["background", "fit", "closing"]
    long = category_order(10)
    assert long[0] == "background" and long[-1] == "closing"
    assert long.count("background") == 1 and long.count("closing") == 1
    assert long.count("success-story") == 4  # stories are most of a real interview
    assert set(long[1:-1]) == {"fit", "success-story", "red-flag"}


def test_chosen_categories_keep_the_realistic_order() -> None:
    assert category_order(3, ["success-story"]) == ["success-story"] * 3
    assert category_order(4, ["closing", "red-flag", "background"]) == [
        "background",
        "red-flag",
        "red-flag",
        "closing",
    ]
    # Only the opening and closing kinds: openings first, closings last.
    assert category_order(4, ["closing", "background"]) == [
        "background",
        "background",
        "closing",
        "closing",
    ]
    assert category_order(2, ["closing"]) == ["closing", "closing"]
    with pytest.raises(InputError, match='Unknown category "gossip"'):
        category_order(2, ["gossip"])


# -- selection ----------------------------------------------------------------------------------


def test_least_practised_questions_come_first_within_a_category() -> None:
    bank = [
        q("s1", "success-story"),
        q("s2", "success-story"),
        q("s3", "success-story"),
        q("b1", "background"),
    ]
    counts = {"s1": 4, "s2": 0, "s3": 1, "b1": 9}
    picked = plan(
        bank, 4, counts=counts, categories=["success-story", "background"], rng=random.Random(1)
    )
    assert [x.id for x in picked] == ["b1", "s2", "s3", "s1"]


def test_ties_in_practice_are_broken_at_random() -> None:
    bank = [q(f"f{i}", "fit") for i in range(4)]
    firsts = {
        plan(bank, 1, categories=["fit"], counts={"f0": 1}, rng=random.Random(seed))[0].id
        for seed in range(40)
    }
    assert firsts == {"f1", "f2", "f3"}  # never the practised one, each unpractised one at times


def test_the_real_bank_gives_five_different_questions_in_order() -> None:
    picked = plan(load_bank(), 5, rng=random.Random(0))
    assert [x.category for x in picked] == [
        "background",
        "fit",
        "success-story",
        "red-flag",
        "closing",
    ]
    assert len({x.id for x in picked}) == 5


def test_an_exhausted_category_is_stood_in_for_without_repeats() -> None:
    bank = [
        q("b1", "background"),
        q("c1", "closing"),
        q("s1", "success-story"),
        q("s2", "success-story"),
        q("s3", "success-story"),
    ]
    picked = plan(
        bank, 5, categories=["background", "closing", "success-story"], rng=random.Random(0)
    )
    ids = [x.id for x in picked]
    assert len(set(ids)) == 5
    assert ids[0] == "b1" and ids[-1] == "c1"
    # More questions wanted than exist: all of them, once each.
    assert sorted(x.id for x in plan(bank, 9, rng=random.Random(0))) == sorted(x.id for x in bank)
    with pytest.raises(InputError, match="No questions in fit"):
        plan(bank, 2, categories=["fit"])


# -- summary ------------------------------------------------------------------------------------

BASE = coach.analyze_text(
    "I led the migration and we cut costs by 20 percent.", question=q("s1", "success-story")
)


def answer(
    overall: int,
    structure: int,
    delivery: int,
    enthusiasm: int,
    content: int,
    tips: tuple[str, ...],
    wpm: float,
    fpm: float,
    duration_s: float = 60.0,
) -> Analysis:
    def dim(score: int) -> DimensionScore:
        return DimensionScore(score=score, reason="", tip=None)

    d = Delivery(
        words_per_minute=wpm,
        articulation_rate_wpm=wpm,
        speaking_time_s=duration_s,
        pause_count=0,
        long_pause_count=0,
        longest_pause_s=0.0,
        pauses=(),
        filler_count=0,
        fillers_per_minute=fpm,
        discourse_filler_count=0,
        fillers=(),
        hedge_count=0,
        spoken_word_count=0,
    )
    return dataclasses.replace(
        BASE,
        scores=Scores(overall, dim(structure), dim(delivery), dim(enthusiasm), dim(content)),
        tips=tips,
        delivery=d,
        duration_s=duration_s,
    )


def test_summary_averages_ranks_dimensions_and_finds_the_commonest_tip() -> None:
    answers = [
        answer(60, 40, 80, 70, 60, ("Give a number.", "Slow down."), wpm=180, fpm=2.0),
        answer(70, 50, 90, 60, 70, ("Slow down.", "Give a number."), wpm=170, fpm=4.0),
        answer(80, 60, 70, 80, 95, ("Slow down.",), wpm=150, fpm=0.0),
    ]
    s = summarize(answers)
    assert s.answered == 3
    assert s.overall_average == 70.0
    assert s.dimension_averages == {
        "structure": 50.0,
        "delivery": 80.0,
        "enthusiasm": 70.0,
        "content": 75.0,
    }
    assert (s.best_dimension, s.weakest_dimension) == ("delivery", "structure")
    assert (s.most_common_tip, s.most_common_tip_count) == ("Slow down.", 3)
    assert s.words_per_minute_average == pytest.approx(166.7)
    assert s.fillers_per_minute_average == 2.0
    assert s.duration_s == 180.0
    text = "\n".join(summary_lines(s, 5))
    assert "3 of 5 questions answered" in text
    assert "Delivery            80  (best)" in text
    assert "Structure           50  (weakest)" in text
    assert "(3 of 3 answers): Slow down." in text


def test_a_tip_repeated_within_one_answer_counts_once_and_ties_go_to_the_first() -> None:
    answers = [
        answer(50, 50, 50, 50, 50, ("A.", "B."), 150, 1.0),
        answer(50, 50, 50, 50, 50, ("B.", "A."), 150, 1.0),
    ]
    s = summarize(answers)
    assert (s.most_common_tip, s.most_common_tip_count) == ("A.", 2)
    typed = summarize([BASE])  # no audio: no delivery score, no pace
    assert "delivery" not in typed.dimension_averages
    assert typed.words_per_minute_average is None
    assert summarize([]) == InterviewSummary(answered=0, overall_average=None)
    assert summary_lines(summarize([]), 5) == [
        "No answer was recorded, so there is nothing to sum up."
    ]


def test_answer_line_shows_the_scores_pace_and_first_tip() -> None:
    line = answer_line(2, 5, answer(72, 40, 80, 70, 60, ("Give a number.",), 142, 1.0))
    assert line.startswith("Q2/5 · overall 72 · structure 40 · delivery 80")
    assert "142 wpm" in line
    assert line.endswith("Tip: Give a number.")


# -- speaking the question ------------------------------------------------------------------------


def test_voice_found_per_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    present = {"say": "/usr/bin/say", "espeak": "/usr/bin/espeak", "pwsh": "/bin/pwsh"}
    monkeypatch.setattr(speak.shutil, "which", present.get)
    assert speak.find_voice("Darwin") == speak.Voice("say", "/usr/bin/say")
    assert speak.find_voice("Linux") == speak.Voice("espeak", "/usr/bin/espeak")
    assert speak.find_voice("Windows") == speak.Voice("powershell", "/bin/pwsh")
    monkeypatch.setattr(speak.shutil, "which", lambda name: None)
    assert speak.find_voice("Linux") is None
    with pytest.raises(NoVoiceError, match="No local voice"):
        speak.speak("Why us?")


def test_windows_gets_the_text_on_stdin_not_in_the_command_line() -> None:
    argv, stdin = speak.command(speak.Voice("powershell", "ps"), 'Say "hi"; rm -r', None)
    assert stdin == 'Say "hi"; rm -r'
    assert all("hi" not in a for a in argv)
    argv, stdin = speak.command(speak.Voice("espeak-ng", "e"), "-v is not an option", "en-gb")
    assert argv == ["e", "-v", "en-gb", "--", "-v is not an option"] and stdin is None


def fake_voice(tmp_path: Path, body: str) -> speak.Voice:
    script = tmp_path / "espeak-ng"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return speak.Voice("espeak-ng", str(script))


def test_speak_returns_only_after_the_voice_finished(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(speak, "SETTLE_S", 0)
    done = tmp_path / "done"
    voice = fake_voice(tmp_path, f'sleep 0.3; echo "$@" > {done}')
    speak.speak("Tell me about yourself.", voice_name="en-gb", voice=voice)
    assert done.read_text().split() == ["-v", "en-gb", "--", "Tell", "me", "about", "yourself."]


def test_a_failing_voice_is_one_clear_line(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(speak, "SETTLE_S", 0)
    bad_voice = fake_voice(tmp_path, 'echo "Error: voice does not exist." >&2; exit 1')
    with pytest.raises(NoVoiceError, match="voice does not exist.*config set voice"):
        speak.speak("Hi", voice_name="klingon", voice=bad_voice)
    no_sound = fake_voice(tmp_path, 'echo "error: No such file or directory" >&2; exit 0')
    with pytest.raises(NoVoiceError, match="could not play.*sound output"):
        speak.speak("Hi", voice=no_sound)


@pytest.mark.parametrize("command", ["ask", "interview"])
def test_speak_is_refused_with_no_input(command: str, tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["--home", str(tmp_path), command, "--no-input", "--speak"])
    assert r.exit_code == 2
    assert "--no-input never reads the question aloud" in r.output


# -- end to end through the virtual microphone ----------------------------------------------------

from test_capture import _play, vmic  # noqa: E402, F401  (the shared virtual-mic fixture)

INTERVIEW_CLIPS = [  # (clip, words Whisper must hear) in the order the questions come
    (CLIPS / "lhotse__ES2011a.Headset-0-40s-46s.wav", "call me"),  # "I'm Abigail ... call me Abbie"
    (CLIPS / "mfa__english_fast.wav", "red fox"),
]


@pytest.mark.mic
@pytest.mark.model
def test_interview_of_two_questions_saves_one_session(vmic, tmp_path: Path) -> None:  # noqa: ANN001, F811
    home = tmp_path / "home"
    env = dict(os.environ) | {"PRACTICE_HOME": str(home)}
    err_lines: list[str] = []
    players: list[subprocess.Popen] = []
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "practice",
            "interview",
            "-n",
            "2",
            "--no-follow-up",  # this test is about the session; follow-ups: test_follow_up
            "--no-input",
            "--stop-after-silence",
            "1.5",
            "--max-seconds",
            "30",
            "--json",
        ],
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stderr is not None and proc.stdout is not None

        def watch() -> None:
            # Each take announces itself on stderr once the microphone is open: play its clip.
            assert proc.stderr is not None
            for line in proc.stderr:
                err_lines.append(line)
                if line.lstrip("\r").startswith("Recording from") and len(players) < 2:
                    players.append(_play(INTERVIEW_CLIPS[len(players)][0]))

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        out = proc.stdout.read()
        proc.wait(timeout=240)
        watcher.join(timeout=10)
    for p in players:
        p.wait(timeout=30)
    err = "".join(err_lines)
    assert proc.returncode == 0, err
    doc = json.loads(out)
    attempts = doc["attempts"]
    assert len(attempts) == 2, err
    assert [a["category"] for a in attempts] == ["background", "fit"]
    for attempt, (_, words) in zip(attempts, INTERVIEW_CLIPS, strict=True):
        assert words in attempt["transcript"]["text"].lower()
    assert doc["summary"]["answered"] == 2 and doc["summary"]["asked"] == 2
    overall = [a["scores"]["overall"] for a in attempts]
    assert doc["summary"]["overall_average"] == pytest.approx(sum(overall) / 2, abs=0.05)
    assert err.count("Take ended (silence)") == 2

    import sqlite3

    db = sqlite3.connect(home / "history.sqlite3")
    rows = db.execute("SELECT id, session_id FROM attempts ORDER BY id").fetchall()
    kinds = db.execute("SELECT id, kind FROM sessions").fetchall()
    db.close()
    assert kinds == [(doc["session_id"], "interview")]
    assert rows == [(a["id"], doc["session_id"]) for a in attempts]
    assert list((home / "recordings" / "takes").iterdir()) == []


@pytest.mark.mic
def test_the_question_read_aloud_is_over_before_recording_starts(vmic, tmp_path: Path) -> None:  # noqa: ANN001, F811
    import numpy as np
    import soundfile as sf

    from practice.speech import capture

    voice = speak.find_voice("Linux")
    if voice is None:
        pytest.skip("espeak-ng is not installed")
    question = "Tell me about a time you led a team."
    # Control: a voice still speaking while recording runs is heard by the microphone.
    talking = subprocess.Popen([voice.path, "--", question])
    during = capture.record(tmp_path / "during.wav", max_seconds=2.0)
    talking.wait(timeout=30)
    assert during.speech_started
    speak.speak(question, voice=voice)
    after = capture.record(tmp_path / "after.wav", max_seconds=1.0)
    samples, _ = sf.read(after.path, dtype="float32")
    assert not after.speech_started
    assert capture.dbfs(float(np.max(np.abs(samples)))) < capture.SILENT_DBFS
