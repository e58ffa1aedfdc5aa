"""The whole analysis with the real Whisper models on the real clips in shared/speech."""

import json
import os
import re
import sqlite3

import pytest
from click.testing import CliRunner
from conftest import REPO, SPEECH, clips

from practice.cli.main import cli
from practice.core.text import FILLED_PAUSES
from practice.speech import audio
from practice.speech.transcribe import transcribe

pytestmark = pytest.mark.model


def words_of(text: str) -> list[str]:
    text = re.sub(r"<[^>]*>|\[[^\]]*\]", " ", text.lower())
    text = re.sub(r"[^\w' ]+", " ", text.replace("-", " "))
    return [w for w in text.split() if w not in FILLED_PAUSES]


def word_errors(ref: list[str], hyp: list[str]) -> int:
    """Levenshtein distance over words (substitutions, insertions, deletions)."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i]
        for j, h in enumerate(hyp, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h)))
        prev = cur
    return prev[-1]


def test_word_error_rate_on_exact_clips(model_home):
    errors = total = 0
    for c in clips("exact"):
        t = transcribe(audio.load(SPEECH / c["file"]), home=model_home)
        ref = words_of(c["transcript"])
        errors += word_errors(ref, words_of(t.text))
        total += len(ref)
        assert t.language == "en"
    assert errors / total < 0.06, f"WER {errors / total:.1%}"


def test_openai_whisper_engine_matches_references(model_home):
    errors = total = 0
    for c in clips("exact")[:4]:
        t = transcribe(audio.load(SPEECH / c["file"]), home=model_home, engine="openai-whisper")
        assert t.engine == "openai-whisper" and t.model == "base"
        ref = words_of(c["transcript"])
        errors += word_errors(ref, words_of(t.text))
        total += len(ref)
    assert errors / total < 0.08, f"WER {errors / total:.1%}"


def invoke(home, *args):
    return CliRunner().invoke(cli, ["--home", str(home), *args])


def test_analyze_json_contract_and_saved_order(tmp_path, model_home):
    home = tmp_path / "home"
    # Reuse the assembled model: a new home would assemble its own (correct, but slower).
    (home / "models").mkdir(parents=True)
    os.symlink(model_home / "models" / "base", home / "models" / "base")
    first = SPEECH / "clips" / "mfa__cold_corpus3.wav"
    second = SPEECH / "clips" / "fw__jfk.flac"
    r = invoke(home, "analyze", str(first), str(second), "--category", "fit", "--json")
    assert r.exit_code == 0, r.output
    docs = json.loads(r.output)
    assert [d["source"] for d in docs] == [str(first), str(second)]
    a, b = docs
    assert a["id"] < b["id"]
    assert "ask not what your country can do for you" in b["transcript"]["text"].lower()
    assert b["audio"]["duration_s"] == pytest.approx(11.0, abs=0.05)
    w = b["transcript"]["words"][0]
    assert set(w) == {"text", "start", "end", "probability", "filler"}
    d = a["delivery"]
    for key in (
        "words_per_minute",
        "articulation_rate_wpm",
        "speaking_time_s",
        "pause_count",
        "long_pause_count",
        "longest_pause_s",
        "pauses",
        "filler_count",
        "fillers_per_minute",
        "discourse_filler_count",
        "fillers",
        "hedge_count",
    ):
        assert key in d
    assert d["filler_count"] >= 4  # the clip has 6 filled pauses
    assert 100 < d["words_per_minute"] < 220
    assert set(a["prosody"]) >= {"pitch_variation_semitones", "energy_variation_db", "monotone"}
    assert set(a["structure"]) >= {
        "situation",
        "task",
        "action",
        "result",
        "result_quantified",
        "action_ownership",
        "sentences",
    }
    assert set(a["content"]) >= {
        "value_orientation",
        "red_flag_handling",
        "job_terms_used",
        "job_terms_missed",
    }
    assert a["tips"] and all(isinstance(t, str) for t in a["tips"])
    # review last is the last file given; the audio was copied into the home, privately.
    hist = json.loads(invoke(home, "history", "--json").output)
    assert [h["id"] for h in hist] == [b["id"], a["id"]]
    db = sqlite3.connect(home / "history.sqlite3")
    paths = [p for (p,) in db.execute("select audio_path from attempts order by id")]
    assert len(paths) == 2 and all((home / p).is_file() for p in paths)
    assert all(((home / p).stat().st_mode & 0o777) == 0o600 for p in paths)


def test_wpm_on_slow_and_fast_readings(model_home):
    """The same 13-word sentence read twice; the voice spans about 4.63 s and 4.39 s (energy
    onset to offset), so the true rates are about 168 and 178 words per minute."""
    from practice.judgment.pacing import analyze_pacing

    rates = {}
    for name, true_wpm in (("mfa__english_slow.wav", 168.5), ("mfa__english_fast.wav", 177.7)):
        rec = audio.load(SPEECH / "clips" / name)
        d = analyze_pacing(transcribe(rec, home=model_home).words, rec)
        assert d.spoken_word_count == 13
        assert d.words_per_minute == pytest.approx(true_wpm, rel=0.05)
        rates[name] = d.words_per_minute
    assert rates["mfa__english_slow.wav"] < rates["mfa__english_fast.wav"]


def test_speech_in_another_language_is_refused(tmp_path, model_home):
    import shutil
    import subprocess

    if not shutil.which("espeak-ng"):
        pytest.fail("espeak-ng is required (scripts/setup.sh installs it)")
    wav = tmp_path / "de.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            "de",
            "-w",
            str(wav),
            "Guten Tag, ich arbeite seit zehn Jahren als Ingenieurin in einer grossen "
            "Firma in Berlin und leite dort ein kleines Team.",
        ],
        check=True,
    )
    r = invoke(model_home, "analyze", str(wav), "--no-save")
    assert r.exit_code == 1 and "sounds like German" in r.output and "Traceback" not in r.output


def test_noise_is_no_speech(tmp_path, model_home):
    import numpy as np
    import soundfile as sf

    noise = np.random.default_rng(1).normal(0, 0.05, 16000 * 4).astype("float32")
    sf.write(tmp_path / "noise.wav", noise, 16000)
    r = invoke(model_home, "analyze", str(tmp_path / "noise.wav"), "--no-save")
    assert r.exit_code == 1 and "No speech found" in r.output


def test_demo_example_answer_reads_as_a_complete_story(model_home):
    r = invoke(
        model_home,
        "analyze",
        str(REPO / "tests" / "data" / "example_answer.flac"),
        "--category",
        "success-story",
        "--json",
        "--no-save",
    )
    doc = json.loads(r.output)
    st = doc["structure"]
    assert st["situation"] and st["action"] and st["result"] and st["result_quantified"]
    assert doc["delivery"]["long_pause_count"] == 1
    assert doc["prosody"]["monotone"] is True  # espeak-ng's narrow intonation
