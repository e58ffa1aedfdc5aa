"""Rehearsing aloud, as every interface does it: choose the question, turn a finished take into
an analysis, keep it or throw it away, compare a retry with the attempt before it, and keep a
well-told story in the story bank. Nothing here prints or reads the keyboard.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from practice.app import takes as tk
from practice.core.errors import InputError, NoSpeechError
from practice.core.results import Analysis, Question, Recording, Word

if TYPE_CHECKING:
    from practice.core.records import Attempt
    from practice.journey.stories import SpokenComparison, Story
    from practice.speech.capture import Take
    from practice.speech.stream import StreamingTranscriber

# What a retry compares, in the order shown: the scores, then pace and um/uh.
COMPARED = (
    ("overall", "Overall"),
    ("structure", "Structure"),
    ("delivery", "Delivery"),
    ("enthusiasm", "Enthusiasm"),
    ("content", "Content"),
)
COMPARED_DELIVERY = ("words_per_minute", "filler_count")


@dataclasses.dataclass(frozen=True)
class Waiting:
    """Where the analysis of a stopped take stands, for the person waiting on it: `parts_left`
    of `parts`, the parts being the stretches of speech still to decode and check, then the
    judging (`judging` once only that is left; `parts_left` 0 when the feedback is ready)."""

    parts_left: int
    parts: int
    judging: bool = False


OnWaiting = Callable[[Waiting], None]


def choose_question(
    home: Path,
    question_id: str | None,
    question_text: str | None,
    category: str | None,
    retry: str | None,
) -> tuple[Question, Attempt | None]:
    """The question to ask and, for a retry (`retry` is "last" or an attempt id), the attempt
    it is compared with. Without a question named, the least practised of the bank (of
    `category` when given)."""
    from practice.history.store import History
    from practice.journey import questions

    if retry is not None:
        with History.open(home) as h:
            before = h.get(retry)
        q = tk.askable(before.analysis.question)
        if q is None:
            raise InputError(
                f"Attempt {before.id} was analysed without a question, so it cannot be "
                "asked again; give --question ID or --question-text TEXT."
            )
        return q, before
    q = questions.resolve(question_id, question_text, category, home)
    if q is not None and q.text:
        return q, None
    bank = questions.load_bank(questions.user_bank_dirs(home))
    with History.open(home) as h:
        counts = h.count_by_question()
    return questions.pick(bank, category=category, counts=counts), None


def story_and_question(
    home: Path, story_id: str, question_id: str | None, question_text: str | None
) -> tuple[Story, Question]:
    """The kept story to rehearse and the question to tell it to: the one given, else the bank
    question it fits best."""
    from practice.journey import questions
    from practice.journey.stories import StoryBank, story_question

    with StoryBank.open(home) as bank:
        story = bank.get(story_id)
    if question_id or question_text:
        return story, choose_question(home, question_id, question_text, None, None)[0]
    return story, story_question(story, questions.load_bank(questions.user_bank_dirs(home)))


def plan_interview(home: Path, count: int, categories: tuple[str, ...]) -> list[Question]:
    """The questions of a mock interview, in a realistic order, least practised first."""
    from practice.history.store import History
    from practice.journey import questions
    from practice.journey.interview import plan

    bank = questions.load_bank(questions.user_bank_dirs(home))
    with History.open(home) as h:
        counts = h.count_by_question()
    return plan(bank, count, categories=categories or None, counts=counts)


def analyse_take(
    take: Take | Path,
    *,
    home: Path,
    question: Question | None,
    job_text: str | None,
    engine: str,
    model: str | None,
    stream: StreamingTranscriber | None = None,
    progress: Callable[[float, float], None] | None = None,
    waiting: OnWaiting | None = None,
) -> Analysis:
    """A finished take (or a left-over take file) turned into an Analysis, not yet saved.

    With `stream` (fed while the person spoke) most of the work is already done; without it
    the whole file is transcribed, reporting to `progress`. `waiting` hears how many parts
    are left (Waiting), first to last, ending with none. NoSpeechError, and the take
    discarded, when nothing was said."""
    from practice.judgment import coach
    from practice.speech import audio

    audio_file = take if isinstance(take, Path) else take.path
    told = _WaitingTold(waiting)
    try:
        if stream is not None:
            recording, transcript, prosody = stream.finish(
                source="microphone", progress=told.stretches_left
            )
            told.judging()
            analysis = coach.judge(
                transcript,
                recording=recording,
                question=question,
                job_text=job_text,
                prosody=prosody,
            )
        else:
            recording = dataclasses.replace(audio.load(audio_file), source="microphone")
            analysis = coach.analyze_recording(
                recording,
                home=home,
                question=question,
                job_text=job_text,
                engine=engine,
                model=model,
                progress=told.seconds_done(recording, progress),
            )
        told.done()
        return analysis
    except NoSpeechError as e:
        tk.discard(audio_file)
        raise NoSpeechError(
            "No speech was heard in the take; check the microphone with `practice mic-check` "
            "and try again."
        ) from e


class _WaitingTold:
    """Turns the speech engine's progress (stretches left on the live path, seconds done on a
    whole file) into Waiting reports, each told once, the count only going down."""

    def __init__(self, waiting: OnWaiting | None) -> None:
        self._waiting = waiting
        self._parts = 0  # stretches first left, plus the judging
        self._last: Waiting | None = None

    def _tell(self, left: int, *, judging: bool = False) -> None:
        if self._waiting is None:
            return
        if self._last is not None:
            left = min(left, self._last.parts_left)
        self._parts = max(self._parts, left)
        now = Waiting(left, self._parts, judging)
        if now != self._last:
            self._last = now
            self._waiting(now)

    def stretches_left(self, left: int) -> None:
        if left > 0:  # none left: judging() says so
            self._tell(left + 1)

    def judging(self) -> None:
        self._tell(1, judging=True)

    def done(self) -> None:
        self._tell(0)

    def seconds_done(
        self, recording: Recording, progress: Callable[[float, float], None] | None
    ) -> Callable[[float, float], None]:
        """A transcribe() progress callback that reports the stretches of `recording` not yet
        transcribed (by the share of its seconds left), then passes the call on."""
        import math

        from practice.speech import stretches

        parts = len(stretches.plan(recording.samples))

        def report(done_s: float, total_s: float) -> None:
            left = math.ceil(parts * (1 - done_s / total_s) - 1e-6) if total_s > 0 else 0
            if left > 0:
                self._tell(left + 1)
            else:
                self.judging()
            if progress is not None:
                progress(done_s, total_s)

        self._tell(parts + 1)
        return report


def keep(
    home: Path,
    analysis: Analysis,
    take: Take | Path,
    session_id: int | None = None,
    story_id: int | None = None,
    follow_up_of: int | None = None,
) -> Analysis:
    """Save an analysed take in the history (its audio copied in), then remove the take.
    `follow_up_of`: the attempt whose follow-up question this take answers."""
    from practice.history.store import History

    audio_file = take if isinstance(take, Path) else take.path
    with History.open(home) as h:
        saved = h.save(
            analysis,
            audio_file,
            session_id=session_id,
            story_id=story_id,
            follow_up_of=follow_up_of,
        )
    tk.discard(audio_file)
    return saved


def saved_json(home: Path, analysis: Analysis) -> dict[str, Any]:
    """A saved attempt's JSON as `history --json` gives it (with `audio.path`, the recording's
    copy in the history); the analysis's own JSON when it was not saved."""
    from practice.history.store import History

    if analysis.id is None:
        return analysis.to_dict()
    with History.open(home) as h:
        return h.get(analysis.id).to_dict()


