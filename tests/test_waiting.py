"""The wait after a take: what is left of the analysis is reported, counting down to done."""

from __future__ import annotations

import time

import numpy as np
import pytest
from conftest import SPEECH, clips
from test_stream import FakeEngine, feed, tone_speech

from practice.app.rehearse import Waiting, _WaitingTold
from practice.cli.render import waiting_line, waiting_text
from practice.core.results import SAMPLE_RATE, Question, Recording
from practice.speech.stream import StreamingTranscriber


class SlowEngine(FakeEngine):
    """FakeEngine that takes `seconds` per stretch, so stretches queue up behind it."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    def __call__(self, samples, path, *, prompt, detect, lead=None):  # noqa: ANN001, ANN204
        time.sleep(self.seconds)
        return super().__call__(samples, path, prompt=prompt, detect=detect)


def test_finish_reports_the_stretches_left_down_to_none():
    # 90 s of speech fed at once: three full stretches and the rest wait for a slow engine.
    x = tone_speech([(25, True), (1, False)] * 3 + [(10, True)])
    st = StreamingTranscriber(
        lambda: ("fake", None),
        initial_prompt=None,
        transcribe_stretch=SlowEngine(0.3),
        speculate=False,
    )
    feed(st, x)
    heard: list[int] = []
    _, transcript, _ = st.finish(source="test", progress=heard.append)
    assert heard[0] >= 3  # most were still queued when the take stopped
    assert heard == sorted(set(heard), reverse=True)  # each count once, only going down
    assert heard[-1] == 0
    assert len(transcript.words) == 4
    assert st.ended()


def test_waiting_reports_count_down_judging_last():
    told: list[Waiting] = []
    w = _WaitingTold(told.append)
    for left in (3, 3, 2, 4, 1, 0):  # repeats and a late rise are not told again
        w.stretches_left(left)
    w.judging()
    w.done()
    assert told == [
        Waiting(4, 4),
        Waiting(3, 4),
        Waiting(2, 4),
        Waiting(1, 4, judging=True),
        Waiting(0, 4),
    ]


def test_waiting_from_seconds_done_counts_stretches_of_the_file():
    told: list[Waiting] = []
    w = _WaitingTold(told.append)
    passed: list[tuple[float, float]] = []
    x = tone_speech([(25, True), (1, False)] * 2 + [(5, True)])  # three stretches
    report = w.seconds_done(Recording(x, "file"), lambda d, t: passed.append((d, t)))
    for done_s in (0.0, 20.0, 40.0, 57.0):
        report(done_s, 57.0)
    w.done()
    assert [t.parts_left for t in told] == [4, 3, 2, 1, 0]
    assert told[-2].judging and told[0].parts == 4
    assert passed[-1] == (57.0, 57.0)  # the engine's own progress still goes on


def test_the_wait_is_one_overwritten_line_on_a_terminal_and_plain_lines_in_a_log(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = [Waiting(3, 3), Waiting(2, 3), Waiting(1, 3, judging=True), Waiting(0, 3)]
    assert waiting_text(reports[1]) == "Analysing: 2 of 3 parts left (reading your words)"
    assert waiting_text(reports[2]) == "Analysing: 1 of 3 parts left (judging the answer)"
    with waiting_line() as show:
        for r in reports:
            show(r)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [waiting_text(r) for r in reports]
    assert captured.err.splitlines()[-1] == "Analysing: done."

    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with waiting_line() as show:
        for r in reports:
            show(r)
    err = capsys.readouterr().err
    assert "\n" not in err  # one line, overwritten
    assert err.count("\r") == len(reports) + 2
    assert err.endswith("\r") and err.split("\r")[-2] == " " * len(waiting_text(reports[0]))


@pytest.mark.model
def test_a_real_take_reports_its_parts_left_in_order_then_done(model_home, tmp_path):
    """A take of real speech (70 s of the clips) fed faster than it is decoded, as when a
    person stops while stretches are still queued: the reports count down, judging last,
    and end with done."""
    import soundfile as sf

    from practice.app.rehearse import analyse_take
    from practice.speech import audio, models
    from practice.speech.transcribe import FILLER_PROMPT

    gap = np.zeros(int(0.7 * SAMPLE_RATE), np.float32)
    parts: list[np.ndarray] = []
    for c in clips("exact"):
        parts += [audio.load(SPEECH / c["file"]).samples, gap]
        if sum(len(p) for p in parts) > 70 * SAMPLE_RATE:
            break
    x = np.concatenate(parts)
    take = tmp_path / "take.wav"
    sf.write(take, x, SAMPLE_RATE, subtype="PCM_16")
    name, path = models.resolve(model_home, None, "faster-whisper")
    st = StreamingTranscriber(lambda: (name, path), initial_prompt=FILLER_PROMPT)
    feed(st, x, block=16000)
    told: list[Waiting] = []
    q = Question(None, "Tell me about a time you solved a hard problem.", "success-story")
    analysis = analyse_take(
        take,
        home=model_home,
        question=q,
        job_text=None,
        engine="faster-whisper",
        model=None,
        stream=st,
        waiting=told.append,
    )
    assert analysis.transcript.words
    lefts = [t.parts_left for t in told]
    assert lefts[0] >= 3  # stretches still queued, then the judging
    assert lefts == sorted(set(lefts), reverse=True)
    assert lefts[-1] == 0
    assert told[-2] == Waiting(1, told[0].parts, judging=True)
    assert all(t.parts == told[0].parts for t in told)


def test_the_judgment_helper_stops_when_the_take_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the take is over the judgment reads the whole answer itself; a helper still
    reading beside it would only take turns from it (and delay the next question)."""
    from practice.app import rehearse
    from practice.core.results import Word
    from practice.judgment import coach

    monkeypatch.setattr(rehearse, "PREPARE_EVERY_S", 0.01)
    read: list[str] = []
    monkeypatch.setattr(coach, "prepare", read.append)
    said: list[Word] = []
    ended = [False]

    def words() -> list[Word]:
        said.append(Word("word.", len(said), len(said) + 0.5, 0.9))  # always a new word
        return list(said)

    helper = rehearse.prepare_judgment_while_speaking(words, ended=lambda: ended[0])
    deadline = time.monotonic() + 5
    while len(read) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(read) >= 3  # sentences read while the person speaks
    ended[0] = True
    helper.join(timeout=1)
    assert not helper.is_alive()
