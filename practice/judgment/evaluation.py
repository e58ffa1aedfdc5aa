"""How well the rules judge answers against the team's labelled set (tests/data/LABELLING.md).

Shared by `scripts/eval_scoring.py` and `tests/test_judgment_eval.py`, so the table a person reads
and the figures the test guards are the same computation. Every answer goes through
`practice.judgment.coach.analyze_text`, the path a typed answer takes in the product.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STAR_PARTS: tuple[str, ...] = ("situation", "task", "action", "result")
BINARY_FIELDS: tuple[str, ...] = (*STAR_PARTS, "result_quantified")
VALUE_CLASSES: tuple[int, ...] = (-1, 0, 1)
RED_FLAG_CLASSES: tuple[str, ...] = ("constructive", "defensive")

# Acceptance targets of the issue "The coach's judgment".
MIN_STAR_F1 = 0.85
MIN_QUANTIFIED_F1 = 0.85
MIN_VALUE_ACCURACY = 0.80
MIN_RED_FLAG_ACCURACY = 0.80
MIN_PAIR_ACCURACY = 0.90

HOLDOUT = "holdout"
_CLASS_FIELDS: tuple[str, ...] = ("value_orientation", "red_flag_handling")


@dataclass(frozen=True)
class BinaryScore:
    """Precision, recall and F1 of one yes/no label; `positives` is the labelled-true count."""

    precision: float
    recall: float
    f1: float
    positives: int
    cases: int


@dataclass(frozen=True)
class ClassScore:
    precision: float
    recall: float
    support: int  # cases labelled with this class


@dataclass(frozen=True)
class MultiScore:
    accuracy: float
    cases: int
    classes: dict[str, ClassScore]


@dataclass(frozen=True)
class Miss:
    """One disagreement between a label and the rules, for tuning by hand."""

    case: str
    field: str
    expected: Any
    got: Any


@dataclass(frozen=True)
class Report:
    cases: int
    binary: dict[str, BinaryScore]
    value_orientation: MultiScore
    red_flag_handling: MultiScore
    pairs_right: int
    pairs: int
    misses: tuple[Miss, ...] = field(default=(), repr=False)
    pair_misses: tuple[str, ...] = field(default=(), repr=False)

    @property
    def pair_accuracy(self) -> float:
        return self.pairs_right / self.pairs if self.pairs else 1.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["pair_accuracy"] = self.pair_accuracy
        return out


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def corpus_answers(folder: Path, *, blind: bool | None = None) -> list[dict[str, Any]]:
    """The corpus's answers as they are written (README.md there): all of them, or only those
    of the blind sites (`blind=True`) or of the others (`blind=False`)."""
    held_out = blind_sites(folder)
    answers = [a for f in sorted(folder.glob("published-*.jsonl")) for a in load_jsonl(f)]
    if blind is None:
        return answers
    return [a for a in answers if (a["source"]["site"] in held_out) == blind]


def blind_sites(folder: Path) -> set[str]:
    """The sites `split.txt` holds out of all fitting."""
    return {
        line.strip()
        for line in (folder / "split.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }


def load_corpus(folder: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The published-answer corpus (tests/data/corpus/README.md) as cases and pairs in this
    module's shape; answers from the sites in `split.txt` are the held-out split."""
    blind = blind_sites(folder)
    answers = corpus_answers(folder)
    cases = [
        {
            "id": a["id"],
            "category": a["category"],
            "question": a["question"],
            "text": a["answer"],
            "expected": {f: a["labels"][f] for f in (*BINARY_FIELDS, *_CLASS_FIELDS)},
            "split": HOLDOUT if a["source"]["site"] in blind else "fit",
        }
        for a in answers
    ]
    by_id = {c["id"]: c for c in cases}
    pairs = [
        {
            "id": f"{p['better']}>{p['worse']}",
            "category": by_id[p["better"]]["category"],
            "question": p["question"],
            "better": by_id[p["better"]]["text"],
            "worse": by_id[p["worse"]]["text"],
            "split": by_id[p["better"]]["split"],
        }
        for f in sorted(folder.glob("pairs-*.jsonl"))
        for p in load_jsonl(f)
    ]
    return cases, pairs


