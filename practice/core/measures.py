"""Every measure tracked across attempts, defined once: what it is, which answers it applies
to, which way is better and its target range. Progress, weak spots, the review's comparisons
and the charts all read these; the figures themselves (with their sources) are in
`thresholds`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from practice.core.results import Analysis
from practice.core.thresholds import (
    ANSWER_HIGH_S,
    ANSWER_LOW_S,
    FILLERS_PER_MINUTE_MAX,
    LONG_PAUSES_OK,
    PACE_HIGH_WPM,
    PACE_LOW_WPM,
    PACE_MIDDLE_WPM,
)

Better = Literal["higher", "lower", "range"]

SCORE_KEYS = ("overall", "structure", "delivery", "enthusiasm", "content")
# Where a STAR story and a result with a number are expected: "tell me about a time" questions.
# Other answers (why this job, tell me about yourself, a gap) are not stories, and counting them
# would drag a storyteller's STAR share down for answers that never needed it.
STORY_CATEGORIES: tuple[str, ...] = ("success-story",)
# Behavioural answers, for which one to two minutes is the advice (thresholds.ANSWER_*).
BEHAVIOURAL_CATEGORIES: tuple[str, ...] = ("success-story", "red-flag")


UNIT_WORDS = {"/min": " a minute", "share": ""}  # how a unit reads after a number in a sentence


@dataclass(frozen=True)
class Target:
    """Where a measure should be: at least `low`, at most `high` (either may be open)."""

    low: float | None
    high: float | None
    source: str  # where the figure comes from, shown beside it

    def contains(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def text(self, unit: str = "") -> str:
        """ "100-165 wpm", "at most 5.3 a minute", "at least 1"."""
        suffix = UNIT_WORDS.get(unit, f" {unit}" if unit else "")
        if self.low is not None and self.high is not None:
            return f"{_num(self.low)}-{_num(self.high)}{suffix}"
        if self.high is not None:
            return f"at most {_num(self.high)}{suffix}"
        return f"at least {_num(self.low or 0)}{suffix}"


def _num(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


@dataclass(frozen=True)
class Measure:
    key: str  # the name used in the JSON contract
    label: str
    better: Better
    steady_band: float  # a change smaller than this (in the measure's unit) is "steady"
    unit: str = ""  # "wpm", "/min", "s", "share" (0-1), "" (a count or a score)
    digits: int = 0  # decimals worth printing
    target: Target | None = None
    categories: tuple[str, ...] | None = None  # the only categories it applies to (None: all)
    per: str = ""  # how a value reads in a sentence: "a minute", "an answer"

    @property
    def best_means(self) -> str:
        """Why the best value is the best, in words."""
        if self.better == "higher":
            return "highest"
        if self.better == "lower":
            return "lowest"
        assert self.target is not None and self.target.low is not None
        assert self.target.high is not None
        return f"nearest the middle of {self.target.text(self.unit)}"

    def value(self, analysis: Analysis) -> float | None:
        """This measure of one answer, or None where it does not apply (no audio, another
        category)."""
        if self.categories is not None and analysis.category not in self.categories:
            return None
        key = self.key
        value: float | bool | None
        if key in SCORE_KEYS:
            value = analysis.scores.score(key)
        elif key == "star_completeness":
            st = analysis.structure
            return sum(bool(p) for p in (st.situation, st.task, st.action, st.result)) / 4
        elif key == "result_quantified":
            return float(bool(analysis.structure.result_quantified))
        elif key == "duration_s":
            value = analysis.duration_s if analysis.delivery is not None else None
        else:  # a measure of delivery: words_per_minute, fillers_per_minute, long_pause_count
            value = None if analysis.delivery is None else getattr(analysis.delivery, key)
        return None if value is None else float(value)

    def goodness(self, value: float) -> float:
        """Higher is better, whatever the measure: for a range, nearness to it, and inside it
        nearness to its middle."""
        if self.better == "higher":
            return value
        if self.better == "lower":
            return -value
        assert self.target is not None and self.target.low is not None
        assert self.target.high is not None
        low, high = self.target.low, self.target.high
        outside = max(low - value, value - high, 0.0)
        # Inside the range, nearer the middle wins ties (a tiny weight keeps the order).
        return -outside - abs(value - (low + high) / 2) * 1e-3


PACE_TARGET = Target(PACE_LOW_WPM, PACE_HIGH_WPM, "Microsoft Speaker Coach")
FILLERS_TARGET = Target(None, round(FILLERS_PER_MINUTE_MAX, 1), "Read.ai: under 4% of words")
LONG_PAUSES_TARGET = Target(None, LONG_PAUSES_OK, "our choice: one pause to think is normal")
LENGTH_TARGET = Target(ANSWER_LOW_S, ANSWER_HIGH_S, "common career-centre advice")

MEASURES: tuple[Measure, ...] = (
    Measure("overall", "Overall", "higher", 3.0),
    Measure("structure", "Structure", "higher", 3.0),
    Measure("delivery", "Delivery", "higher", 3.0),
    Measure("enthusiasm", "Enthusiasm", "higher", 3.0),
    Measure("content", "Content", "higher", 3.0),
    Measure("words_per_minute", "Pace", "range", 5.0, "wpm", 0, PACE_TARGET, per="a minute"),
    Measure(
        "fillers_per_minute", "Fillers", "lower", 0.5, "/min", 1, FILLERS_TARGET, per="a minute"
    ),
    Measure(
        "long_pause_count", "Long pauses", "lower", 0.3, "", 1, LONG_PAUSES_TARGET, per="an answer"
    ),
    Measure("duration_s", "Length", "range", 10.0, "s", 0, LENGTH_TARGET, BEHAVIOURAL_CATEGORIES),
    Measure(
        "star_completeness",
        "STAR complete",
        "higher",
        0.05,
        "share",
        2,
        Target(1.0, None, "all four parts: situation, task, action, result"),
        STORY_CATEGORIES,
    ),
    Measure(
        "result_quantified",
        "Result with a number",
        "higher",
        0.05,
        "share",
        2,
        Target(1.0, None, "a result you can measure"),
        STORY_CATEGORIES,
    ),
)
MEASURE_BY_KEY = {m.key: m for m in MEASURES}

__all__ = [
    "BEHAVIOURAL_CATEGORIES",
    "MEASURES",
    "MEASURE_BY_KEY",
    "PACE_MIDDLE_WPM",
    "SCORE_KEYS",
    "STORY_CATEGORIES",
    "Measure",
    "Target",
]
