"""A mock interview: which questions, in what order, and what the answers add up to.

Pure functions on questions and analyses (no audio, no printing), so the order and the summary
are tested without a microphone or a model.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from practice.core.errors import InputError
from practice.core.results import CATEGORIES, Analysis, Question

DEFAULT_QUESTIONS = 5
# Interviews open with "tell me about yourself" and end with "any questions for us?"; between
# them come fit, success stories and the hard questions. Success stories appear twice in the
# pattern because behavioural questions make up most of a real interview.
OPENING = "background"
CLOSING = "closing"
MIDDLE_PATTERN = ("fit", "success-story", "red-flag", "success-story")
# With fewer questions than this, a closing question would crowd out the substance.
CLOSING_FROM = 3
DIMENSIONS = ("structure", "delivery", "enthusiasm", "content")


def _rank(category: str) -> int:
    """0 opening, 1 middle, 2 closing: the only order a plan must respect."""
    return 0 if category == OPENING else 2 if category == CLOSING else 1


def category_order(n: int, categories: Iterable[str] | None = None) -> list[str]:
    """The category of each of `n` questions in interview order, using only `categories`
    (all when None)."""
    allowed = set(CATEGORIES if categories is None else categories)
    unknown = allowed - set(CATEGORIES)
    if unknown:
        raise InputError(
            f'Unknown category "{sorted(unknown)[0]}"; use one of {", ".join(CATEGORIES)}.'
        )
    if n <= 0 or not allowed:
        return []
    middle = [c for c in MIDDLE_PATTERN if c in allowed]
    head = [OPENING] if OPENING in allowed else []
    tail = (
        [CLOSING]
        if CLOSING in allowed and n - len(head) >= 1 and (n >= CLOSING_FROM or not middle)
        else []
    )
    if len(head) + len(tail) > n:
        tail = []
    fill = middle or [c for c in CATEGORIES if c in allowed]  # only opening/closing allowed
    body = [fill[i % len(fill)] for i in range(n - len(head) - len(tail))]
    return sorted(head + body + tail, key=_rank)  # stable: the pattern's order stays


def plan(
    bank: Sequence[Question],
    n: int = DEFAULT_QUESTIONS,
    *,
    categories: Iterable[str] | None = None,
    counts: Mapping[str, int] | None = None,
    rng: random.Random | None = None,
) -> list[Question]:
    """`n` different questions in interview order, the least practised first within each
    category (ties broken at random). `counts` maps a question id to its attempts so far.

    When a category runs out, another allowed one stands in; when the allowed categories hold
    fewer than `n` questions, all of them are returned. InputError when they hold none.
    """
    rng = rng or random.Random()
    counts = counts or {}
    allowed = list(categories) if categories else list(CATEGORIES)
    order = category_order(n, allowed)
    queues: dict[str, list[Question]] = {}
    for category in dict.fromkeys(order) | dict.fromkeys(allowed):
        pool = [q for q in bank if q.category == category]
        keyed = [(counts.get(q.id or q.text, 0), rng.random(), q) for q in pool]
        queues[category] = [q for _, _, q in sorted(keyed, key=lambda k: (k[0], k[1]))]
    if not any(queues.values()):
        which = ", ".join(sorted(queues)) or "any category"
        raise InputError(
            f"No questions in {which}; add some with `practice questions add` and retry."
        )
    chosen: list[tuple[str, Question]] = []
    for category in order:
        if not queues.get(category):
            # A stand-in from the fullest allowed category keeps the interview long enough.
            spare = [c for c in queues if queues[c]]
            if not spare:
                break
            category = max(spare, key=lambda c: len(queues[c]))
        chosen.append((category, queues[category].pop(0)))
    chosen.sort(key=lambda pair: _rank(pair[0]))
    return [q for _, q in chosen]


# -- the summary -------------------------------------------------------------------------------


@dataclass(frozen=True)
class InterviewSummary:
    answered: int
    overall_average: float | None
    dimension_averages: dict[str, float] = field(default_factory=dict)  # 0-100, scored ones only
    best_dimension: str | None = None
    weakest_dimension: str | None = None  # None when fewer than two dimensions were scored
    most_common_tip: str | None = None
    most_common_tip_count: int = 0  # answers that got that tip
    fillers_per_minute_average: float | None = None
    words_per_minute_average: float | None = None
    duration_s: float = 0.0  # all the takes together

    def to_dict(self) -> dict[str, Any]:
        return {
            "answered": self.answered,
            "overall_average": self.overall_average,
            "dimension_averages": dict(self.dimension_averages),
            "best_dimension": self.best_dimension,
            "weakest_dimension": self.weakest_dimension,
            "most_common_tip": self.most_common_tip,
            "most_common_tip_count": self.most_common_tip_count,
            "fillers_per_minute_average": self.fillers_per_minute_average,
            "words_per_minute_average": self.words_per_minute_average,
            "duration_s": self.duration_s,
        }


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def summarize(analyses: Sequence[Analysis]) -> InterviewSummary:
    """Averages across the answers of one interview, its strongest and weakest dimension, and
    the tip it needed most often (ties go to the tip given first)."""
    if not analyses:
        return InterviewSummary(answered=0, overall_average=None)
    averages: dict[str, float] = {}
    for name in DIMENSIONS:
        scores = [dim.score for a in analyses if (dim := getattr(a.scores, name)) is not None]
        mean = _mean(scores)
        if mean is not None:
            averages[name] = mean
    ranked = sorted(averages, key=lambda k: -averages[k])  # stable: DIMENSIONS order on ties
    tips: Counter[str] = Counter()
    for a in analyses:
        tips.update(dict.fromkeys(a.tips, 1))  # once per answer: how many answers needed it
    top = max(tips.items(), key=lambda item: item[1], default=None)  # first seen wins a tie
    deliveries = [a.delivery for a in analyses if a.delivery is not None]
    return InterviewSummary(
        answered=len(analyses),
        overall_average=_mean([a.scores.overall for a in analyses]),
        dimension_averages=averages,
        best_dimension=ranked[0] if ranked else None,
        weakest_dimension=ranked[-1] if len(ranked) > 1 else None,
        most_common_tip=top[0] if top else None,
        most_common_tip_count=top[1] if top else 0,
        fillers_per_minute_average=_mean([d.fillers_per_minute for d in deliveries]),
        words_per_minute_average=_mean([d.words_per_minute for d in deliveries]),
        duration_s=round(sum(a.duration_s or 0.0 for a in analyses), 1),
    )


# -- text for the terminal ---------------------------------------------------------------------


def answer_line(number: int, total: int, a: Analysis) -> str:
    """One line after each answer: the scores, pace and fillers, and the first tip."""
    s = a.scores
    parts = [f"Q{number}/{total}", f"overall {s.overall}"]
    for name in DIMENSIONS:
        dim = getattr(s, name)
        if dim is not None:
            parts.append(f"{name} {dim.score}")
    if a.delivery is not None:
        parts.append(f"{a.delivery.words_per_minute:.0f} wpm")
        parts.append(f"{a.delivery.filler_count} um/uh")
    line = " · ".join(parts)
    if a.tips:
        line += f"\n  Tip: {a.tips[0]}"
    return line


def summary_lines(summary: InterviewSummary, total: int) -> list[str]:
    """The end-of-interview view."""
    if not summary.answered:
        return ["No answer was recorded, so there is nothing to sum up."]
    lines = [
        f"Interview summary: {summary.answered} of {total} questions answered "
        f"({summary.duration_s:.0f} s of answers)",
        f"  Overall average     {summary.overall_average:.0f}/100",
    ]
    for name, value in summary.dimension_averages.items():
        mark = (
            "  (best)"
            if name == summary.best_dimension
            else "  (weakest)"
            if name == summary.weakest_dimension
            else ""
        )
        lines.append(f"  {name.capitalize():<19} {value:.0f}{mark}")
    if summary.words_per_minute_average is not None:
        lines.append(f"  Pace                {summary.words_per_minute_average:.0f} wpm on average")
    if summary.fillers_per_minute_average is not None:
        lines.append(
            f"  Fillers             {summary.fillers_per_minute_average:.1f} per minute on average"
        )
    if summary.most_common_tip:
        times = summary.most_common_tip_count
        lines.append(
            f"Work on this first ({times} of {summary.answered} answers): {summary.most_common_tip}"
        )
    return lines