def _question(category: str | None, text: str | None = None) -> Any:
    from practice.core.results import Question

    return Question(id=None, text=text or "", category=category) if category or text else None


def judge_case(text: str, category: str | None, question: str | None = None) -> dict[str, Any]:
    """The rules' labels for one answer, in the labelled set's field names."""
    from practice.judgment.coach import analyze_text

    a = analyze_text(text, question=_question(category, question))
    got: dict[str, Any] = {f: getattr(a.structure, f) for f in BINARY_FIELDS}
    got["value_orientation"] = a.content.value_orientation
    got["red_flag_handling"] = a.content.red_flag_handling
    return got


def overall_score(text: str, category: str | None, question: str | None = None) -> int:
    from practice.judgment.coach import analyze_text

    return analyze_text(text, question=_question(category, question)).scores.overall


def _ratio(num: float, den: float, empty: float) -> float:
    return num / den if den else empty


def binary_score(pairs: Iterable[tuple[bool, bool]]) -> BinaryScore:
    """From (expected, got) pairs. With no positive label and no positive guess, all are 1."""
    tp = fp = fn = n = 0
    for expected, got in pairs:
        n += 1
        tp += expected and got
        fp += got and not expected
        fn += expected and not got
    nothing = tp + fp + fn == 0
    precision = _ratio(tp, tp + fp, 1.0 if nothing else 0.0)
    recall = _ratio(tp, tp + fn, 1.0 if nothing else 0.0)
    f1 = _ratio(2 * precision * recall, precision + recall, 0.0) if not nothing else 1.0
    return BinaryScore(precision, recall, f1, tp + fn, n)


def multi_score(pairs: Sequence[tuple[Any, Any]], classes: Sequence[Any]) -> MultiScore:
    right = sum(e == g for e, g in pairs)
    per: dict[str, ClassScore] = {}
    for c in classes:
        tp = sum(e == c and g == c for e, g in pairs)
        guessed = sum(g == c for _, g in pairs)
        support = sum(e == c for e, _ in pairs)
        per[str(c)] = ClassScore(
            precision=_ratio(tp, guessed, 1.0 if support == 0 else 0.0),
            recall=_ratio(tp, support, 1.0),
            support=support,
        )
    return MultiScore(accuracy=_ratio(right, len(pairs), 1.0), cases=len(pairs), classes=per)


def evaluate(cases: Sequence[dict[str, Any]], pairs: Sequence[dict[str, Any]]) -> Report:
    """Judge every case and rank every pair; red-flag handling counts on red-flag cases only."""
    got_by_case = [judge_case(c["text"], c["category"], c.get("question")) for c in cases]
    binary = {
        f: binary_score(
            (bool(c["expected"][f]), bool(g[f])) for c, g in zip(cases, got_by_case, strict=True)
        )
        for f in BINARY_FIELDS
    }
    value = multi_score(
        [
            (c["expected"]["value_orientation"], g["value_orientation"])
            for c, g in zip(cases, got_by_case, strict=True)
        ],
        VALUE_CLASSES,
    )
    red_flag = multi_score(
        [
            (c["expected"]["red_flag_handling"], g["red_flag_handling"])
            for c, g in zip(cases, got_by_case, strict=True)
            if c["category"] == "red-flag"
        ],
        RED_FLAG_CLASSES,
    )
    misses = tuple(
        Miss(c["id"], f, c["expected"][f], g[f])
        for c, g in zip(cases, got_by_case, strict=True)
        for f in (*BINARY_FIELDS, "value_orientation", "red_flag_handling")
        if c["expected"][f] != g[f]
    )
    right = 0
    pair_misses: list[str] = []
    for p in pairs:
        better = overall_score(p["better"], p["category"], p.get("question"))
        worse = overall_score(p["worse"], p["category"], p.get("question"))
        if better > worse:
            right += 1
        else:
            pair_misses.append(f"{p['id']}: better {better} <= worse {worse}")
    return Report(
        len(cases), binary, value, red_flag, right, len(pairs), misses, tuple(pair_misses)
    )


