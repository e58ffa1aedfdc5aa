"""Transcription while the person speaks: cuts at pauses, word times, and parity with a file."""

import json
import re

import numpy as np
import pytest
from conftest import SPEECH, clips

from practice.core.results import SAMPLE_RATE, Word
from practice.speech import audio, stretches
from practice.speech.stream import StreamingTranscriber


def tone_speech(pattern):
    """Voiced 'speech' (a 160 Hz tone) and silence: [(seconds, voiced?), ...]."""
    rng = np.random.default_rng(3)
    parts = []
    for seconds, voiced in pattern:
        n = int(seconds * SAMPLE_RATE)
        x = rng.normal(0, 0.002, n).astype(np.float32)
        if voiced:
            t = np.arange(n) / SAMPLE_RATE
            x += (0.3 * np.sin(2 * np.pi * 160 * t)).astype(np.float32)
        parts.append(x)
    return np.concatenate(parts)


class FakeEngine:
    """Stands in for Whisper: one word per stretch, spanning the stretch, and a call log of
    (seconds, whether the language was asked for)."""

    def __init__(self):
        self.calls = []

    def __call__(self, samples, path, *, prompt, detect, lead=None):
        self.calls.append((len(samples) / SAMPLE_RATE, detect))
        return [Word("word", 0.1, len(samples) / SAMPLE_RATE - 0.1, 0.9)], "en", 0.99


def feed(st, x, block=480):
    for i in range(0, len(x), block):
        st.feed(x[i : i + block])


def test_stretches_are_cut_in_pauses_and_times_move_to_the_take():
    # Voiced runs with pauses of 0.4 s and 1.2 s: each stretch ends at the longest pause in
    # the last two thirds of the 28 s window.
    x = tone_speech(
        [
            (10, True),
            (0.4, False),
            (10, True),
            (1.2, False),
            (5, True),
            (0.4, False),
            (20, True),
            (1.0, False),
            (6, True),
        ]
    )
    engine = FakeEngine()
    st = StreamingTranscriber(
        lambda: ("fake", None), initial_prompt=None, transcribe_stretch=engine, speculate=False
    )
    feed(st, x)
    recording, transcript, _ = st.finish(source="test")
    assert len(recording.samples) == len(x)
    spans = st.stretches_s()
    assert spans[0][0] == 0 and spans[-1][1] == pytest.approx(len(x) / SAMPLE_RATE, abs=0.01)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))  # whole
    cuts = [b for _, b in spans[:-1]]
    assert 20.4 < cuts[0] < 21.6  # the 1.2 s pause, not the 0.4 s ones
    assert 46.8 < cuts[1] < 47.8  # the 1.0 s pause
    # Each decoded up to 0.3 s after its last voiced moment, not through the pause after it.
    assert [round(s, 2) for s, _ in engine.calls] == [20.7, 26.3, 6.5]
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts) and starts[1] == pytest.approx(cuts[0] + 0.1, abs=0.02)
    # Only the first stretch detects the language.
    assert [detect for _, detect in engine.calls] == [True, False, False]


def test_a_take_is_cut_where_the_same_audio_from_a_file_is():
    rng = np.random.default_rng(7)
    pattern = [
        (float(rng.uniform(2, 9)), True) if i % 2 == 0 else (float(rng.uniform(0.3, 1.5)), False)
        for i in range(41)
    ]
    x = tone_speech(pattern)
    engine = FakeEngine()
    st = StreamingTranscriber(
        lambda: ("fake", None), initial_prompt=None, transcribe_stretch=engine, speculate=False
    )
    feed(st, x)
    st.finish(source="test")
    live = [round(b * SAMPLE_RATE) for _, b in st.stretches_s()]
    batch = stretches.plan(x)
    assert len(batch) >= 5
    assert live == pytest.approx([b for _, b in batch], abs=2)
    # ... and decoded up to the same samples, which are all Whisper sees.
    levels = stretches.frame_levels_db(x)
    decoded = [round(s * SAMPLE_RATE) for s, _ in engine.calls]
    assert decoded == [stretches.decoded_end(levels, a, b) - a for a, b in batch]


