"""Behavioural checks of the judgment (after CheckList, Ribeiro et al. 2020): a strong answer
changed in one known way, and the direction a coach's verdict would move.

Each change works on an answer's labelled sentences (tests/data/corpus, tests/data), so it
knows which sentences tell the result or the actions. `scripts/eval_behaviour.py` prints the
pass rate by kind; the judgment rebuild is measured against it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

Expect = Literal["lower", "same"]

SAME_TOLERANCE_POINTS = 2  # an invariance check passes when the overall moves this much or less

_I_SUBJECT = re.compile(r"\bI\b(?!')")
_I_CONTRACTION = re.compile(r"\bI'(m|ve|d|ll)\b")
_NUMBER = re.compile(r"[$€£]?\d[\d,.]*\s*(%|percent|k\b)?")
# Wording for the additions: plainly weak delivery and a plain complaint, never a cue list copy.
HEDGED_OPENING = "I think maybe, I guess, "
FILLER_OPENING = "Um, so, uh, "
BLAME = (
    "Honestly my manager at the time was useless and the rest of the team kept dropping the "
    "ball, which is why it got that bad."
)
# A question the success stories of the corpus do not answer.
UNRELATED_QUESTION = "What would you do in your first 90 days as our head of finance?"


@dataclass(frozen=True)
class LabelledAnswer:
    id: str
    question: str
    category: str
    sentences: tuple[tuple[str, str], ...]  # (text, STAR label) in order

    @property
    def text(self) -> str:
        return " ".join(t for t, _ in self.sentences)


@dataclass(frozen=True)
class Variant:
    kind: str
    expect: Expect
    question: str
    text: str


def _with(a: LabelledAnswer, sentences: Sequence[tuple[str, str]]) -> str:
    return " ".join(t for t, _ in sentences)


def drop_result(a: LabelledAnswer) -> str | None:
    kept = [(t, lab) for t, lab in a.sentences if lab != "result"]
    return _with(a, kept) if len(kept) < len(a.sentences) and kept else None


def drop_actions(a: LabelledAnswer) -> str | None:
    kept = [(t, lab) for t, lab in a.sentences if lab != "action"]
    return _with(a, kept) if len(kept) < len(a.sentences) and kept else None


def actions_with_we(a: LabelledAnswer) -> str | None:
    changed = []
    for t, lab in a.sentences:
        if lab == "action":
            t = _I_CONTRACTION.sub(lambda m: "we'" + m.group(1), t)
            t = _I_SUBJECT.sub("we", t)
            t = re.sub(r"\bmy\b", "our", t)
            t = re.sub(r"\bme\b", "us", t)
            t = re.sub(r"^we\b", "We", t)
        changed.append((t, lab))
    text = _with(a, changed)
    return text if text != a.text else None


def result_without_numbers(a: LabelledAnswer) -> str | None:
    changed = []
    for t, lab in a.sentences:
        if lab == "result":
            t = _NUMBER.sub("a lot", t)
        changed.append((t, lab))
    text = _with(a, changed)
    return text if text != a.text else None


def hedged(a: LabelledAnswer) -> str | None:
    out = []
    for t, lab in a.sentences:
        if lab in ("action", "result"):
            t = HEDGED_OPENING + t[0].lower() + t[1:]
        out.append((t, lab))
    return _with(a, out)


def with_fillers(a: LabelledAnswer) -> str | None:
    return _with(a, [(FILLER_OPENING + t[0].lower() + t[1:], lab) for t, lab in a.sentences])


def reordered(a: LabelledAnswer) -> str | None:
    order = {"result": 0, "action": 1, "task": 2, "other": 3, "situation": 4}
    moved = sorted(a.sentences, key=lambda s: order[s[1]])
    return _with(a, moved) if moved != list(a.sentences) else None


def with_blame(a: LabelledAnswer) -> str | None:
    return _with(a, [*a.sentences, (BLAME, "other")])


def number_changed(a: LabelledAnswer) -> str | None:
    for i, (t, lab) in enumerate(a.sentences):
        m = re.search(r"\b(\d+)\b", t)
        if m:
            new = str(int(m.group(1)) + 1)
            changed = list(a.sentences)
            changed[i] = (t[: m.start(1)] + new + t[m.end(1) :], lab)
            return _with(a, changed)
    return None


CHANGES: tuple[tuple[str, Expect, Callable[[LabelledAnswer], str | None]], ...] = (
    ("result removed", "lower", drop_result),
    ("actions removed", "lower", drop_actions),
    ("actions told with 'we'", "lower", actions_with_we),
    ("numbers taken out of the result", "lower", result_without_numbers),
    ("hedges added", "lower", hedged),
    ("fillers added", "lower", with_fillers),
    ("told back to front", "lower", reordered),
    ("blame added", "lower", with_blame),
    ("a number changed", "same", number_changed),
)


def variants(a: LabelledAnswer) -> list[Variant]:
    """Every change that applies to `a` (some need a result, a number or an 'I' to change)."""
    out = [
        Variant(kind, expect, a.question, text)
        for kind, expect, change in CHANGES
        if (text := change(a)) is not None
    ]
    out.append(Variant("answer to another question", "lower", UNRELATED_QUESTION, a.text))
    return out


def passes(expect: Expect, original: int, changed: int) -> bool:
    """Whether the overall score moved as a coach's verdict would."""
    if expect == "lower":
        return changed < original
    return abs(changed - original) <= SAME_TOLERANCE_POINTS