def evaluate_splits(
    cases: Sequence[dict[str, Any]], pairs: Sequence[dict[str, Any]]
) -> dict[str, Report]:
    """Figures for every case and, separately, for the cases written blind ("holdout")."""
    return {
        "all": evaluate(cases, pairs),
        HOLDOUT: evaluate(
            [c for c in cases if c.get("split") == HOLDOUT],
            [p for p in pairs if p.get("split") == HOLDOUT],
        ),
    }


def shortfalls(report: Report) -> list[str]:
    """Every acceptance target the report misses, as readable lines (empty when all are met)."""
    out = [
        f"{f} F1 {report.binary[f].f1:.3f} < {MIN_STAR_F1}"
        for f in STAR_PARTS
        if report.binary[f].f1 < MIN_STAR_F1
    ]
    if report.binary["result_quantified"].f1 < MIN_QUANTIFIED_F1:
        out.append(
            f"result_quantified F1 {report.binary['result_quantified'].f1:.3f} "
            f"< {MIN_QUANTIFIED_F1}"
        )
    if report.value_orientation.accuracy < MIN_VALUE_ACCURACY:
        out.append(
            f"value_orientation accuracy {report.value_orientation.accuracy:.3f} "
            f"< {MIN_VALUE_ACCURACY}"
        )
    if report.red_flag_handling.accuracy < MIN_RED_FLAG_ACCURACY:
        out.append(
            f"red_flag_handling accuracy {report.red_flag_handling.accuracy:.3f} "
            f"< {MIN_RED_FLAG_ACCURACY}"
        )
    if report.pair_accuracy < MIN_PAIR_ACCURACY:
        out.append(f"pair accuracy {report.pair_accuracy:.3f} < {MIN_PAIR_ACCURACY}")
    return out


def format_table(reports: dict[str, Report]) -> str:
    """A plain-text table, one column group per report (split)."""
    names = list(reports)
    head = f"{'':<22}" + "".join(f"{n:^27}" for n in names)
    sub = f"{'':<22}" + "".join(f"{'P':>6}{'R':>6}{'F1':>7}{'pos/n':>8}" for _ in names)
    lines = [head, sub]
    for f in BINARY_FIELDS:
        row = f"{f:<22}"
        for n in names:
            b = reports[n].binary[f]
            row += f"{b.precision:>6.2f}{b.recall:>6.2f}{b.f1:>7.2f}{f'{b.positives}/{b.cases}':>8}"
        lines.append(row)
    lines.append("")
    for title, attr in (
        ("value_orientation", "value_orientation"),
        ("red_flag_handling", "red_flag_handling"),
    ):
        row = f"{title + ' accuracy':<22}"
        for n in names:
            m: MultiScore = getattr(reports[n], attr)
            row += f"{m.accuracy:>19.2f}{f'n={m.cases}':>8}"
        lines.append(row)
        classes = next(iter(reports.values())).__getattribute__(attr).classes
        for c in classes:
            label = f"  {'+' if c == '1' else ''}{c}"
            row = f"{label:<22}"
            for n in names:
                cs = getattr(reports[n], attr).classes[c]
                row += f"{cs.precision:>6.2f}{cs.recall:>6.2f}{'':>7}{f'{cs.support}':>8}"
            lines.append(row)
    lines.append("")
    row = f"{'pairs ranked right':<22}"
    for n in names:
        r = reports[n]
        row += f"{r.pair_accuracy:>19.2f}{f'{r.pairs_right}/{r.pairs}':>8}"
    lines.append(row)
    lines.append(f"{'cases':<22}" + "".join(f"{reports[n].cases:>27}" for n in names))
    return "\n".join(lines)
