"""`practice review`, `fix`, `rescore` and `delete` on a history built from hand-made analyses."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from practice import ANALYZER_VERSION
from practice.cli.main import cli
from practice.core.results import (
    Analysis,
    Content,
    Delivery,
    DimensionScore,
    Filler,
    Pause,
    Prosody,
    Question,
    Scores,
    Sentence,
    Structure,
    Transcript,
    Word,
)
from practice.history.review import correct_words, mark_words
from practice.history.store import History

STORY_Q = Question(
    id="success-problem",
    text="Tell me about a time you solved a problem.",
    category="success-story",
    target_seconds=(60, 120),
)
FIT_Q = Question(id="fit-why", text="Why do you want this job?", category="fit")

# (text, start, end, filler): "Um, I think I rebuilt the queue. [2.5 s pause] Waits fell 40%."
WORDS = (
    ("Um,", 0.0, 0.3, True),
    ("I", 0.4, 0.5, False),
    ("think", 0.5, 0.8, False),
    ("I", 0.8, 0.9, False),
    ("rebuilt", 0.9, 1.3, False),
    ("the", 1.3, 1.4, False),
    ("queue.", 1.4, 1.9, False),
    ("Waits", 4.4, 4.8, False),
    ("fell", 4.8, 5.1, False),
    ("40%.", 5.1, 5.8, False),
)


def make_attempt(
    overall: int,
    *,
    question: Question = STORY_Q,
    quantified: bool = True,
    wpm: float = 140.0,
    fillers_per_minute: float = 2.0,
    long_pauses: int = 1,
    version: int = ANALYZER_VERSION,
    source: str = "answer.wav",
) -> Analysis:
    words = tuple(Word(t, s, e, 0.9, filler=f) for t, s, e, f in WORDS)
    pauses = (Pause(1.9, 4.4, 2.5),) if long_pauses else (Pause(1.9, 2.5, 0.6),)
    delivery = Delivery(
        words_per_minute=wpm,
        articulation_rate_wpm=wpm + 20,
        speaking_time_s=5.8,
        pause_count=1,
        long_pause_count=long_pauses,
        longest_pause_s=pauses[0].duration_s,
        pauses=pauses,
        filler_count=1,
        fillers_per_minute=fillers_per_minute,
        discourse_filler_count=0,
        fillers=(Filler("um", 0.0),),
        hedge_count=1,
        spoken_word_count=10,
        hedges=("i think",),
    )
    return Analysis(
        source=source,
        question=question,
        duration_s=6.0,
        transcript=Transcript(
            text=" ".join(w[0] for w in WORDS),
            words=words,
            engine="faster-whisper",
            model="base",
            language="en",
        ),
        delivery=delivery,
        prosody=Prosody(3.0, 6.0, False),
        structure=Structure(
            situation=False,
            task=False,
            action=True,
            result=True,
            result_quantified=quantified,
            action_ownership=1.0,
            sentences=(
                Sentence("Um, I think I rebuilt the queue.", "action", 0.0, 1.9),
                Sentence("Waits fell 40%.", "result", 4.4, 5.8),
            ),
        ),
        content=Content(value_orientation=0, red_flag_handling=None),
        scores=Scores(
            overall=overall,
            structure=DimensionScore(
                overall, "The story has no situation.", "Open with when and where it happened."
            ),
            delivery=DimensionScore(70, "Pace is good.", None),
            enthusiasm=DimensionScore(65, "Little energy.", "Lift your voice at the result."),
            content=DimensionScore(75, "Specific.", None),
        ),
        tips=("Open with when and where it happened.",),
        analyzer_version=version,
    )


def write_tone(path: Path, seconds: float = 6.0) -> Path:
    """A quiet voiced-like tone: real audio that loads and encodes, not silence."""
    t = np.arange(int(16000 * seconds)) / 16000
    sf.write(path, (0.2 * np.sin(2 * np.pi * 180 * t)).astype(np.float32), 16000)
    return path


def fill_history(
    home: Path,
    tmp_path: Path,
    overalls: list[int],
    *,
    unquantified: set[int] = frozenset(),
    audio: bool = True,
    **kwargs,
) -> list[int]:
    """Save one attempt per overall score (the i-th unquantified when i is in `unquantified`)."""
    wav = write_tone(tmp_path / "tone.wav") if audio else None
    with History.open(home) as h:
        return [
            h.save(make_attempt(o, quantified=i not in unquantified, **kwargs), wav).id
            for i, o in enumerate(overalls)
        ]


def invoke(home: Path, *args: str, input: str | None = None, env: dict | None = None):
    return CliRunner().invoke(cli, ["--home", str(home), *args], input=input, env=env)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_marks_fillers_hedges_and_long_pauses() -> None:
    words = [Word(t, s, e, 0.9, filler=f) for t, s, e, f in WORDS]
    tokens = mark_words(words, [Pause(1.9, 4.4, 2.5)])
    marked = " ".join(t.marked() for t in tokens)
    assert marked == "[Um], {I think} I rebuilt the queue. [pause 2.5s] Waits fell 40%."
    hedge = next(t for t in tokens if t.kind == "hedge")
    assert (hedge.start, hedge.end, hedge.index) == (0.4, 0.8, 1)


def test_kind_of_as_a_noun_phrase_is_not_a_hedge() -> None:
    text = "what kind of team I kind of led"
    words = [Word(w, i, i + 0.5, 1.0) for i, w in enumerate(text.split())]
    marked = " ".join(t.marked() for t in mark_words(words))
    assert marked == "what kind of team I {kind of} led"


def test_review_shows_marks_labels_reasons_and_comparisons(home: Path, tmp_path: Path) -> None:
    ids = fill_history(home, tmp_path, [50, 80, 60, 70])
    r = invoke(home, "review", str(ids[-1]))
    assert r.exit_code == 0, r.output
    out = r.output
    # CliRunner is not a terminal: plain markers, no escape codes.
    assert "\x1b[" not in out
    # The pause is shown where it falls: after the sentence it follows.
    assert "ACT  [Um], {I think} I rebuilt the queue. [pause 2.5s]\n" in out
    assert "RES  Waits fell 40%.\n" in out
    assert "The story has no situation." in out and "Tip: Open with when and where" in out
    assert f"previous try (#{ids[2]}" in out
    assert "Overall                 60 -> 70      better" in out
    assert f"best at this question (#{ids[1]}, 80/100, of 4 attempts)" in out


def test_review_json_names_previous_and_best(home: Path, tmp_path: Path) -> None:
    ids = fill_history(home, tmp_path, [50, 80, 60])
    doc = json.loads(invoke(home, "review", "last", "--json").output)
    assert doc["id"] == ids[2] and doc["previous"]["id"] == ids[1]
    assert doc["best"]["id"] == ids[1] and doc["best"]["is_this"] is False
    overall = next(c for c in doc["previous"]["changes"] if c["metric"] == "overall")
    assert (overall["before"], overall["after"], overall["verdict"]) == (80, 60, "worse")
    assert doc["marks"]["long_pauses"] == [{"start": 1.9, "end": 4.4, "duration_s": 2.5}]
    assert [m["text"] for m in doc["marks"]["fillers"]] == ["um"]
    assert [s["label"] for s in doc["sentences"]] == ["action", "result"]
    assert doc["scores"]["structure"]["tip"] == "Open with when and where it happened."
    first = json.loads(invoke(home, "review", str(ids[0]), "--json").output)
    assert first["previous"] is None and first["best"]["id"] == ids[1]


def test_play_without_an_output_device_is_one_clear_line(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sd = pytest.importorskip("sounddevice")
    fill_history(home, tmp_path, [60])

    def no_device(*args: object, **kwargs: object) -> None:
        raise sd.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sd, "query_devices", no_device)
    r = invoke(home, "review", "last", "--play", "--from-word", "waits")
    assert r.exit_code == 1
    assert "No audio output device found" in r.output
    assert "Traceback" not in r.output


def test_play_from_a_word_that_is_not_said_is_refused(home: Path, tmp_path: Path) -> None:
    fill_history(home, tmp_path, [60])
    r = invoke(home, "review", "last", "--play", "--from-word", "zebra")
    assert r.exit_code == 1 and '"zebra" is not in the transcript' in r.output
    r = invoke(home, "review", "last", "--from", "3")
    assert r.exit_code == 2  # --from without --play


def test_correct_words_keeps_the_old_timings() -> None:
    words = [Word(t, s, e, 0.9, filler=f) for t, s, e, f in WORDS]
    fixed = correct_words(words, "Um, I think I rebuilt the cue system. Waits fell 40%.")
    by_text = {w.text: w for w in fixed}
    # "queue." became two words sharing its span; every other word keeps its own.
    assert (by_text["cue"].start, by_text["system."].end) == (1.4, 1.9)
    assert by_text["cue"].end == pytest.approx(1.65)
    assert by_text["rebuilt"].start == 0.9 and by_text["Waits"].start == 4.4
    assert fixed[0].filler and not by_text["cue"].filler


def test_fix_rescores_the_edited_transcript_in_place(home: Path, tmp_path: Path) -> None:
    (attempt,) = fill_history(home, tmp_path, [60], version=ANALYZER_VERSION)
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('queue', 'support queue'))\n"
    )
    r = invoke(home, "fix", str(attempt), env={"EDITOR": f"{sys.executable} {editor}"})
    assert r.exit_code == 0, r.output
    assert f"Attempt #{attempt} corrected and rescored" in r.output
    with History.open(home) as h:
        got = h.get(attempt)
    assert "rebuilt the support queue." in got.analysis.transcript.text
    texts = [w.text for w in got.analysis.transcript.words]
    assert "support" in texts and got.id == attempt
    # Rescored by today's analysers from the audio (a tone: delivery still measured).
    assert got.analysis.analyzer_version == ANALYZER_VERSION
    assert got.analysis.delivery is not None


def test_rescore_only_old_attempts_and_fall_back_to_text(home: Path, tmp_path: Path) -> None:
    old = fill_history(home, tmp_path, [10, 20], version=ANALYZER_VERSION - 1)
    current = fill_history(home, tmp_path, [30], version=ANALYZER_VERSION)
    with History.open(home) as h:
        gone = h.get(old[1]).audio_path
        assert gone is not None
        gone.unlink()  # its recording is gone
    r = invoke(home, "rescore", "--json")
    assert r.exit_code == 0, r.output
    counts = json.loads(r.output)
    assert counts["rescored"] == 2 and counts["with_audio"] == 1 and counts["text_only"] == 1
    assert counts["up_to_date"] == 1 and counts["failed"] == 0
    with History.open(home) as h:
        a, b, c = (h.get(i).analysis for i in (*old, *current))
    assert a.analyzer_version == b.analyzer_version == ANALYZER_VERSION
    assert a.delivery is not None and b.delivery is None  # text only without audio
    assert b.duration_s == 6.0 and b.source == "answer.wav"
    assert c.scores.overall == 30  # up to date: untouched
    again = json.loads(invoke(home, "rescore", "--json").output)
    assert again["rescored"] == 0 and again["up_to_date"] == 3


def test_rescore_keeps_checking_the_same_job_terms(tmp_path: Path) -> None:
    from practice.history.review import job_text_of
    from practice.judgment.content import job_terms

    posting = (
        "We need a support lead. The support lead owns customer onboarding and Zendesk. "
        "Customer onboarding matters; Zendesk experience and SQL reports are a plus. "
        "SQL reports weekly."
    )
    terms = job_terms(posting)
    content = Content(
        value_orientation=0,
        red_flag_handling=None,
        job_terms_used=tuple(terms[:2]),
        job_terms_missed=tuple(terms[2:]),
    )
    analysis = dataclasses.replace(make_attempt(60), content=content)
    assert set(job_terms(job_text_of(analysis))) == set(terms)


def test_delete_asks_unless_yes(home: Path, tmp_path: Path) -> None:
    ids = fill_history(home, tmp_path, [40, 50])
    r = invoke(home, "delete", str(ids[0]), input="n\n")
    assert r.exit_code == 1
    r = invoke(home, "delete", str(ids[0]), "--yes")
    assert r.exit_code == 0 and f"Attempt #{ids[0]} deleted." in r.output
    with History.open(home) as h:
        assert [row.id for row in h.list()] == [ids[1]]
    r = invoke(home, "delete", str(ids[0]), "--yes")
    assert r.exit_code == 1 and f"No attempt {ids[0]}" in r.output


def test_a_damaged_attempt_is_deleted_by_the_command_its_message_names(
    home: Path, tmp_path: Path
) -> None:
    import sqlite3

    ids = fill_history(home, tmp_path, [40, 50])
    conn = sqlite3.connect(home / "history.sqlite3")
    with conn:
        conn.execute("UPDATE attempts SET payload = 'not json' WHERE id = ?", (ids[1],))
    conn.close()
    r = invoke(home, "history")
    assert r.exit_code == 1 and "Traceback" not in r.output
    fix = f"practice delete {ids[1]} --yes"
    assert f"Attempt {ids[1]} in " in r.output and fix in r.output
    r = invoke(home, *fix.split()[1:])
    assert r.exit_code == 0 and f"Attempt #{ids[1]} deleted." in r.output
    r = invoke(home, "history", "--json")
    assert r.exit_code == 0 and [a["id"] for a in json.loads(r.output)] == [ids[0]]
