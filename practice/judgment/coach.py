"""One answer through every stage: audio -> transcript -> measures -> scores (no printing)."""

from __future__ import annotations

from pathlib import Path

from practice import ANALYZER_VERSION
from practice.core.errors import InputError, NotEnglishError
from practice.core.results import Analysis, Prosody, Question, Recording, Transcript
from practice.core.text import FOREIGN_SCRIPT_SHARE, foreign_script_share
from practice.speech.transcribe import Progress


def analyze_recording(
    recording: Recording,
    *,
    home: Path,
    question: Question | None = None,
    job_text: str | None = None,
    engine: str = "faster-whisper",
    model: str | None = None,
    progress: Progress | None = None,
    release_engine: bool = False,
) -> Analysis:
    """Transcribe and judge a spoken answer. `release_engine`: the speech model is not needed
    again in this process, so it is let go before the judgment's models load (a 2-minute
    analysis peaked at 750 MB with both held)."""
    import threading

    from practice.speech.prosody import Frames, analyze_prosody, measure_frames
    from practice.speech.transcribe import transcribe

    # The pitch track needs the audio alone, so it is measured beside the transcription (on
    # the core left idle while the model loads); only the words' frames are picked after it.
    measured: list[list[Frames]] = []
    pitch = threading.Thread(
        target=lambda: measured.append(measure_frames(recording)),
        name="practice-pitch",
        daemon=True,
    )  # Ctrl-C does not wait
    pitch.start()
    try:
        transcript = transcribe(recording, home=home, engine=engine, model=model, progress=progress)
    except RuntimeError as e:
        from practice.speech.engine_faster import engine_failed

        raise engine_failed(e) from e
    pitch.join()
    if release_engine:
        from practice.speech import engine_faster

        engine_faster.release()
    prosody = analyze_prosody(recording, transcript.words, frames=measured[0] if measured else None)
    return judge(
        transcript, recording=recording, question=question, job_text=job_text, prosody=prosody
    )


def judge(
    transcript: Transcript,
    *,
    recording: Recording | None,
    question: Question | None,
    job_text: str | None,
    prosody: Prosody | None = None,
) -> Analysis:
    """Every analyser on a transcript (and its audio, when there is one). `prosody` may come
    precomputed (the live path measures it stretch by stretch while the person speaks)."""
    from practice.judgment import content as content_calls
    from practice.judgment import structure as structure_calls
    from practice.judgment.pacing import analyze_pacing
    from practice.judgment.scoring import score
    from practice.judgment.sentences import split_sentences
    from practice.judgment.verdict import judge_text

    category = question.category if question else None
    sentences = split_sentences(transcript.text, transcript.words)
    asked = question.text if question and question.text.strip() else None
    verdict = judge_text([s.text for s in sentences], question=asked, category=category)
    sentences = [s for s in sentences if s.text.strip()]  # the verdict skips empty ones
    structure = structure_calls.from_verdict(sentences, verdict)
    content = content_calls.from_verdict(
        transcript.text, verdict, category=category, job_text=job_text, asked=asked is not None
    )
    delivery = None
    if recording is not None:
        from practice.speech.prosody import analyze_prosody

        delivery = analyze_pacing(transcript.words, recording)
        if prosody is None:
            prosody = analyze_prosody(recording, transcript.words)
    else:
        prosody = None
    duration_s = recording.duration_s if recording is not None else None
    scores, tips = score(
        structure=structure,
        content=content,
        delivery=delivery,
        prosody=prosody,
        question=question,
        duration_s=duration_s,
    )
    return Analysis(
        source=recording.source if recording is not None else None,
        question=question,
        duration_s=duration_s,
        transcript=transcript,
        delivery=delivery,
        prosody=prosody,
        structure=structure,
        content=content,
        scores=scores,
        tips=tips,
        analyzer_version=ANALYZER_VERSION,
    )


def analyze_text(
    text: str, *, question: Question | None, job_text: str | None = None, source: str | None = None
) -> Analysis:
    """A typed answer: structure, content and enthusiasm from the words alone."""
    text = text.strip()
    if not text:
        raise InputError("The answer is empty; type or pipe the answer's text and try again.")
    # A spoken answer in another language is refused by the transcriber; a typed one would
    # otherwise be judged on its few Latin words and get a meaningless score.
    share = foreign_script_share(text)
    if share > FOREIGN_SCRIPT_SHARE:
        raise NotEnglishError(
            f"{source or 'The answer'} is written mostly outside the Latin alphabet "
            f"({share:.0%} of its letters); practice scores English answers only: "
            "type the answer in English and try again."
        )
    transcript = Transcript(text=text, words=(), engine="typed", model="none", language="en")
    result = judge(transcript, recording=None, question=question, job_text=job_text)
    from dataclasses import replace

    return replace(result, source=source)


def prepare(text: str) -> None:
    """Parse and embed the finished sentences of an answer still being spoken (all but the
    last, which may yet grow), so judging the whole answer later finds them done."""
    from practice.judgment.features import answer_features
    from practice.judgment.sentences import split_sentences

    finished = [s.text for s in split_sentences(text)][:-1]
    if finished:
        answer_features(finished)
