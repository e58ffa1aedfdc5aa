"""One answer judged by the fitted models: STAR part per sentence, and every answer-level call.

The result is a small typed `Verdict`; `coach.judge` turns it into the `Structure` and `Content`
of the JSON contract, and `scoring` into scores and tips. Sentences that carry a finding (the
one that blames, the one that puts what the speaker gets first) are found by running the same
answer-level model on each sentence alone: the one it scores highest is the one quoted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from practice.judgment import fitted
from practice.judgment.content import is_blame
from practice.judgment.features import (
    SENTENCE_FEATURES,
    AnswerFeatures,
    answer_features,
    question_overlap,
)

if TYPE_CHECKING:
    import numpy as np

_SUBJECT_I = SENTENCE_FEATURES.index("subject_i")
_MEASURE = SENTENCE_FEATURES.index("measure")
_HEDGES = SENTENCE_FEATURES.index("hedges")
_FILLERS = SENTENCE_FEATURES.index("fillers")
_WORDS_LOG = SENTENCE_FEATURES.index("words_log")
FINDING_PROBABILITY = 0.5  # a sentence is quoted for a finding when its own call passes this
# A complaint is quoted only when the call is this sure: on the answers the models were fitted
# on, every sentence of an answer labelled as blaming or complaining scored 0.88 or more, while
# stories that only tell of angry customers or low morale, owned weaknesses and neutral facts
# ("we were all let go") reached 0.82. At 0.5, 11 of 98 blind answers were told they complain.
COMPLAINT_PROBABILITY = 0.85


@dataclass(frozen=True)
class Verdict:
    sentences: tuple[str, ...]
    labels: tuple[str, ...]  # STAR part (or "other") per sentence
    told: dict[str, bool]  # situation, task, action, result
    result_quantified: bool
    ownership: float | None  # share of action sentences told with "I"
    value_orientation: int  # -1, 0, 1
    self_interest: tuple[str, ...]  # sentences that put what the speaker gets first
    value: tuple[str, ...]  # sentences that offer value to the employer
    red_flag_handling: str | None
    negativity: tuple[str, ...]
    specificity: float  # 0-1
    vague: tuple[str, ...]  # the least specific sentences, vaguest first
    relevance: float  # 0-1
    answers_question: bool
    quality: float  # probability a coach would call the answer strong


def judge_text(
    sentences: Sequence[str],
    *,
    question: str | None,
    category: str | None,
    home: Path | None = None,
) -> Verdict:
    """Parse, embed and judge an answer's sentences."""
    f = answer_features(sentences, question=question, home=home)
    return judge_features(f, category, question_text=question)


def quality_features(
    f: AnswerFeatures,
    category: str | None,
    *,
    sentence_probabilities: np.ndarray,
    sentence_classes: Sequence[str],
    thresholds: dict[str, float],
    value: np.ndarray,
    red_flag: np.ndarray,
    negativity: float,
    specificity: np.ndarray,
    relevance: float,
) -> np.ndarray:
    """The named answer-level findings (fitted.QUALITY_FEATURES) as one row."""
    import numpy as np

    n = max(len(f.sentences), 1)
    told = {}
    for part in fitted.STAR_PARTS:
        col = list(sentence_classes).index(part)
        p = sentence_probabilities[:, col] if len(sentence_probabilities) else np.zeros(1)
        told[part] = float(p.max())
    labels = _labels(sentence_probabilities, sentence_classes)
    actions = [i for i, lab in enumerate(labels) if lab == "action"]
    ownership = sum(f.parsed[i, _SUBJECT_I] > 0 for i in actions) / len(actions) if actions else 0.0
    results = [i for i, lab in enumerate(labels) if lab == "result"]
    quantified = any(f.parsed[i, _MEASURE] > 0 for i in results)
    row = [
        told["situation"],
        told["task"],
        told["action"],
        told["result"],
        float(quantified),
        float(ownership),
        float(specificity @ np.array([0.0, 0.5, 1.0])),
        relevance,
        float(value[0]),
        float(value[2]),
        negativity,
        float(red_flag[1]) if category == "red-flag" else 0.0,
        float(f.parsed[:, _HEDGES].sum()) / n,
        float(f.parsed[:, _FILLERS].sum()) / n,
        float(np.log1p(len(f.sentences))),
        float(np.log1p(np.expm1(f.parsed[:, _WORDS_LOG]).sum())),
        *(float(category == c) for c in fitted.CATEGORIES),
    ]
    return np.array(row)


def _labels(probabilities: np.ndarray, classes: Sequence[str]) -> list[str]:
    return [classes[int(i)] for i in probabilities.argmax(axis=1)] if len(probabilities) else []