def start_session(home: Path, kind: str, note: str) -> int:
    """A new session (a mock interview) that the attempts kept with its id belong to."""
    from practice.history.store import History

    with History.open(home) as h:
        return h.start_session(kind, note)


def discard_attempt(home: Path, attempt_id: int) -> None:
    """Take a just-saved attempt back out of the history (the person chose redo or discard)."""
    from practice.history.store import History

    with History.open(home) as h:
        h.delete(attempt_id)


def changes(before: Analysis, after: Analysis) -> dict[str, Any]:
    """What moved between two attempts: each score, pace and um/uh count as [before, after]
    (None where one of them lacks it), as `ask --retry --json` prints it."""
    out: dict[str, Any] = {"compared_with": before.id}
    for key, _ in COMPARED:
        out[key] = [before.scores.score(key), after.scores.score(key)]
    for key in COMPARED_DELIVERY:
        old = None if before.delivery is None else getattr(before.delivery, key)
        new = None if after.delivery is None else getattr(after.delivery, key)
        out[key] = [None if old is None else round(old, 1), None if new is None else round(new, 1)]
    return out


def story_feedback(story: Story, saved: Analysis) -> SpokenComparison:
    """What the spoken telling left out of the written story."""
    from practice.journey.stories import compare_spoken

    return compare_spoken(story, saved)