def test_without_pauses_a_fast_talker_is_still_cut():
    x = tone_speech([(60, True)])
    engine = FakeEngine()
    st = StreamingTranscriber(
        lambda: ("fake", None), initial_prompt=None, transcribe_stretch=engine, speculate=False
    )
    feed(st, x)
    st.finish(source="test")
    assert len(engine.calls) >= 3 and max(s for s, _ in engine.calls) <= 28.01


def noisy(x):
    """`x` in a room too noisy to trim (noise at -40 dBFS, the speech at -13), yet quiet
    enough for its pauses to be heard."""
    return x + np.random.default_rng(1).normal(0, 0.01, len(x)).astype(np.float32)


def spoken_then_quiet(pattern, room=lambda x: x):
    """A live take fed `pattern` (heard through `room`), ending quiet, and its engine once
    the worker has taken what was said so far (waiting up to 5 s for it)."""
    import time

    engine = FakeEngine()
    st = StreamingTranscriber(
        lambda: ("fake", None), initial_prompt=None, transcribe_stretch=engine
    )
    feed(st, room(tone_speech(pattern)))
    for _ in range(50):
        if engine.calls:
            break
        time.sleep(0.1)
    return st, engine


def test_in_a_pause_the_idle_worker_transcribes_ahead_so_little_is_left_at_the_stop():
    st, engine = spoken_then_quiet([(8, True), (1, False), (6, True), (2, False)])
    assert engine.calls and engine.calls[0][0] == pytest.approx(15.3, abs=0.05)
    _, transcript, _ = st.finish(source="test")
    # Nothing was left: the speech and 0.3 s of the pause were done, and the rest of the
    # pause is not decoded (the batch path stops at the same sample).
    assert [round(s, 1) for s, _ in engine.calls] == [15.3]
    assert st.reused == 1
    assert [w.start for w in transcript.words] == [pytest.approx(0.1)]
    assert st.stretches_s() == [(0, pytest.approx(17.0, abs=0.01))]  # the whole take


def test_speech_after_the_pause_is_transcribed_from_the_pause_on():
    st, engine = spoken_then_quiet([(8, True), (2, False)])
    feed(st, tone_speech([(3, True)]))  # went on speaking, then stopped at once
    _, transcript, _ = st.finish(source="test")
    # The provisional stretch ends in a pause, so it stands, as a cut there would; what
    # followed is transcribed after the stop.
    assert [round(s, 1) for s, _ in engine.calls] == [8.3, 4.7]
    assert [w.start for w in transcript.words] == [pytest.approx(0.1), pytest.approx(8.4)]


def test_a_fluent_speaker_sees_words_before_the_window_fills():
    # A 0.35 s pause between sentences is too short to guess the take is over, but 7 s of
    # speech are not on screen yet: transcribed for the screen (a preview).
    import time

    st, engine = spoken_then_quiet([(7, True), (0.35, False)])
    assert [round(s, 1) for s, _ in engine.calls] == [7.3]
    for _ in range(50):  # the call is logged before its words are kept
        if st.words_so_far():
            break
        time.sleep(0.1)
    assert [w.start for w in st.words_so_far()] == [pytest.approx(0.1)]
    feed(st, tone_speech([(3, True)]))  # the sentence goes on, then the take stops at once
    _, transcript, _ = st.finish(source="test")
    # The end of the take is transcribed from the last cut, as a file would be, not from
    # the preview's short pause.
    assert [round(s, 1) for s, _ in engine.calls] == [7.3, 10.3]
    assert [w.start for w in transcript.words] == [pytest.approx(0.1)]


