"""Follow-up questions as every interface runs them: after an answer is kept, choose the
follow-up (if the answer left something out), turn it into a question to record like any other,
keep its answer linked to the main one, and judge the pair. Nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from practice.core.results import Analysis, Question

if TYPE_CHECKING:
    from practice.journey.follow_up import FollowUp
    from practice.judgment.verdict import Verdict

# A follow-up answer is short: a sentence or three. The meter shows this aim (seconds).
FOLLOW_UP_TARGET_S = (10, 45)


@dataclass(frozen=True)
class FollowUpResult:
    """A follow-up asked after a main answer: its answer (None when nothing was said) and
    whether that answer supplied what the main one lacked."""

    follow_up: FollowUp
    main_id: int | None
    attempt: Analysis | None
    filled: bool

    def to_dict(self, attempt_json: dict[str, Any] | None = None) -> dict[str, Any]:
        """`follow_up` of `ask --json`: the attempt as `history --json` prints it when given."""
        attempt = attempt_json
        if attempt is None and self.attempt is not None:
            attempt = self.attempt.to_dict() | {"follow_up_of": self.main_id}
        return {
            "question": self.follow_up.question,
            "asked_because": self.follow_up.asked_because,
            "gap": self.follow_up.gap,
            "filled": self.filled,
            "attempt": attempt,
        }


def choose(home: Path | None, main: Analysis) -> FollowUp | None:
    """The follow-up to ask after `main`, or None when the answer left nothing worth asking
    about (or was given without a question to judge it against)."""
    from practice.journey import follow_up

    question = main.question
    asked = question.text if question is not None and question.text.strip() else None
    chosen = follow_up.choose(
        _verdict(main, asked),
        question=asked,
        category=main.category,
        bank=follow_up.load_bank(home),
        limit=1,  # one per question in a session: the JSON has one `follow_up`
    )
    return chosen[0] if chosen else None


def as_question(chosen: FollowUp) -> Question:
    """The follow-up as a question to record: no bank id and no category of its own, so it
    never counts as practice of a bank question; its guidance says why it is asked."""
    return Question(
        id=None,
        text=chosen.question,
        category=None,
        guidance=chosen.asked_because,
        target_seconds=FOLLOW_UP_TARGET_S,
    )


def judge_pair(main: Analysis, answer: Analysis, chosen: FollowUp) -> bool:
    """Did the follow-up answer supply what the main answer lacked? Both are judged again with
    the main question: the follow-up's answer alone, and the two told as one answer."""
    from practice.journey import follow_up

    question = main.question
    asked = question.text if question is not None and question.text.strip() else None
    said = _sentences(answer)
    if not said:
        return False
    from practice.judgment.verdict import judge_text

    category = main.category
    main_v = _verdict(main, asked)
    follow_v = judge_text(said, question=asked, category=category)
    pair_v = judge_text(list(main_v.sentences) + said, question=asked, category=category)
    return follow_up.filled(chosen.gap, main=main_v, follow=follow_v, pair=pair_v)


def _sentences(analysis: Analysis) -> list[str]:
    return [s.text for s in analysis.structure.sentences if s.text.strip()]


def _verdict(analysis: Analysis, question: str | None) -> Verdict:
    """The answer's verdict again, from its sentences (parsed and embedded already in this
    process when it was just judged, so this costs the fitted models' calls only)."""
    from practice.judgment.verdict import judge_text

    return judge_text(_sentences(analysis), question=question, category=analysis.category)
