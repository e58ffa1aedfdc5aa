"""Scoring job prep against hand-labelled postings (tests/data/prep/<case>/).

Each case holds `posting.txt`, `stories.json` (a list of stories: title, situation, task, actions,
result, optional skills) and `expected.json`: {"held_out": bool, "requirements": [{"match":
"words from the posting", "covered": bool}]}. The labels were written by judgment before the
matcher was tuned. An expected requirement is found as the extracted requirement whose text
contains `match`; one that was not extracted counts as a wrong decision.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from practice.journey.prep import cover, extract_requirements
from practice.journey.stories import Story, complete


@dataclass(frozen=True)
class Decision:
    case: str
    match: str
    expected: bool
    predicted: bool | None  # None: the requirement was not extracted at all
    requirement: str | None


@dataclass
class Counts:
    decisions: list[Decision] = field(default_factory=list)

    def precision_recall(self, positive: bool) -> tuple[float, float]:
        """Precision and recall with `positive` (True = covered) as the positive class."""
        tp = sum(d.predicted is positive and d.expected is positive for d in self.decisions)
        predicted = sum(d.predicted is positive for d in self.decisions)
        actual = sum(d.expected is positive for d in self.decisions)
        return (tp / predicted if predicted else 0.0, tp / actual if actual else 0.0)

    def summary(self) -> dict[str, Any]:
        p, r = self.precision_recall(True)
        up, ur = self.precision_recall(False)
        return {
            "n": len(self.decisions),
            "covered": {"precision": round(p, 3), "recall": round(r, 3)},
            "uncovered": {"precision": round(up, 3), "recall": round(ur, 3)},
            "not_extracted": sum(d.predicted is None for d in self.decisions),
            "wrong": [
                {"case": d.case, "match": d.match, "expected": d.expected, "predicted": d.predicted}
                for d in self.decisions
                if d.predicted is not d.expected
            ],
        }


def load_stories(path: Path) -> list[Story]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    stories = []
    for i, row in enumerate(rows, start=1):
        story = Story(
            id=i,
            title=row["title"],
            situation=row.get("situation", ""),
            task=row.get("task", ""),
            actions=row.get("actions", ""),
            result=row.get("result", ""),
            skills=tuple(row.get("skills", ())),
        )
        stories.append(complete(story))
    return stories


def evaluate_case(case_dir: Path) -> tuple[list[Decision], int, bool]:
    """The decisions for one case, how many extracted requirements carry no label, held out."""
    expected = json.loads((case_dir / "expected.json").read_text(encoding="utf-8"))
    posting = (case_dir / "posting.txt").read_text(encoding="utf-8")
    coverage = cover(extract_requirements(posting), load_stories(case_dir / "stories.json"))
    used: set[int] = set()
    decisions = []
    for item in expected["requirements"]:
        needle = item["match"].lower()
        hit = next(
            (i for i, c in enumerate(coverage) if needle in c.requirement.text.lower()), None
        )
        if hit is not None:
            used.add(hit)
        decisions.append(
            Decision(
                case=case_dir.name,
                match=item["match"],
                expected=bool(item["covered"]),
                predicted=coverage[hit].covered if hit is not None else None,
                requirement=coverage[hit].requirement.text if hit is not None else None,
            )
        )
    return decisions, len(coverage) - len(used), bool(expected.get("held_out"))


def evaluate(root: Path) -> dict[str, Any]:
    """Precision and recall overall, on the tuning cases and on the held-out ones.

    `cases` gives each case's own figures (and whether it is held out), since the target holds
    for each held-out posting and one good posting can hide a poor one in the pooled figures.
    """
    groups = {"overall": Counts(), "tuning": Counts(), "held_out": Counts()}
    unlabelled: dict[str, int] = {}
    cases: dict[str, dict[str, Any]] = {}
    for case_dir in sorted(p for p in Path(root).iterdir() if (p / "expected.json").exists()):
        decisions, extra, held_out = evaluate_case(case_dir)
        unlabelled[case_dir.name] = extra
        groups["overall"].decisions += decisions
        groups["held_out" if held_out else "tuning"].decisions += decisions
        cases[case_dir.name] = {"held_out": held_out, **Counts(decisions).summary()}
    out: dict[str, Any] = {name: counts.summary() for name, counts in groups.items()}
    out["unlabelled_requirements"] = unlabelled
    out["cases"] = cases
    return out
