"""Print how well `practice prep` decides covered / uncovered on the labelled postings.

    .venv/bin/python scripts/eval_prep.py [DIR] [--json] [--show-held-out]

DIR defaults to tests/data/prep. Precision and recall are given with "covered" as the positive
class and again for "uncovered", overall, on the tuning postings, on the held-out ones pooled and
on each held-out posting alone.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from practice.journey.prep_eval import evaluate

ROOT = Path(__file__).resolve().parents[1] / "tests" / "data" / "prep"


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    result = evaluate(Path(args[0]) if args else ROOT)
    if "--json" in argv:
        print(json.dumps(result, indent=2))
        return 0
    rows = [(group, result[group]) for group in ("overall", "tuning", "held_out")]
    rows += [(f"  {name}", s) for name, s in result["cases"].items() if s["held_out"]]
    for label, s in rows:
        c, u = s["covered"], s["uncovered"]
        print(
            f"{label:11} n={s['n']:3}  covered P={c['precision']:.2f} R={c['recall']:.2f}  "
            f"uncovered P={u['precision']:.2f} R={u['recall']:.2f}  "
            f"not extracted={s['not_extracted']}"
        )
    print("unlabelled extracted requirements:", result["unlabelled_requirements"])
    # The held-out posting's mistakes stay hidden unless asked for, so nobody tunes on them.
    shown = "overall" if "--show-held-out" in argv else "tuning"
    for w in result[shown]["wrong"]:
        print(
            f"  wrong: {w['case']}: {w['match']!r} expected covered={w['expected']}, "
            f"got {w['predicted']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
