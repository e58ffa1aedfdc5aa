"""The batch path's pieces with the real model: the language heard on the first encoder pass,
and the speech Whisper dropped at the end of a stretch found and decoded."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from conftest import SPEECH

from practice.core.errors import NotEnglishError
from practice.core.results import SAMPLE_RATE, Recording, Word
from practice.speech import audio, models
from practice.speech import transcribe as tr

pytestmark = pytest.mark.model

JFK = SPEECH / "clips" / "fw__jfk.flac"
FOX = SPEECH / "clips" / "mfa__english_fast.wav"


def test_pieces_get_their_own_words_with_their_own_times(model_home) -> None:
    _, path = models.resolve(model_home, None, "faster-whisper")
    jfk, fox = audio.load(JFK).samples, audio.load(FOX).samples
    got = tr._decode_pieces([jfk, fox, jfk], path, tr.FILLER_PROMPT)
    texts = [" ".join(w.text for w in ws).lower() for ws in got]
    assert "ask not what your country" in texts[0] and "fox" not in texts[0]
    assert "red fox" in texts[1] and "country" not in texts[1]
    assert "ask not what your country" in texts[2]
    for piece, words in zip((jfk, fox, jfk), got, strict=True):
        assert words[0].start < 1.5  # times from the piece's own start
        assert words[-1].end <= len(piece) / SAMPLE_RATE + 0.5


def test_a_stretch_whisper_stopped_early_gets_its_tail(model_home) -> None:
    """A batched result that lost the end of a stretch is completed from the audio."""
    _, path = models.resolve(model_home, None, "faster-whisper")
    fox, jfk = audio.load(FOX).samples, audio.load(JFK).samples
    x = np.concatenate([fox, np.zeros(SAMPLE_RATE, np.float32), jfk])
    first = tr._decode_pieces([fox], path, None)[0]  # as if Whisper had stopped there
    words = tr._fill_holes([x], [first], path, tr.FILLER_PROMPT)[0]
    said = " ".join(w.text for w in words).lower()
    assert "red fox" in said and "ask not what your country" in said
    assert [w.start for w in words] == sorted(w.start for w in words)
    assert words[len(first)].start > first[-1].end  # the new words come after the old


def test_a_skipped_passage_is_found_and_misplaced_words_dropped(model_home) -> None:
    """Whisper jumped from the first sentence to the end, writing the next sentence's first
    words there (as seen on an assembled answer): the passage is decoded and put in place."""
    _, path = models.resolve(model_home, None, "faster-whisper")
    fox, jfk = audio.load(FOX).samples, audio.load(JFK).samples
    gap = np.zeros(SAMPLE_RATE, np.float32)
    x = np.concatenate([fox, gap, jfk, gap, fox])
    end_s = len(x) / SAMPLE_RATE
    full = tr._decode_pieces([x], path, None)[0]
    kept = [w for w in full if w.end < len(fox) / SAMPLE_RATE + 0.2]  # the first sentence
    skipped = kept + [Word("And", end_s - 0.01, end_s, 0.5), Word("so", end_s, end_s, 0.5)]
    words = tr._fill_holes([x], [skipped], path, tr.FILLER_PROMPT)[0]
    said = " ".join(w.text for w in words).lower()
    assert "ask not what your country" in said
    assert said.count("red fox") == 2
    assert all(w.start < end_s - 0.02 for w in words)  # the misplaced words are gone


def test_a_tail_of_breath_and_silence_adds_no_words(model_home) -> None:
    _, path = models.resolve(model_home, None, "faster-whisper")
    fox = audio.load(FOX).samples
    rng = np.random.default_rng(0)
    hiss = (rng.standard_normal(3 * SAMPLE_RATE) * 0.003).astype(np.float32)
    first = tr._decode_pieces([fox], path, None)[0]
    assert tr._fill_holes([np.concatenate([fox, hiss])], [first], path, tr.FILLER_PROMPT) == [first]


def test_a_plain_reading_stops_where_nothing_is_left_to_read() -> None:
    from practice.speech import engine_faster

    jfk = audio.load(JFK).samples
    hiss = (np.random.default_rng(0).standard_normal(3 * SAMPLE_RATE) * 0.003).astype(np.float32)
    assert not engine_faster._nothing_to_read_after(jfk, 1.0)  # ten seconds of speech left
    # Under MIN_READ_S of speech: Whisper reads a scrap padded to a window as a loop.
    scrap = jfk[2 * SAMPLE_RATE : int(2.6 * SAMPLE_RATE)]
    assert engine_faster._nothing_to_read_after(
        np.concatenate([jfk, scrap]), len(jfk) / SAMPLE_RATE
    )
    assert engine_faster._nothing_to_read_after(np.concatenate([jfk, hiss]), len(jfk) / SAMPLE_RATE)
    longer = jfk[2 * SAMPLE_RATE : 4 * SAMPLE_RATE]
    assert not engine_faster._nothing_to_read_after(
        np.concatenate([jfk, longer]), len(jfk) / SAMPLE_RATE
    )


GERMAN = (
    "Guten Tag. Ich arbeite seit zehn Jahren als Ingenieurin in einer grossen Firma in Berlin "
    "und leite dort ein kleines Team. Letztes Jahr hatten wir ein schwieriges Projekt: Die "
    "Kunden waren unzufrieden, und der Termin war sehr knapp. Ich habe mit jedem Mitarbeiter "
    "gesprochen, die Aufgaben neu verteilt und jeden Morgen eine kurze Besprechung eingeführt. "
    "Am Ende haben wir das Projekt zwei Wochen früher abgeschlossen, und die Kunden waren sehr "
    "zufrieden. Danach hat die Firma dieses Verfahren in allen Abteilungen übernommen. Ich freue "
    "mich darauf, diese Erfahrung auch bei Ihnen einzubringen."
)


def test_a_long_answer_in_another_language_is_refused_before_it_is_decoded(
    tmp_path, model_home, monkeypatch
) -> None:
    from practice.speech import engine_faster

    if not shutil.which("espeak-ng"):
        pytest.fail("espeak-ng is required (scripts/setup.sh installs it)")
    wav = tmp_path / "de.wav"
    subprocess.run(["espeak-ng", "-v", "de", "-w", str(wav), GERMAN], check=True)
    rec = audio.load(wav)
    assert rec.duration_s > 30  # two stretches: the batched path
    decoded = []
    real = engine_faster.transcribe_many

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        decoded.append(real(*args, **kwargs))
        return decoded[-1]

    monkeypatch.setattr(engine_faster, "transcribe_many", spy)
    with pytest.raises(NotEnglishError, match="sounds like German"):
        tr.transcribe(Recording(rec.samples, "de.wav"), home=model_home)
    assert decoded == []  # stopped at the first encoder pass, before any decoding


def test_stretches_decoded_side_by_side_come_back_in_order(model_home, monkeypatch) -> None:
    """Four stretches dealt to two threads (0 and 2 to one, 1 and 3 to the other) are put
    back in the answer's order with the answer's times, and progress only goes forward."""
    from practice.speech import engine_faster, stretches

    jfk, fox = audio.load(JFK).samples, audio.load(FOX).samples
    gap = np.zeros(SAMPLE_RATE, np.float32)
    pieces = [jfk, fox, jfk, fox]
    x = np.concatenate([p for piece in pieces for p in (piece, gap)])
    ends = np.cumsum([len(p) + len(gap) for p in pieces])
    spans = [(int(e - len(p) - len(gap)), int(e)) for p, e in zip(pieces, ends, strict=True)]
    monkeypatch.setattr(stretches, "plan", lambda samples: spans)
    assert engine_faster.parallel_workers() == 2  # this machine has two cores
    seen: list[float] = []
    got = tr.transcribe(
        Recording(x, "four.wav"), home=model_home, progress=lambda done, total: seen.append(done)
    )
    for (a, b), piece in zip(spans, pieces, strict=True):
        inside = " ".join(w.text for w in got.words if a / SAMPLE_RATE <= w.start < b / SAMPLE_RATE)
        key = "country" if piece is jfk else "fox"
        assert key in inside.lower(), (a, inside)
    starts = [w.start for w in got.words]
    assert starts == sorted(starts)
    assert seen == sorted(seen) and seen[-1] == pytest.approx(len(x) / SAMPLE_RATE, abs=0.05)


def test_threads_asking_for_the_model_at_once_load_it_once(model_home, monkeypatch) -> None:
    import threading

    from practice.speech import engine_faster

    _, path = models.resolve(model_home, None, "faster-whisper")
    monkeypatch.setattr(engine_faster, "_MODELS", {})
    got: list[object] = []
    threads = [
        threading.Thread(target=lambda: got.append(engine_faster.load(path, workers=2)))
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 2 and got[0] is got[1]