def judge_features(
    f: AnswerFeatures, category: str | None, *, question_text: str | None = None
) -> Verdict:
    import numpy as np

    m = fitted.load()
    n = len(f.sentences)
    probs = m.sentence.probabilities(fitted.sentence_rows(f)) if n else np.zeros((0, 5))
    classes = [str(c) for c in m.sentence.classes]
    labels = _labels(probs, classes)
    told = {
        part: bool(n) and float(probs[:, classes.index(part)].max()) > m.thresholds[part]
        for part in fitted.STAR_PARTS
    }
    # A part the answer tells must have a sentence to show for it, and a sentence labelled
    # with a part means the part is told: the labels and the flags never disagree.
    for i, lab in enumerate(labels):
        if lab != "other" and not told[lab]:
            labels[i] = "other"
    for part in fitted.STAR_PARTS:
        if told[part] and part not in labels:
            best = int(probs[:, classes.index(part)].argmax())
            labels[best] = part
    actions = [i for i, lab in enumerate(labels) if lab == "action"]
    ownership = (
        sum(bool(f.parsed[i, _SUBJECT_I] > 0) for i in actions) / len(actions) if actions else None
    )
    # Only the outcome's own number counts (LABELLING.md): "I called 6 suppliers" measures a
    # step, and a story whose result has no number is not made measured by its actions' counts.
    quantified = any(_measured(f, i) for i, lab in enumerate(labels) if lab == "result")

    if n:
        whole = fitted.answer_row(f, category)
        alone = np.array([fitted.answer_row(_one(f, i), category) for i in range(n)])
    else:
        whole = np.zeros(len(m.value.mean))
        alone = np.zeros((0, len(m.value.mean)))
    value_p = m.value.probabilities(whole)[0]
    value_classes = [int(c) for c in m.value.classes]
    orientation = value_classes[int(value_p.argmax())]
    each_value = m.value.probabilities(alone) if n else np.zeros((0, 3))
    selfish = _leaning(f, each_value, value_classes.index(-1))
    offers = _leaning(f, each_value, value_classes.index(1))
    if orientation == -1 and not selfish and n:
        selfish = (f.sentences[int(each_value[:, value_classes.index(-1)].argmax())],)

    red_flag_p = m.red_flag.probabilities(whole)[0]
    red_flag = None
    if category == "red-flag":
        red_flag = str(m.red_flag.classes[int(red_flag_p.argmax())])

    # Blame is a sentence's doing: one complaint in a long story is still a complaint, though
    # the whole answer's average hardly moves, so each sentence is judged alone as well.
    negative_p = float(m.negativity.probabilities(whole)[0, 1])
    negativity: tuple[str, ...] = ()
    if n:
        each = m.negativity.probabilities(alone)[:, 1]
        # A sentence that names someone and a complaint about them ("my manager was useless")
        # needs the model only to lean that way: on the corpus answers not labelled as blaming,
        # no sentence had both the cue and a call above FINDING_PROBABILITY, while a refit on a
        # few more answers moved such a sentence from 0.84 to 0.83, either side of the bar.
        named = np.array([is_blame(t) for t in f.sentences])
        each_bar = np.where(named, FINDING_PROBABILITY, COMPLAINT_PROBABILITY)
        order = [int(i) for i in np.argsort(-each)]
        negativity = tuple(f.sentences[i] for i in order if each[i] > each_bar[i])
        if negative_p > COMPLAINT_PROBABILITY and not negativity:
            negativity = (f.sentences[int(each.argmax())],)

    spec_p = m.specificity.probabilities(whole)[0]
    spec_classes = [int(c) for c in m.specificity.classes]
    expected = float(spec_p @ np.array(spec_classes, dtype=np.float64)) / max(spec_classes)
    each_spec = (
        m.specificity.probabilities(alone) @ np.array(spec_classes, dtype=np.float64)
        if n
        else np.zeros(0)
    )
    vague = tuple(f.sentences[i] for i in np.argsort(each_spec)[:2])

    relevance = 1.0
    if f.question is not None and n:
        form_fit = fitted.form_fit(m.form, f, category)
        overlap = question_overlap(question_text or "", f.sentences)
        row = fitted.relevance_row(
            fitted.mean_vector(f), f.vectors, f.question, m.reference, form_fit, overlap
        )
        relevance = float(m.relevance.probabilities(row)[0, 1])

    q_row = quality_features(
        f,
        category,
        sentence_probabilities=probs,
        sentence_classes=classes,
        thresholds=m.thresholds,
        value=value_p,
        red_flag=red_flag_p,
        negativity=negative_p,
        specificity=spec_p,
        relevance=relevance,
    )
    strong = list(m.quality.classes).index("strong")
    quality = float(m.quality.probabilities(q_row)[0, strong])
    return Verdict(
        sentences=f.sentences,
        labels=tuple(labels),
        told=told,
        result_quantified=quantified,
        ownership=ownership,
        value_orientation=orientation,
        self_interest=selfish,
        value=offers,
        red_flag_handling=red_flag,
        negativity=negativity,
        specificity=round(expected, 3),
        vague=vague,
        relevance=round(relevance, 3),
        answers_question=relevance >= relevance_bar(m, "floor", category),
        quality=round(quality, 3),
    )


def relevance_bar(m: fitted.Models, which: str, category: str | None) -> float:
    """The fitted relevance floor ("floor") or cost point ("ok") for this kind of question, or
    the one over every kind when none was fitted for it (scripts/fit_judgment.py)."""
    return m.thresholds.get(f"relevance_{which}:{category}", m.thresholds[f"relevance_{which}"])


def _measured(f: AnswerFeatures, i: int) -> bool:
    """Sentence `i` measures an outcome: a number that is not a date, a team size or a
    timeline, beside a word of change or a measure (see structure.quantified_outcome)."""
    from practice.judgment.structure import quantified_outcome

    return quantified_outcome(f.sentences[i])


def _one(f: AnswerFeatures, i: int) -> AnswerFeatures:
    """Sentence `i` alone, as if it were the whole answer."""
    return AnswerFeatures(
        sentences=(f.sentences[i],),
        parsed=f.parsed[i : i + 1],
        vectors=f.vectors[i : i + 1],
        question=f.question,
    )


def _leaning(f: AnswerFeatures, probabilities: np.ndarray, column: int) -> tuple[str, ...]:
    """The sentences whose own most likely class is `column`, the most certain first."""
    import numpy as np

    if not len(probabilities):
        return ()
    mine = [int(i) for i in np.argsort(-probabilities[:, column])]
    return tuple(f.sentences[i] for i in mine if int(probabilities[i].argmax()) == column)