def test_no_preview_while_what_is_on_screen_is_recent():
    st, engine = spoken_then_quiet([(4, True), (0.35, False), (1, True), (1, False)])
    # Under PREVIEW_AFTER_S of speech at the short pause: only the long one at the end counts.
    assert [s for s, _ in engine.calls] == [pytest.approx(5.65, abs=0.06)]
    st.finish(source="test")


def test_a_regular_cut_after_the_pause_makes_the_provisional_stretch_stale():
    st, engine = spoken_then_quiet([(8, True), (2, False)])
    feed(st, tone_speech([(25, True)]))  # a 28 s window fills: cut by the usual rule
    _, transcript, _ = st.finish(source="test")
    assert round(engine.calls[0][0], 1) == 8.3  # the provisional stretch, then not used
    starts = [w.start for w in transcript.words]
    assert len(starts) == 2 and starts[0] == pytest.approx(0.1) and starts[1] > 25


def test_a_window_cut_in_the_pause_a_provisional_stretch_ended_in_reuses_its_words():
    st, engine = spoken_then_quiet([(12, True), (2, False)])
    feed(st, tone_speech([(16, True)]))  # the window fills; the longest pause is that one
    _, transcript, _ = st.finish(source="test")
    # 0-12.3 s was transcribed in the pause; the cut at 13 s takes those words as they are,
    # and only the rest of the take is transcribed after it.
    assert [round(s, 1) for s, _ in engine.calls] == [12.3, 17.0]
    assert st.reused == 1
    assert [w.start for w in transcript.words] == [pytest.approx(0.1), pytest.approx(13.1)]


def test_a_window_cut_before_the_pause_a_provisional_stretch_ended_in_decodes_its_own():
    import threading
    import time

    # The worker (held back until all this is fed) runs ahead to the last, short pause; the
    # window then fills and is cut in the longer pause before it, at 10.75 s. The provisional
    # words run on to 19.8 s: they are not that stretch's words (they were once taken for
    # them in a room too noisy to trim, and the speech after the cut was said twice).
    loaded = threading.Event()
    engine = FakeEngine()

    def prepare():
        loaded.wait(5)
        return "fake", None

    st = StreamingTranscriber(prepare, initial_prompt=None, transcribe_stretch=engine)
    feed(st, noisy(tone_speech([(10, True), (1.5, False), (8, True), (0.8, False)])))
    loaded.set()
    for _ in range(50):
        if engine.calls:
            break
        time.sleep(0.1)
    feed(st, noisy(tone_speech([(12, True)])))
    _, transcript, _ = st.finish(source="test")
    assert [round(s, 1) for s, _ in engine.calls][:2] == [19.8, 10.8]
    assert st.reused == 0
    words = transcript.words
    assert all(a.end <= b.start for a, b in zip(words, words[1:], strict=False))


def test_a_model_that_fails_to_load_is_reported_at_finish():
    from practice.core.errors import ModelError

    def broken():
        raise ModelError("no model")

    st = StreamingTranscriber(
        broken, initial_prompt=None, transcribe_stretch=FakeEngine(), speculate=False
    )
    feed(st, tone_speech([(2, True)]))
    with pytest.raises(ModelError, match="no model"):
        st.finish(source="test")


def test_a_stretch_is_decoded_to_its_speech_and_quiet_after_it_never_moves_that():
    x = tone_speech([(0.5, False), (3, True), (0.2, False), (1, True), (4, False)])
    levels = stretches.frame_levels_db(x)
    hop = int(stretches.FRAME_S * SAMPLE_RATE)
    end = stretches.decoded_end(levels, 0, len(x))
    assert end == round((4.7 + stretches.TRIM_KEEP_S) * SAMPLE_RATE)  # past the short pause
    for later in (end + hop, int(5.9 * SAMPLE_RATE), len(x)):  # cut anywhere in that pause
        assert stretches.decoded_end(levels, 0, later) == end
    assert stretches.decoded_end(levels, 0, int(4.8 * SAMPLE_RATE)) == int(4.8 * SAMPLE_RATE)
    # A stretch from a cut onwards is judged on its own frames.
    assert stretches.decoded_end(levels, 80 * hop, len(x)) == end


