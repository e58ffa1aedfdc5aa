"""Property tests: the analysers and the audio loader on random input never crash and keep
their invariants."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practice.core.errors import AudioError, InputError, NotEnglishError
from practice.core.results import SAMPLE_RATE, Question, Recording, Word
from practice.core.text import FOREIGN_SCRIPT_SHARE, foreign_script_share
from practice.judgment.coach import analyze_text
from practice.judgment.pacing import analyze_pacing
from practice.speech.audio import load

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TOKENS = st.one_of(
    st.sampled_from(
        [
            "um",
            "uh,",
            "like",
            "you",
            "know",
            "I",
            "think",
            "500",
            "$1.5m",
            "20%",
            "2019",
            "well-known",
            "1st",
            "...",
            "-",
            "kind",
            "of",
            "maybe",
            "I'm",
            "not",
            "sure",
            "1,000,000",
            "3.14",
        ]
    ),
    st.text(min_size=1, max_size=12),
)


@st.composite
def timelines(draw: st.DrawFn) -> list[Word]:
    texts = draw(st.lists(TOKENS, max_size=60))
    times = sorted(
        draw(
            st.lists(
                st.floats(0, 600, allow_nan=False), min_size=2 * len(texts), max_size=2 * len(texts)
            )
        )
    )
    return [
        Word(t, times[2 * i], times[2 * i + 1], draw(st.floats(0, 1)), draw(st.booleans()))
        for i, t in enumerate(texts)
    ]


@FUZZ
@given(timelines())
def test_pacing_on_random_timelines(words: list[Word]) -> None:
    d = analyze_pacing(words)
    assert math.isfinite(d.words_per_minute) and d.words_per_minute >= 0
    assert math.isfinite(d.articulation_rate_wpm) and d.articulation_rate_wpm >= 0
    for n in (
        d.pause_count,
        d.long_pause_count,
        d.filler_count,
        d.discourse_filler_count,
        d.hedge_count,
        d.spoken_word_count,
    ):
        assert n >= 0
    assert d.pause_count == len(d.pauses) and d.long_pause_count <= d.pause_count
    if words:
        lo, hi = words[0].start, words[-1].end
        for p in d.pauses:
            assert lo - 5e-4 <= p.start <= p.end <= hi + 5e-4  # times are rounded to ms
            assert p.duration_s >= 0
        assert d.longest_pause_s == max((p.duration_s for p in d.pauses), default=0.0)
    assert d.speaking_time_s >= 0 and math.isfinite(d.fillers_per_minute)


@FUZZ
@given(timelines(), st.integers(0, 2**32 - 1))
def test_pacing_with_audio(words: list[Word], seed: int) -> None:
    import numpy as np

    n = int(min(words[-1].end if words else 1.0, 20.0) * SAMPLE_RATE) + 1
    samples = np.random.default_rng(seed).normal(0, 0.05, n).astype(np.float32)
    d = analyze_pacing(words, Recording(samples, "fuzz"))
    assert math.isfinite(d.words_per_minute) and d.pause_count == len(d.pauses)
    for p in d.pauses:
        assert p.end >= p.start and p.duration_s >= 0


CATEGORY = st.sampled_from([None, "success-story", "fit", "background", "red-flag", "closing"])


@FUZZ
@given(st.text(max_size=400), CATEGORY, st.one_of(st.none(), st.text(max_size=300)))
def test_analyze_text_on_random_text(text: str, category: str | None, job: str | None) -> None:
    q = Question(None, "Tell me about a time.", category) if category else None
    try:
        a = analyze_text(text, question=q, job_text=job)
    except InputError:
        assert not text.strip()  # only an empty answer is refused
        return
    except NotEnglishError:  # and one written mostly outside the Latin alphabet
        assert foreign_script_share(text) > FOREIGN_SCRIPT_SHARE
        return
    s = a.scores
    for dim in (s.structure, s.enthusiasm, s.content):
        assert 0 <= dim.score <= 100
    assert 0 <= s.overall <= 100 and s.delivery is None
    assert a.content.value_orientation in (-1, 0, 1)
    own = a.structure.action_ownership
    assert own is None or 0 <= own <= 1
    assert all(
        x.label in ("situation", "task", "action", "result", "other") for x in a.structure.sentences
    )
    a.to_dict()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.binary(min_size=0, max_size=4096),
    st.sampled_from([".wav", ".mp3", ".flac"]),
    st.sampled_from([b"", b"RIFF", b"RIFF\x24\x00\x00\x00WAVEfmt ", b"fLaC", b"ID3\x03"]),
)
def test_loader_on_random_bytes(data: bytes, suffix: str, magic: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"x{suffix}"
        p.write_bytes(magic + data)
        try:
            rec = load(p)
        except AudioError:  # NoSpeechError is an AudioError
            return
    assert rec.sample_rate == SAMPLE_RATE and rec.samples.ndim == 1 and rec.samples.size > 0
    assert rec.samples.dtype.name == "float32"
    assert float(abs(rec.samples).max()) <= 1.0
