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
# A number with its sign and unit; the space and the full stop after it stay ("31 hours" once
# read "a lothours", which no longer looked like English to the parser).
_NUMBER = re.compile(r"[$€£]?\d+(?:[,.]\d+)*(?:\s*(?:%|percent)|k\b)?")
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


def _joined(sentences: Sequence[tuple[str, str]]) -> str:
    return " ".join(t for t, _ in sentences)


def _without(a: LabelledAnswer, label: str) -> str | None:
    """The answer with every sentence of `label` left out (None when none is, or all are)."""
    kept = [(t, lab) for t, lab in a.sentences if lab != label]
    return _joined(kept) if 0 < len(kept) < len(a.sentences) else None


def _rewritten(
    a: LabelledAnswer, labels: tuple[str, ...], change: Callable[[str], str]
) -> str | None:
    """The answer with `change` applied to each sentence of `labels` (None when nothing moved)."""
    text = _joined([(change(t) if lab in labels else t, lab) for t, lab in a.sentences])
    return text if text != a.text else None


def _in_we(sentence: str) -> str:
    sentence = _I_CONTRACTION.sub(lambda m: "we'" + m.group(1), sentence)
    sentence = _I_SUBJECT.sub("we", sentence)
    sentence = re.sub(r"\bmy\b", "our", sentence)
    sentence = re.sub(r"\bme\b", "us", sentence)
    return re.sub(r"^we\b", "We", sentence)


def _opened_with(opening: str) -> Callable[[str], str]:
    return lambda sentence: opening + sentence[0].lower() + sentence[1:]


def drop_result(a: LabelledAnswer) -> str | None:
    return _without(a, "result")


def drop_actions(a: LabelledAnswer) -> str | None:
    return _without(a, "action")


def actions_with_we(a: LabelledAnswer) -> str | None:
    return _rewritten(a, ("action",), _in_we)


def result_without_numbers(a: LabelledAnswer) -> str | None:
    return _rewritten(a, ("result",), lambda sentence: _NUMBER.sub("a lot", sentence))


def hedged(a: LabelledAnswer) -> str | None:
    return _rewritten(a, ("action", "result"), _opened_with(HEDGED_OPENING))


def with_fillers(a: LabelledAnswer) -> str | None:
    every = ("situation", "task", "action", "result", "other")
    return _rewritten(a, every, _opened_with(FILLER_OPENING))


def reordered(a: LabelledAnswer) -> str | None:
    order = {"result": 0, "action": 1, "task": 2, "other": 3, "situation": 4}
    moved = sorted(a.sentences, key=lambda s: order[s[1]])
    return _joined(moved) if moved != list(a.sentences) else None


def with_blame(a: LabelledAnswer) -> str | None:
    return _joined([*a.sentences, (BLAME, "other")])


def number_changed(a: LabelledAnswer) -> str | None:
    for i, (t, lab) in enumerate(a.sentences):
        m = re.search(r"\b(\d+)\b", t)
        if m:
            new = str(int(m.group(1)) + 1)
            changed = list(a.sentences)
            changed[i] = (t[: m.start(1)] + new + t[m.end(1) :], lab)
            return _joined(changed)
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