def test_a_room_too_noisy_to_trim_is_decoded_whole():
    x = tone_speech([(3, True), (3, False)])
    levels = stretches.frame_levels_db(noisy(x))
    assert stretches.decoded_end(levels, 0, len(x)) == len(x)
    assert stretches.decoded_end(stretches.frame_levels_db(x), 0, len(x)) < len(x)


def test_batch_plan_cuts_long_files_at_the_longest_pause():
    x = tone_speech(
        [(10, True), (0.4, False), (10, True), (1.2, False), (5, True), (0.4, False), (20, True)]
    )
    spans = stretches.plan(x, max_s=28)
    assert spans[0][0] == 0 and spans[-1][1] == len(x)
    first_cut = spans[0][1] / SAMPLE_RATE
    assert 20.4 < first_cut < 21.6  # the 1.2 s pause, not the 0.4 s ones
    assert all((b - a) / SAMPLE_RATE <= 28 for a, b in spans)


def words_of(text):
    text = re.sub(r"<[^>]*>|\[[^\]]*\]", " ", text.lower())
    return re.sub(r"[^\w' ]+", " ", text.replace("-", " ")).split()


def errors(ref, hyp):
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i]
        for j, h in enumerate(hyp, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h)))
        prev = cur
    return prev[-1]


@pytest.mark.model
def test_streamed_text_is_as_good_as_the_whole_file(model_home):
    """A 2.5-minute answer assembled from the real exact-transcript clips: the live path cuts
    where the batch path does and decodes its stretches the same way, so its word error rate
    is the batch path's (goal: within 1 point). scripts/evaluate_long.py measures it over
    eight such answers."""
    from practice.core.results import Recording
    from practice.core.text import FILLED_PAUSES
    from practice.speech import models
    from practice.speech.transcribe import FILLER_PROMPT, transcribe

    gap = np.zeros(int(0.7 * SAMPLE_RATE), np.float32)
    chosen = clips("exact") + [
        c for c in clips() if c["style"] == "spontaneous" and c["transcript_kind"] != "exact"
    ]
    x = np.concatenate([p for c in chosen for p in (audio.load(SPEECH / c["file"]).samples, gap)])
    ref = [w for w in words_of(" ".join(c["transcript"] for c in chosen)) if w not in FILLED_PAUSES]

    def wer(text):
        return errors(ref, [w for w in words_of(text) if w not in FILLED_PAUSES]) / len(ref)

    batch = wer(transcribe(Recording(x, "answer"), home=model_home).text)
    name, path = models.resolve(model_home, None, "faster-whisper")
    st = StreamingTranscriber(lambda: (name, path), initial_prompt=FILLER_PROMPT)
    feed(st, x)
    _, transcript, prosody = st.finish(source="answer")
    live = wer(transcript.text)
    print(json.dumps({"batch_wer": round(batch, 4), "live_wer": round(live, 4)}))
    assert abs(live - batch) <= 0.01
    assert batch < 0.08
    assert prosody.pitch_variation_semitones is not None


def test_words_so_far_grow_while_the_take_goes_on_and_close_stops_the_worker():
    import time

    x = tone_speech([(30, True), (1.0, False), (2, True), (1.0, False)])
    engine = FakeEngine()
    st = StreamingTranscriber(
        lambda: ("fake", None), initial_prompt=None, transcribe_stretch=engine
    )
    assert st.words_so_far() == []
    feed(st, x)
    deadline = time.monotonic() + 10
    while len(st.words_so_far()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    words = st.words_so_far()
    # The 28 s window and the speculated stretch up to the pause at the end, in order.
    assert len(words) == 2 and words[0].start < words[1].start
    st.close()
    st._worker.join(timeout=5)
    assert not st._worker.is_alive()
