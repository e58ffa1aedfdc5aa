"""How well the coach's rules judge the labelled answers in tests/data (see LABELLING.md there):
precision, recall and F1 per STAR part and for a quantified result, accuracy of value orientation
and red-flag handling, and how often the better answer of a pair scores higher.

    .venv/bin/python scripts/eval_scoring.py [--json] [--misses] [--corpus]

Exit status 1 when any figure on all cases misses its target.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON document instead")
    ap.add_argument("--misses", action="store_true", help="also list every disagreement")
    ap.add_argument("--cases", type=Path, default=DATA / "judgment_cases.jsonl")
    ap.add_argument("--pairs", type=Path, default=DATA / "judgment_pairs.jsonl")
    ap.add_argument(
        "--corpus",
        action="store_true",
        help="judge the published answers in tests/data/corpus instead (holdout: blind sites)",
    )
    args = ap.parse_args()

    from practice.judgment import evaluation as ev

    if args.corpus:
        cases, pairs = ev.load_corpus(DATA / "corpus")
    else:
        cases, pairs = ev.load_jsonl(args.cases), ev.load_jsonl(args.pairs)
    reports = ev.evaluate_splits(cases, pairs)
    missed = ev.shortfalls(reports["all"])
    if args.json:
        doc = {name: r.to_dict() for name, r in reports.items()}
        if not args.misses:
            for r in doc.values():
                r.pop("misses")
                r.pop("pair_misses")
        doc["targets_missed"] = missed
        print(json.dumps(doc, indent=1))
    else:
        print(ev.format_table(reports))
        print("targets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
        if args.misses:
            for m in reports["all"].misses:
                print(f"  {m.case:<28} {m.field:<18} expected {m.expected!s:<13} got {m.got}")
            for p in reports["all"].pair_misses:
                print(f"  pair {p}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
