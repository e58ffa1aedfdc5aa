"""Progress across attempts: each measure's first and recent level, its trend, the personal best,
and the weak spots that keep coming back. Works on the stored attempts (`History.list`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from practice.core.records import Attempt
from practice.core.results import Analysis, Delivery
from practice.core.thresholds import (
    ANSWER_LOW_S,
    FILLER_SHARE_MAX,
    PACE_CONVERSATION_WPM,
    PACE_HIGH_WPM,
    PACE_LOW_WPM,
)

Better = Literal["higher", "lower", "range"]

# A trend compares the mean of the first WINDOW attempts with the mean of the last WINDOW: one
# good or bad day should not decide it, and three is what a week of practice usually yields.
WINDOW = 3
WEAK_WINDOW = 5  # weak spots look at the last five answers of a kind ("4 of your last 5 ...")
WEAK_MIN_COUNT = 2  # one miss is a slip; two is a pattern
WEAK_MIN_SHARE = 0.5  # ... when it is at least half of the answers it could apply to
HEDGE_HABIT = 3  # hedges in one answer that make a listener doubt the claims (our choice)
LONG_PAUSES_OK = 1  # one long pause to think is normal (as judgment/scoring.py judges)
SPARK = "▁▂▃▄▅▆▇█"
SPARK_POINTS = 30  # the newest points shown in a terminal sparkline
STAR_CATEGORIES = ("success-story", "red-flag")  # where a STAR story is expected
NOUNS = {
    "success-story": "success stories",
    "fit": "fit answers",
    "background": "background answers",
    "red-flag": "red-flag answers",
    "closing": "closing answers",
    None: "answers",
}


@dataclass(frozen=True)
class Metric:
    key: str  # the name used in the JSON contract
    label: str
    better: Better
    steady_band: float  # a change smaller than this (in the metric's unit) is "steady"
    unit: str = ""


METRICS: tuple[Metric, ...] = (
    Metric("overall", "Overall", "higher", 3.0),
    Metric("structure", "Structure", "higher", 3.0),
    Metric("delivery", "Delivery", "higher", 3.0),
    Metric("enthusiasm", "Enthusiasm", "higher", 3.0),
    Metric("content", "Content", "higher", 3.0),
    Metric("words_per_minute", "Pace", "range", 5.0, "wpm"),
    Metric("fillers_per_minute", "Fillers", "lower", 0.5, "/min"),
    Metric("long_pause_count", "Long pauses", "lower", 0.3),
    Metric("star_completeness", "STAR complete", "higher", 0.05, "share"),
)
METRIC_BY_KEY = {m.key: m for m in METRICS}
SCORE_KEYS = ("overall", "structure", "delivery", "enthusiasm", "content")


def metric_value(analysis: Analysis, key: str) -> float | None:
    """One measure of one answer, or None where it does not apply (no audio; STAR completeness
    outside success stories and red-flag answers)."""
    value: float | None
    if key in SCORE_KEYS:
        value = analysis.scores.score(key)
    elif key == "star_completeness":
        if analysis.category not in STAR_CATEGORIES:
            return None
        st = analysis.structure
        return sum(bool(p) for p in (st.situation, st.task, st.action, st.result)) / 4
    else:  # a measure of delivery: words_per_minute, fillers_per_minute, long_pause_count
        value = None if analysis.delivery is None else getattr(analysis.delivery, key)
    return None if value is None else float(value)


def goodness(metric: Metric, value: float) -> float:
    """Higher is better, whatever the metric: for pace, nearness to the coached range."""
    if metric.better == "higher":
        return value
    if metric.better == "lower":
        return -value
    outside = max(PACE_LOW_WPM - value, value - PACE_HIGH_WPM, 0.0)
    # Inside the range, nearer conversation pace wins ties (a tiny weight keeps the order).
    return -outside - abs(value - PACE_CONVERSATION_WPM) * 1e-3


@dataclass(frozen=True)
class Point:
    id: int
    created_at: str
    value: float


@dataclass(frozen=True)
class MetricProgress:
    key: str
    label: str
    unit: str
    better: Better
    points: tuple[Point, ...]  # oldest first
    first: float | None  # mean of the first WINDOW attempts (fewer when there are few)
    recent: float | None  # mean of the last WINDOW attempts
    trend: str  # "improving" | "slipping" | "steady" | "too few"
    best: Point | None

    @property
    def values(self) -> list[float]:
        return [p.value for p in self.points]


@dataclass(frozen=True)
class WeakSpot:
    key: str
    category: str | None
    count: int
    total: int
    text: str  # "4 of your last 5 success stories had no quantified result"
    tip: str


@dataclass(frozen=True)
class Progress:
    attempts: int
    category: str | None
    metrics: tuple[MetricProgress, ...]
    weak_spots: tuple[WeakSpot, ...]

    def metric(self, key: str) -> MetricProgress:
        return next(m for m in self.metrics if m.key == key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "category": self.category,
            "metrics": {
                m.key: {
                    "label": m.label,
                    "unit": m.unit,
                    "better": m.better,
                    "first": _round(m.first),
                    "recent": _round(m.recent),
                    "trend": m.trend,
                    "best": asdict(m.best) if m.best else None,
                    "points": [asdict(p) for p in m.points],
                }
                for m in self.metrics
            },
            "weak_spots": [asdict(w) for w in self.weak_spots],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def metric_progress(metric: Metric, rows: Sequence[Attempt]) -> MetricProgress:
    """`rows` oldest first."""
    points = tuple(
        Point(r.id, r.created_at, v)
        for r in rows
        if (v := metric_value(r.analysis, metric.key)) is not None
    )
    if not points:
        return MetricProgress(
            metric.key, metric.label, metric.unit, metric.better, (), None, None, "too few", None
        )
    values = [p.value for p in points]
    # With fewer than 2 * WINDOW attempts, split them in halves so first and recent don't overlap.
    n = max(1, min(WINDOW, len(values) // 2))
    first, recent = _mean(values[:n]), _mean(values[-n:])
    if len(values) < 2:
        trend = "too few"
    else:
        # Pace judges both sides of the range, so compare nearness to it rather than the values.
        delta = goodness(metric, recent) - goodness(metric, first)
        if metric.better == "range" and abs(delta) < 1:
            delta = 0.0  # both within the coached range: nothing to improve
        trend = (
            "steady"
            if abs(delta) < metric.steady_band
            else ("improving" if delta > 0 else "slipping")
        )
    # max() keeps the first of equal values: the earliest attempt that reached the best.
    best = max(points, key=lambda p: goodness(metric, p.value))
    return MetricProgress(
        metric.key, metric.label, metric.unit, metric.better, points, first, recent, trend, best
    )


# -- weak spots -------------------------------------------------------------------------------

# Each check says whether an answer shows the weakness (None: the check does not apply to it).
Check = Callable[[Analysis], bool | None]


def _star(field: str) -> Check:
    def check(a: Analysis) -> bool | None:
        if a.category not in STAR_CATEGORIES:
            return None
        return not getattr(a.structure, field)

    return check


def _quantified(a: Analysis) -> bool | None:
    if a.category != "success-story":
        return None
    return not a.structure.result_quantified


def _ownership(a: Analysis) -> bool | None:
    share = a.structure.action_ownership
    return None if share is None else share < 0.5


def _delivery(test: Callable[[Delivery], bool]) -> Check:
    def check(a: Analysis) -> bool | None:
        return None if a.delivery is None else test(a.delivery)

    return check


def _filler_share(d: Delivery) -> bool:
    words = d.spoken_word_count
    fillers = d.filler_count + d.discourse_filler_count
    return words > 0 and fillers / (words + fillers) > FILLER_SHARE_MAX


def _pace(d: Delivery) -> bool:
    return not PACE_LOW_WPM <= d.words_per_minute <= PACE_HIGH_WPM


def _monotone(a: Analysis) -> bool | None:
    if a.prosody is None or a.prosody.monotone is None:
        return None
    return bool(a.prosody.monotone)


def _short_story(a: Analysis) -> bool | None:
    if a.category != "success-story" or a.duration_s is None:
        return None
    target = a.question.target_seconds if a.question else None
    low = target[0] if target else ANSWER_LOW_S
    return a.duration_s < low


def _self_interest(a: Analysis) -> bool | None:
    if a.category not in ("fit", "background", "closing"):
        return None
    return a.content.value_orientation < 0


def _defensive(a: Analysis) -> bool | None:
    if a.category != "red-flag":
        return None
    return a.content.red_flag_handling == "defensive"


# (key, check, what the answers "had", the tip, per category (True) or across all answers)
WEAK_CHECKS: tuple[tuple[str, Check, str, str, bool], ...] = (
    (
        "no_quantified_result",
        _quantified,
        "had no quantified result",
        "End each story with a number: time saved, money, customers, a percentage.",
        True,
    ),
    (
        "no_result",
        _star("result"),
        "ended without a result",
        "Finish with what changed because of what you did.",
        True,
    ),
    (
        "no_situation",
        _star("situation"),
        "did not set the scene",
        "Open with one specific occasion: when, where and what was at stake.",
        True,
    ),
    (
        "no_action",
        _star("action"),
        "had no concrete step of your own",
        "Spend half the story on the steps you took, told with 'I'.",
        True,
    ),
    (
        "we_not_i",
        _ownership,
        "told the actions with 'we' more than 'I'",
        "Say what you did yourself: 'I wrote', 'I asked', not 'we did'.",
        True,
    ),
    (
        "short_story",
        _short_story,
        "were shorter than the target length",
        "Give each part of the story a sentence or two; aim for one to two minutes.",
        True,
    ),
    (
        "self_interest",
        _self_interest,
        "spoke of what the job gives you more than what you bring",
        "Lead with what you will do for the employer; leave pay and perks for later.",
        True,
    ),
    (
        "defensive",
        _defensive,
        "sounded defensive",
        "Own the setback in one sentence, then spend the answer on what you learned and changed.",
        True,
    ),
    (
        "fillers",
        _delivery(_filler_share),
        "had fillers in more than 4 % of words",
        "Pause silently instead of saying um: a short pause sounds confident.",
        False,
    ),
    (
        "pace",
        _delivery(_pace),
        f"were paced outside {PACE_LOW_WPM}-{PACE_HIGH_WPM} words a minute",
        f"Aim for about {PACE_CONVERSATION_WPM} words a minute, as in conversation.",
        False,
    ),
    (
        "long_pauses",
        _delivery(lambda d: d.long_pause_count > LONG_PAUSES_OK),
        "had more than one long pause",
        "Outline the story's four parts before you start, so you do not lose the thread.",
        False,
    ),
    (
        "hedges",
        _delivery(lambda d: d.hedge_count >= HEDGE_HABIT),
        f"hedged {HEDGE_HABIT} or more times (I think, maybe, just)",
        "State what you did plainly: drop 'I think' and 'just'.",
        False,
    ),
    (
        "monotone",
        _monotone,
        "sounded monotone",
        "Stress the words that matter and let your voice rise on the result.",
        False,
    ),
)


def weak_spots(rows: Sequence[Analysis]) -> list[WeakSpot]:
    """Weaknesses seen in at least WEAK_MIN_COUNT and WEAK_MIN_SHARE of the recent answers they
    apply to; `rows` oldest first. Most frequent first."""
    found: list[WeakSpot] = []
    for key, check, phrase, tip, per_category in WEAK_CHECKS:
        groups: dict[str | None, list[Analysis]] = {}
        for r in rows:
            if per_category:
                groups.setdefault(r.category, []).append(r)
            else:
                groups.setdefault(None, []).append(r)
        for category, members in groups.items():
            verdicts = [v for r in members if (v := check(r)) is not None][-WEAK_WINDOW:]
            count, total = sum(verdicts), len(verdicts)
            if total >= 2 and count >= WEAK_MIN_COUNT and count >= WEAK_MIN_SHARE * total:
                noun = NOUNS.get(category, "answers")
                found.append(
                    WeakSpot(
                        key,
                        category,
                        count,
                        total,
                        f"{count} of your last {total} {noun} {phrase}",
                        tip,
                    )
                )
    found.sort(key=lambda w: (-w.count / w.total, -w.count))
    return found


def build(rows: Sequence[Attempt], *, category: str | None = None) -> Progress:
    """Progress over stored attempts (`History.list` order, newest first, is accepted)."""
    ordered = sorted(rows, key=lambda r: r.id)
    if category is not None:
        ordered = [r for r in ordered if r.analysis.category == category]
    metrics = tuple(metric_progress(m, ordered) for m in METRICS)
    return Progress(
        len(ordered), category, metrics, tuple(weak_spots([r.analysis for r in ordered]))
    )


def sparkline(values: Sequence[float], *, width: int = SPARK_POINTS) -> str:
    """A row of block characters, one per value (the newest `width`), low to high."""
    values = list(values)[-width:]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if hi - lo < 1e-9:
        return SPARK[len(SPARK) // 2] * len(values)
    steps = len(SPARK) - 1
    return "".join(SPARK[round((v - lo) / (hi - lo) * steps)] for v in values)
