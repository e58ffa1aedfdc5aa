"""Progress across attempts: each measure's first and recent level, its trend and personal
best; each category's scores by date; first, best and latest per question and per kept story;
the weak spots that keep coming back (how often, and whether fading); and the wins, in plain
sentences. Works on the stored attempts (`History.list`); the measures and their targets are
those of `core.measures`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from practice.core.measures import (
    LONG_PAUSES_TARGET,
    MEASURE_BY_KEY,
    MEASURES,
    PACE_TARGET,
    SCORE_KEYS,
    STORY_CATEGORIES,
    Better,
    Measure,
)
from practice.core.records import Attempt
from practice.core.results import Analysis, Delivery
from practice.core.thresholds import ANSWER_LOW_S, FILLER_SHARE_MAX
from practice.core.when import local_day

# The measures are defined once, in core/measures; these names stay for the modules that
# compare attempts (review) and for the charts.
Metric = Measure
METRICS = MEASURES
METRIC_BY_KEY = MEASURE_BY_KEY
__all__ = ["METRICS", "METRIC_BY_KEY", "SCORE_KEYS", "Better", "Metric", "goodness"]

# A trend compares the mean of the first WINDOW attempts with the mean of the last WINDOW: one
# good or bad day should not decide it, and three is what a week of practice usually yields.
WINDOW = 3
WEAK_WINDOW = 5  # weak spots look at the last five answers of a kind ("4 of your last 5 ...")
WEAK_MIN_COUNT = 2  # one miss is a slip; two is a pattern
WEAK_MIN_SHARE = 0.5  # ... when it is at least half of the answers it could apply to
FADING_DROP = 0.2  # a weak spot fades when its recent share is this much below its earlier one
HEDGE_HABIT = 3  # hedges in one answer that make a listener doubt the claims (our choice)
SMOOTH_DAYS = 7  # a category's smoothed trend: mean of the daily averages over the last week
WIN_SPAN_DAYS = 14  # wins look back two weeks from the latest attempt
STREAK_MIN = 3  # "your last three success stories all ..." needs at least three in a row
SPARK = "▁▂▃▄▅▆▇█"
SPARK_POINTS = 30  # the newest points shown in a terminal sparkline
STAR_CATEGORIES = STORY_CATEGORIES  # where a STAR story is expected
NOUNS = {
    "success-story": "success stories",
    "fit": "fit answers",
    "background": "background answers",
    "red-flag": "red-flag answers",
    "closing": "closing answers",
    None: "answers",
}
NOUN = {
    "success-story": "success story",
    "fit": "fit answer",
    "background": "background answer",
    "red-flag": "red-flag answer",
    "closing": "closing answer",
    None: "answer",
}
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def metric_value(analysis: Analysis, key: str) -> float | None:
    """One measure of one answer, or None where it does not apply (no audio; STAR and a
    quantified result outside success stories)."""
    return MEASURE_BY_KEY[key].value(analysis)


def goodness(metric: Measure, value: float) -> float:
    """Higher is better, whatever the metric: for pace, nearness to the target range."""
    return metric.goodness(value)


def day_of(created_at: str) -> str:
    """The person's local date (YYYY-MM-DD) of an attempt's stored time: every day, trend and
    "over the last two weeks" here counts local days (why: `core.when`)."""
    return local_day(created_at)


def short_date(day: str) -> str:
    """ "2026-12-07" -> "7 Dec"."""
    d = date.fromisoformat(day[:10])
    return f"{d.day} {d.strftime('%b')}"


@dataclass(frozen=True)
class Point:
    id: int
    created_at: str
    value: float
    category: str | None = None

    @property
    def date(self) -> str:
        return day_of(self.created_at)

    def to_dict(self) -> dict[str, Any]:
        """The point, with its local day beside the stored UTC time: readers group by `date`
        and need not convert `created_at` themselves."""
        return asdict(self) | {"date": self.date}


@dataclass(frozen=True)
class MetricProgress:
    key: str
    label: str
    unit: str
    better: Better
    points: tuple[Point, ...]  # oldest first
    first: float | None  # mean of the first `window` attempts
    recent: float | None  # mean of the last `window` attempts
    trend: str  # "improving" | "slipping" | "steady" | "too few"
    best: Point | None
    window: int = WINDOW  # how many attempts `first` and `recent` average (fewer when few)

    @property
    def values(self) -> list[float]:
        return [p.value for p in self.points]

    @property
    def measure(self) -> Measure:
        return MEASURE_BY_KEY[self.key]

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def average(self) -> float | None:
        return _mean(self.values) if self.points else None

    def to_dict(self) -> dict[str, Any]:
        target = self.measure.target
        return {
            "label": self.label,
            "unit": self.unit,
            "better": self.better,
            "window": self.window,
            "first": _round(self.first),
            "recent": _round(self.recent),
            "average": _round(self.average),
            "latest": self.latest.to_dict() if self.latest else None,
            "trend": self.trend,
            "best": self.best.to_dict() if self.best else None,
            "best_means": self.measure.best_means,
            "target": None
            if target is None
            else {"low": target.low, "high": target.high, "source": target.source},
            "points": [p.to_dict() for p in self.points],
        }


@dataclass(frozen=True)
class DayAverage:
    date: str  # YYYY-MM-DD
    attempts: int
    average: float  # the day's mean overall score
    smoothed: float  # mean of the daily averages over the SMOOTH_DAYS ending that day


@dataclass(frozen=True)
class CategoryProgress:
    category: str  # "none" for answers given without a category
    attempts: int
    first: Point  # overall scores
    best: Point
    latest: Point
    average: float
    direction: str  # the overall score's trend: improving | slipping | steady | too few
    trend: tuple[DayAverage, ...]  # oldest first

    def to_dict(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "first": self.first.to_dict(),
            "best": self.best.to_dict(),
            "latest": self.latest.to_dict(),
            "average": round(self.average, 2),
            "direction": self.direction,
            "trend": [asdict(d) | {"smoothed": round(d.smoothed, 2)} for d in self.trend],
        }


@dataclass(frozen=True)
class QuestionProgress:
    """First, best and latest overall score at one question (or one kept story)."""

    key: str
    text: str
    category: str | None
    attempts: int
    first: Point
    best: Point
    latest: Point

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "category": self.category,
            "attempts": self.attempts,
            "first": self.first.to_dict(),
            "best": self.best.to_dict(),
            "latest": self.latest.to_dict(),
        }


@dataclass(frozen=True)
class WeakSpot:
    key: str
    category: str | None
    count: int  # in the last `total` answers it applies to
    total: int
    text: str  # "4 of your last 5 success stories had no quantified result"
    tip: str
    seen: int = 0  # in every answer it applies to, ever
    seen_of: int = 0
    first_seen: str | None = None  # YYYY-MM-DD
    fading: bool = False  # the last two were free of it, or it is rarer than it was

    @property
    def detail(self) -> str:
        """ "7 of 12 in all since 1 Dec; fading" """
        since = f" since {short_date(self.first_seen)}" if self.first_seen else ""
        text = f"{self.seen} of {self.seen_of} in all{since}"
        return text + ("; fading" if self.fading else "; not fading yet")


@dataclass(frozen=True)
class Progress:
    attempts: int
    category: str | None
    metrics: tuple[MetricProgress, ...]
    weak_spots: tuple[WeakSpot, ...]
    by_category: Mapping[str, CategoryProgress] | None = None
    by_question: Mapping[str, QuestionProgress] | None = None
    by_story: Mapping[str, QuestionProgress] | None = None
    wins: tuple[str, ...] = ()
    first_date: str | None = None
    last_date: str | None = None

    def metric(self, key: str) -> MetricProgress:
        return next(m for m in self.metrics if m.key == key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "category": self.category,
            "first_date": self.first_date,
            "last_date": self.last_date,
            "window": WINDOW,
            "metrics": {m.key: m.to_dict() for m in self.metrics},
            "by_category": {k: v.to_dict() for k, v in (self.by_category or {}).items()},
            "by_question": {k: v.to_dict() for k, v in (self.by_question or {}).items()},
            "by_story": {k: v.to_dict() for k, v in (self.by_story or {}).items()},
            "weak_spots": [asdict(w) | {"detail": w.detail} for w in self.weak_spots],
            "wins": list(self.wins),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _halves(values: Sequence[float]) -> tuple[int, float, float]:
    """How many values each end averages, and the first and last averages: WINDOW each, or
    halves of fewer than 2 * WINDOW so they don't overlap."""
    n = max(1, min(WINDOW, len(values) // 2))
    return n, _mean(values[:n]), _mean(values[-n:])


def metric_progress(metric: Measure, rows: Sequence[Attempt]) -> MetricProgress:
    """`rows` oldest first."""
    points = tuple(
        Point(r.id, r.created_at, v, r.analysis.category)
        for r in rows
        if (v := metric.value(r.analysis)) is not None
    )
    if not points:
        return MetricProgress(
            metric.key, metric.label, metric.unit, metric.better, (), None, None, "too few", None
        )
    values = [p.value for p in points]
    n, first, recent = _halves(values)
    trend = direction(metric, values)
    # max() keeps the first of equal values: the earliest attempt that reached the best.
    best = max(points, key=lambda p: metric.goodness(p.value))
    return MetricProgress(
        metric.key, metric.label, metric.unit, metric.better, points, first, recent, trend, best, n
    )


def direction(metric: Measure, values: Sequence[float]) -> str:
    """improving | slipping | steady | too few, from the first to the last averages."""
    if len(values) < 2:
        return "too few"
    _, first, recent = _halves(values)
    # A range judges both sides, so compare nearness to it rather than the values.
    delta = metric.goodness(recent) - metric.goodness(first)
    if metric.better == "range" and abs(delta) < 1:
        delta = 0.0  # both within the target range: nothing to improve
    if abs(delta) < metric.steady_band:
        return "steady"
    return "improving" if delta > 0 else "slipping"


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
    return not PACE_TARGET.contains(d.words_per_minute)


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
        f"had fillers in more than {FILLER_SHARE_MAX:.0%} of words",
        "Pause silently instead of saying um: a short pause sounds confident.",
        False,
    ),
    (
        "pace",
        _delivery(_pace),
        f"were paced outside {PACE_TARGET.text()} words a minute",
        f"Aim for {PACE_TARGET.text()} words a minute: pause after each key point "
        "if you rush, outline the story first if you drag.",
        False,
    ),
    (
        "long_pauses",
        _delivery(lambda d: not LONG_PAUSES_TARGET.contains(d.long_pause_count)),
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
            groups.setdefault(r.category if per_category else None, []).append(r)
        for category, members in groups.items():
            judged = [(r, v) for r in members if (v := check(r)) is not None]
            verdicts = [v for _, v in judged]
            recent = verdicts[-WEAK_WINDOW:]
            count, total = sum(recent), len(recent)
            if not (total >= 2 and count >= WEAK_MIN_COUNT and count >= WEAK_MIN_SHARE * total):
                continue
            earlier = verdicts[:-WEAK_WINDOW]
            # Fading: the last two answers were free of it, or the latest was and it has grown
            # rarer than it was before the recent window.
            fading = not any(verdicts[-2:]) or (
                not verdicts[-1]
                and len(earlier) >= 2
                and count / total <= sum(earlier) / len(earlier) - FADING_DROP
            )
            first_seen = next((r.created_at for r, v in judged if v and r.created_at), None)
            noun = NOUNS.get(category, "answers")
            found.append(
                WeakSpot(
                    key,
                    category,
                    count,
                    total,
                    f"{count} of your last {total} {noun} {phrase}",
                    tip,
                    seen=sum(verdicts),
                    seen_of=len(verdicts),
                    first_seen=None if first_seen is None else day_of(first_seen),
                    fading=fading,
                )
            )
    found.sort(key=lambda w: (-w.count / w.total, -w.count))
    return found


# -- by category, by question ---------------------------------------------------------------------


def _overall(rows: Sequence[Attempt]) -> list[Point]:
    return [
        Point(r.id, r.created_at, float(r.analysis.scores.overall), r.analysis.category)
        for r in rows
    ]


def _best(points: Sequence[Point]) -> Point:
    return max(points, key=lambda p: p.value)  # the earliest of equal bests


def daily_trend(points: Sequence[Point]) -> tuple[DayAverage, ...]:
    """Each day's mean, and the mean of the daily means over the SMOOTH_DAYS ending that day."""
    days: dict[str, list[float]] = {}
    for p in points:
        days.setdefault(p.date, []).append(p.value)
    out = []
    for day, values in sorted(days.items()):
        d = date.fromisoformat(day)
        window = [
            _mean(v) for k, v in days.items() if 0 <= (d - date.fromisoformat(k)).days < SMOOTH_DAYS
        ]
        out.append(DayAverage(day, len(values), round(_mean(values), 2), _mean(window)))
    return tuple(out)


def by_category(rows: Sequence[Attempt]) -> dict[str, CategoryProgress]:
    """Overall scores per category; `rows` oldest first."""
    groups: dict[str, list[Attempt]] = {}
    for r in rows:
        groups.setdefault(r.analysis.category or "none", []).append(r)
    out = {}
    for category, members in groups.items():
        points = _overall(members)
        out[category] = CategoryProgress(
            category,
            len(points),
            points[0],
            _best(points),
            points[-1],
            round(_mean([p.value for p in points]), 2),
            direction(MEASURE_BY_KEY["overall"], [p.value for p in points]),
            daily_trend(points),
        )
    return out


def question_key(a: Analysis) -> str | None:
    q = a.question
    return (q.id or q.text or None) if q is not None else None


def by_question(rows: Sequence[Attempt]) -> dict[str, QuestionProgress]:
    """First, best and latest overall per question (id, or text for an ad-hoc one)."""
    groups: dict[str, list[Attempt]] = {}
    for r in rows:
        if (key := question_key(r.analysis)) is not None:
            groups.setdefault(key, []).append(r)
    return {key: _question_progress(key, members) for key, members in groups.items()}


def by_story(
    rows: Sequence[Attempt], titles: Mapping[int, str] | None = None
) -> dict[str, QuestionProgress]:
    """First, best and latest overall per kept story rehearsed (`ask --story`), keyed by the
    story's id; `titles` names them."""
    groups: dict[int, list[Attempt]] = {}
    for r in rows:
        if r.story_id is not None:
            groups.setdefault(r.story_id, []).append(r)
    out = {}
    for story_id, members in sorted(groups.items()):
        title = (titles or {}).get(story_id) or f"story {story_id}"
        out[str(story_id)] = _question_progress(str(story_id), members, title)
    return out


def _question_progress(
    key: str, members: Sequence[Attempt], text: str | None = None
) -> QuestionProgress:
    a = members[-1].analysis
    points = _overall(members)
    return QuestionProgress(
        key,
        text or (a.question.text if a.question and a.question.text else key),
        a.category,
        len(points),
        points[0],
        _best(points),
        points[-1],
    )


# -- wins -----------------------------------------------------------------------------------------


def _count_words(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def _num(value: float, digits: int) -> str:
    text = f"{value:.{digits}f}"
    return text[:-2] if digits and text.endswith(".0") else text


def period(first_day: str, last_day: str) -> str:
    """ "today", "since yesterday", "over the last 5 days", "over the last two weeks"."""
    days = (date.fromisoformat(last_day) - date.fromisoformat(first_day)).days
    if days == 0:
        return "today"
    if days == 1:
        return "since yesterday"
    if days < 10:
        return f"over the last {days} days"
    weeks = round(days / 7)
    return f"over the last {_count_words(weeks)} week{'s' if weeks > 1 else ''}"


def _recent(points: Sequence[Point]) -> list[Point]:
    """The points of the WIN_SPAN_DAYS ending at the latest one."""
    if not points:
        return []
    last = date.fromisoformat(points[-1].date)
    return [p for p in points if (last - date.fromisoformat(p.date)).days <= WIN_SPAN_DAYS]


def _change_win(metric: Measure, points: Sequence[Point], subject: str) -> str | None:
    """ "fillers down from 6 a minute to 1 over the last two weeks", when the recent points
    moved the right way by more than the steady band (a range: from outside it to inside)."""
    span = _recent(points)
    if len(span) < 2:
        return None
    _, before, after = _halves([p.value for p in span])
    if metric.goodness(after) - metric.goodness(before) < metric.steady_band:
        return None
    when = period(span[0].date, span[-1].date)
    b, a = _num(before, metric.digits), _num(after, metric.digits)
    if metric.better == "range":
        target = metric.target
        assert target is not None
        if target.contains(before) or not target.contains(after):
            return None  # moving within the range, or still outside it, is no win
        return f"{subject} from {b} to {a} words a minute {when}, now inside {target.text()}"
    per = f" {metric.per}" if metric.per else ""
    way = "up" if metric.better == "higher" else "down"
    return f"{subject} {way} from {b}{per} to {a} {when}"


def _streak(verdicts: Sequence[bool]) -> int:
    """How many of the latest verdicts in a row are True."""
    n = 0
    for v in reversed(verdicts):
        if not v:
            break
        n += 1
    return n


def wins(rows: Sequence[Attempt]) -> list[str]:
    """Plain sentences about what got better; `rows` oldest first."""
    out: list[str] = []
    # Scores per category: "success story scores up from 45 to 74 over the last two weeks".
    overall = MEASURE_BY_KEY["overall"]
    for category, cp in by_category(rows).items():
        scores = _overall([r for r in rows if (r.analysis.category or "none") == category])
        noun = NOUN.get(None if category == "none" else category, "answer")
        if (win := _change_win(overall, scores, f"{noun} scores")) is not None:
            out.append(win)
        if cp.attempts >= STREAK_MIN and cp.latest.id == cp.best.id:
            out.append(
                f"your latest {noun} is your best yet: {cp.latest.value:.0f} "
                f"on {short_date(cp.latest.date)}"
            )
    # Delivery across answers.
    for key, subject in (
        ("fillers_per_minute", "fillers"),
        ("long_pause_count", "long pauses"),
        ("words_per_minute", "pace"),
    ):
        m = MEASURE_BY_KEY[key]
        points = metric_progress(m, rows).points
        if (win := _change_win(m, points, subject)) is not None:
            out.append(win)
    # Streaks over success stories, and paced answers.
    stories = [r.analysis for r in rows if r.analysis.category in STORY_CATEGORIES]
    for verdicts, text in (
        (
            [bool(a.structure.result_quantified) for a in stories],
            "your last {n} success stories all ended with a number",
        ),
        (
            [MEASURE_BY_KEY["star_completeness"].value(a) == 1.0 for a in stories],
            "your last {n} success stories all had a situation, task, action and result",
        ),
    ):
        if (n := _streak(verdicts)) >= STREAK_MIN:
            out.append(text.format(n=_count_words(n)))
    paced = [
        PACE_TARGET.contains(r.analysis.delivery.words_per_minute)
        for r in rows
        if r.analysis.delivery is not None
    ]
    if (n := _streak(paced)) >= STREAK_MIN:
        out.append(
            f"your last {_count_words(n)} answers were all paced inside "
            f"{PACE_TARGET.text()} words a minute"
        )
    return out


def load(home: Path, *, category: str | None = None) -> Progress:
    """Progress over the history under `home` (one category, or all), with the kept stories'
    titles: what `practice progress` and the app's progress page show."""
    from practice.history.store import History

    with History.open(home) as h:
        rows = h.list(category=category)
        titles = {s.id: s.title for s in h.stories() if s.id is not None}
    return build(rows, category=category, story_titles=titles)


def build(
    rows: Sequence[Attempt],
    *,
    category: str | None = None,
    story_titles: Mapping[int, str] | None = None,
) -> Progress:
    """Progress over stored attempts (`History.list` order, newest first, is accepted)."""
    # A follow-up's answer is a sentence or two about one gap, not an answer to practise
    # against the targets: progress reads the main answers only.
    ordered = sorted((r for r in rows if r.follow_up_of is None), key=lambda r: r.id)
    if category is not None:
        ordered = [r for r in ordered if r.analysis.category == category]
    metrics = tuple(metric_progress(m, ordered) for m in METRICS)
    return Progress(
        len(ordered),
        category,
        metrics,
        tuple(weak_spots([r.analysis for r in ordered])),
        by_category(ordered),
        by_question(ordered),
        by_story(ordered, story_titles),
        tuple(wins(ordered)),
        day_of(ordered[0].created_at) if ordered else None,
        day_of(ordered[-1].created_at) if ordered else None,
    )


def sparkline(values: Sequence[float], *, width: int = SPARK_POINTS) -> str:
    """A row of block characters, one per value (the newest `width`), low to high. A flat row
    sits on the floor when it is zero (no long pauses at all), in the middle otherwise."""
    values = list(values)[-width:]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if hi - lo < 1e-9:
        return (SPARK[0] if abs(hi) < 1e-9 else SPARK[len(SPARK) // 2]) * len(values)
    steps = len(SPARK) - 1
    return "".join(SPARK[round((v - lo) / (hi - lo) * steps)] for v in values)
