"""Behavioural checks of the judgment: strong success stories from the published corpus (the
sites outside the blind split), each changed in one known way, and whether the overall score
moves as a coach's would. Prints the pass rate by kind of change.

    .venv/bin/python scripts/eval_behaviour.py [--misses]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "corpus"


def strong_stories() -> list:
    from practice.judgment.behaviour import LabelledAnswer
    from practice.judgment.evaluation import corpus_answers

    out = []
    for a in corpus_answers(CORPUS, blind=False):
        labels = a["labels"]
        if (
            a["category"] == "success-story"
            and a["quality"] == "strong"
            and all(labels[p] for p in ("situation", "action", "result"))
        ):
            sentences = tuple((s["text"], s["label"]) for s in a["sentences"])
            out.append(LabelledAnswer(a["id"], a["question"], a["category"], sentences))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--misses", action="store_true", help="list every check that failed")
    args = ap.parse_args()

    from practice.core.results import Question
    from practice.judgment.behaviour import passes, variants
    from practice.judgment.coach import analyze_text

    def overall(question: str, text: str) -> int:
        q = Question(id=None, text=question, category="success-story")
        return analyze_text(text, question=q).scores.overall

    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    stories = strong_stories()
    for a in stories:
        base = overall(a.question, a.text)
        for v in variants(a):
            got = overall(v.question, v.text)
            ok = passes(v.expect, base, got)
            tally[v.kind][0] += ok
            tally[v.kind][1] += 1
            if not ok:
                misses.append(f"  {a.id:<16} {v.kind:<34} {base} -> {got}")
    print(f"{len(stories)} strong success stories, overall score expected to move:")
    total = [0, 0]
    for kind, (ok, n) in tally.items():
        print(f"  {kind:<36} {ok:>3}/{n:<3} {ok / n:6.0%}")
        total[0] += ok
        total[1] += n
    print(f"  {'all':<36} {total[0]:>3}/{total[1]:<3} {total[0] / total[1]:6.0%}")
    if args.misses:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
