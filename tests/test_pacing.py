"""Pacing on hand-built word timelines and on synthesized audio with known pauses."""

import numpy as np
import pytest

from practice.core.results import SAMPLE_RATE, Recording, Word
from practice.core.text import is_filled_pause
from practice.judgment.pacing import (
    analyze_pacing,
    discourse_fillers,
    find_pauses,
    hedges,
    spoken_words,
)


def timeline(text: str, *, start: float = 0.0, word_s: float = 0.4, gaps: dict | None = None):
    """Words of `text`, each word_s long, back to back, with extra silence after word i."""
    gaps = gaps or {}
    words, t = [], start
    for i, tok in enumerate(text.split()):
        words.append(Word(tok, round(t, 3), round(t + word_s, 3), 0.9, is_filled_pause(tok)))
        t += word_s + gaps.get(i, 0.0)
    return words


@pytest.mark.parametrize(
    ("token", "count"),
    [
        ("500", 2),
        ("five", 1),
        ("$1.5m", 5),
        ("2019", 2),
        ("2005", 3),
        ("30%", 2),
        ("1,500", 4),
        ("well-known", 2),
        ("12", 1),
        ("21st", 2),
        ("Hello,", 1),
        ("...", 0),
        ("1990s", 2),
        ("100", 2),
        ("3.5", 3),
    ],
)
def test_numbers_count_as_the_words_spoken(token, count):
    assert spoken_words(token) == count


def test_words_per_minute_expands_numbers_and_ignores_fillers():
    # 10 tokens in 6 s, one of them "um", one "40%" (two spoken words): 10 spoken words.
    words = timeline("We cut um costs by 40% in two quarters overall", word_s=0.6)
    d = analyze_pacing(words)
    assert d.spoken_word_count == 10
    assert d.words_per_minute == pytest.approx(10 / (6.0 / 60), rel=1e-3)
    assert d.filler_count == 1 and d.fillers[0].text == "um"


def test_pauses_from_word_gaps_and_articulation_rate():
    words = timeline("one two three four five six", word_s=0.5, gaps={1: 0.7, 3: 2.5})
    d = analyze_pacing(words)
    assert d.pause_count == 2 and d.long_pause_count == 1
    assert d.longest_pause_s == pytest.approx(2.5)
    span = 6 * 0.5 + 3.2
    assert d.speaking_time_s == pytest.approx(span)
    assert d.articulation_rate_wpm == pytest.approx(6 / ((span - 3.2) / 60), rel=1e-3)
    assert d.words_per_minute < d.articulation_rate_wpm


def test_a_gap_under_half_a_second_is_not_a_pause():
    assert find_pauses(timeline("a b c", gaps={0: 0.45})) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I like working with customers", []),
        ("and, like, we shipped it", ["like"]),
        ("you know what I did next", []),
        ("it was, you know, hard", ["you know"]),
        ("what kind of team is it", []),
        ("it was kind of hard", ["kind of"]),
        ("I mean, we tried", ["i mean"]),
        ("I basically rewrote it", ["basically"]),
        ("Actually, I led it", ["actually"]),
        ("I would like to join", []),
        ("do you know the answer", []),
    ],
)
def test_discourse_fillers_only_where_used_as_fillers(text, expected):
    assert [f.text for f in discourse_fillers(timeline(text))] == expected


def test_hedges_are_found_but_not_noun_phrases():
    found = hedges(timeline("I think it was maybe the best kind of plan, I'm not sure"))
    assert found == ["i think", "maybe", "i'm not sure"]
    assert hedges(timeline("I just probably sort of fixed it")) == ["just", "probably", "sort of"]


def tone_words(spans, total_s):
    """Audio with a voiced 150 Hz tone where each (start, end) span is, silence between."""
    t = np.arange(int(total_s * SAMPLE_RATE)) / SAMPLE_RATE
    x = np.zeros_like(t, dtype=np.float32)
    rng = np.random.default_rng(0)
    x += rng.normal(0, 0.001, len(x)).astype(np.float32)  # a quiet room, not digital silence
    for a, b in spans:
        m = (t >= a) & (t < b)
        x[m] += 0.3 * np.sin(2 * np.pi * 150 * t[m]).astype(np.float32)
    return Recording(samples=x, source="synthetic")


def test_pause_edges_come_from_the_audio_when_word_times_start_early():
    # True silence 2.0-4.5 s (2.5 s); Whisper-like timestamps start the next word 0.6 s early.
    rec = tone_words([(0.5, 2.0), (4.5, 6.0)], 6.5)
    words = [Word("first", 0.5, 2.0, 0.9), Word("second", 3.9, 6.0, 0.9)]
    assert find_pauses(words)[0].duration_s == pytest.approx(1.9)  # words alone: too short
    pause = find_pauses(words, rec)[0]
    assert pause.start == pytest.approx(2.0, abs=0.05)
    assert pause.end == pytest.approx(4.5, abs=0.05)
    d = analyze_pacing(words, rec)
    assert d.long_pause_count == 1


def test_speech_span_starts_where_the_voice_starts():
    rec = tone_words([(0.6, 2.0), (2.1, 3.0)], 3.5)
    words = [Word("first", 0.0, 2.0, 0.9), Word("second", 2.1, 3.0, 0.9)]
    d = analyze_pacing(words, rec)
    assert d.speaking_time_s == pytest.approx(2.4, abs=0.05)


def test_a_vanishing_speech_span_gives_no_rate_not_infinity():
    # Found by hypothesis: a word 2e-311 s long made words per minute infinite.
    d = analyze_pacing([Word("um", 0.0, 2.225073858507e-311, 0.0)])
    assert d.words_per_minute == 0.0 and d.articulation_rate_wpm == 0.0