def worth_keeping_as_story(saved: Analysis) -> bool:
    """A saved, well-structured success story the story bank does not have yet."""
    from practice.journey.stories import offer_to_keep

    return saved.id is not None and offer_to_keep(saved)


def keep_as_story(home: Path, saved: Analysis) -> Story:
    """Add a saved attempt to the story bank, its parts taken from the STAR labels."""
    from practice.journey.stories import StoryBank, from_attempt

    with StoryBank.open(home) as bank:
        return bank.add(from_attempt(saved))


def keep_attempt_as_story(home: Path, attempt_id: int | str) -> Story:
    """Add the saved attempt `attempt_id` to the story bank."""
    from practice.history.store import History

    with History.open(home) as h:
        saved = h.get(attempt_id).analysis
    return keep_as_story(home, saved)


def keep_leftover(home: Path, take: Path, *, engine: str, model: str | None) -> Analysis:
    """A left-over take (a crashed session's, a closed tab's) recovered, analysed against the
    question noted beside it, and kept in the history, as `ask` offers it."""
    question = tk.read_question(take)
    finished = tk.recover(take)
    analysis = analyse_take(
        finished, home=home, question=question, job_text=None, engine=engine, model=model
    )
    return keep(home, analysis, finished)


# A typed answer that reaches every part of the judgment (a warm-up, never saved).
WARM_UP_ANSWER = (
    "When our release slipped, I planned the recovery myself, and we shipped two weeks early."
)


def warm_up_judgment() -> None:
    """Load what the judgment needs (parser, sentence embeddings, fitted models) by judging one
    typed answer, so a long-running interface's first take does not pay for it after Stop."""
    from practice.judgment import coach

    coach.analyze_text(WARM_UP_ANSWER, question=None)


PREPARE_EVERY_S = 1.5  # how often the words so far are looked at during a take
PREPARE_IDLE_S = 20.0  # no new words for this long: the take is over, the helper stops


def prepare_judgment_while_speaking(
    words: Callable[[], Sequence[Word]], *, ended: Callable[[], bool] | None = None
) -> threading.Thread:
    """A background helper that parses and embeds each sentence as soon as the person has
    finished saying it (`words` gives the words transcribed so far), so that after the take
    the judgment has only the last sentence left to read: its 0.15 s budget holds for a
    2-minute answer (30 sentences take about a second to embed from scratch).

    It stops once `ended()` says the take is over: from then on the judgment reads the whole
    answer itself, and the helper doing the same beside it only took turns from it."""
    import time

    from practice.core.errors import PracticeError
    from practice.judgment import coach

    def run() -> None:
        seen = -1
        last_change = time.monotonic()
        while time.monotonic() - last_change < PREPARE_IDLE_S:
            time.sleep(PREPARE_EVERY_S)
            if ended is not None and ended():
                return
            current = list(words())
            if len(current) == seen:
                continue
            seen, last_change = len(current), time.monotonic()
            try:
                coach.prepare(" ".join(w.text for w in current))
            except (PracticeError, OSError, ValueError):
                return  # the take's own analysis meets the same problem and reports it

    helper = threading.Thread(target=run, name="practice-judgment-prepare", daemon=True)
    helper.start()
    return helper
