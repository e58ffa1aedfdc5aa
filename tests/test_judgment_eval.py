"""The coach's judgment against the team's labelled answers (tests/data/LABELLING.md).

The figures come from practice.judgment.evaluation, the same computation scripts/eval_scoring.py
prints, so a drop below a target here is the drop the table shows.
"""

from collections import Counter
from pathlib import Path

import pytest

from practice.core.results import CATEGORIES
from practice.judgment import evaluation as ev

DATA = Path(__file__).parent / "data"
CASES = ev.load_jsonl(DATA / "judgment_cases.jsonl")
PAIRS = ev.load_jsonl(DATA / "judgment_pairs.jsonl")


@pytest.fixture(scope="module")
def reports() -> dict[str, ev.Report]:
    return ev.evaluate_splits(CASES, PAIRS)


def test_the_labelled_set_is_large_varied_and_well_formed():
    assert len(CASES) >= 80 and len(PAIRS) >= 25
    assert len({c["id"] for c in CASES}) == len(CASES)
    assert len({p["id"] for p in PAIRS}) == len(PAIRS)
    assert {c["category"] for c in CASES} >= set(CATEGORIES)
    assert {p["category"] for p in PAIRS} >= set(CATEGORIES)
    assert sum(c.get("split") == ev.HOLDOUT for c in CASES) >= 30 + 18
    for c in CASES:
        e = c["expected"]
        assert set(e) == {*ev.BINARY_FIELDS, "value_orientation", "red_flag_handling"}, c["id"]
        assert e["value_orientation"] in ev.VALUE_CLASSES, c["id"]
        if c["category"] == "red-flag":
            assert e["red_flag_handling"] in ev.RED_FLAG_CLASSES, c["id"]
        else:
            assert e["red_flag_handling"] is None, c["id"]
        assert not (e["result_quantified"] and not e["result"]), c["id"]  # LABELLING.md
    # Every category has enough answers to hold both a strong and a weak one.
    per_category = Counter(c["category"] for c in CASES)
    assert all(per_category[cat] >= 5 for cat in CATEGORIES), per_category


def test_every_figure_on_all_cases_meets_its_target(reports):
    all_cases = reports["all"]
    for part in ev.STAR_PARTS:
        assert all_cases.binary[part].f1 >= ev.MIN_STAR_F1, (part, all_cases.binary[part])
    assert all_cases.binary["result_quantified"].f1 >= ev.MIN_QUANTIFIED_F1
    assert all_cases.value_orientation.accuracy >= ev.MIN_VALUE_ACCURACY
    assert all_cases.red_flag_handling.accuracy >= ev.MIN_RED_FLAG_ACCURACY
    assert all_cases.pair_accuracy >= ev.MIN_PAIR_ACCURACY, all_cases.pair_misses
    assert ev.shortfalls(all_cases) == []


def test_the_blind_cases_meet_the_targets_too(reports):
    holdout = reports[ev.HOLDOUT]
    assert holdout.cases >= 48 and holdout.pairs >= 25
    assert ev.shortfalls(holdout) == [], holdout.misses


def test_the_metrics_are_computed_the_usual_way():
    # 2 true positives, 1 false positive, 1 false negative, 1 true negative.
    b = ev.binary_score([(True, True), (True, True), (False, True), (True, False), (False, False)])
    assert (b.precision, b.recall, b.positives, b.cases) == (2 / 3, 2 / 3, 3, 5)
    assert b.f1 == pytest.approx(2 / 3)
    assert ev.binary_score([(False, False)]).f1 == 1.0  # nothing to find, nothing claimed
    assert ev.binary_score([(True, False)]).f1 == 0.0
    m = ev.multi_score([(1, 1), (0, 1), (-1, -1), (0, 0)], ev.VALUE_CLASSES)
    assert m.accuracy == 0.75
    assert m.classes["1"].precision == 0.5 and m.classes["1"].recall == 1.0
    assert m.classes["0"].recall == 0.5


def test_shortfalls_name_each_missed_target():
    weak = ev.Report(
        cases=1,
        binary={f: ev.BinaryScore(1.0, 1.0, 1.0, 1, 1) for f in ev.BINARY_FIELDS}
        | {"task": ev.BinaryScore(1.0, 0.5, 0.67, 2, 2)},
        value_orientation=ev.MultiScore(0.5, 2, {}),
        red_flag_handling=ev.MultiScore(1.0, 1, {}),
        pairs_right=8,
        pairs=10,
    )
    missed = ev.shortfalls(weak)
    assert len(missed) == 3
    assert missed[0].startswith("task F1")
    assert any("value_orientation" in m for m in missed)
    assert any("pair accuracy 0.800" in m for m in missed)


def test_the_table_shows_both_splits_and_every_row(reports):
    table = ev.format_table(reports)
    for row in (
        *ev.BINARY_FIELDS,
        "value_orientation accuracy",
        "red_flag_handling accuracy",
        "pairs ranked right",
        "constructive",
        "defensive",
    ):
        assert row in table
    assert "all" in table.splitlines()[0] and ev.HOLDOUT in table.splitlines()[0]
