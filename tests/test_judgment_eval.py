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


# Floors, not the targets: the figures the fitted judgment reached (scripts/
# eval_scoring.py), a little below, so a change that loses ground fails here. On the blind
# corpus the cue rules the models replaced reached situation 0.69, task 0.59, action 0.78,
# result 0.76, quantified 0.83, value 0.73, red flag 0.81: the models do better on situation,
# action, result, value and red flag, worse on task and quantified result.
BLIND_FLOORS = {
    "situation": 0.72,
    "task": 0.40,
    "action": 0.78,  # the rules' figure: the models reach 0.80-0.83 as the cue features change
    "result": 0.83,
    "result_quantified": 0.68,
}
TEAM_FLOORS = {
    "situation": 0.85,
    "task": 0.68,
    "action": 0.78,
    "result": 0.70,
    "result_quantified": 0.75,
}


@pytest.mark.model
def test_the_team_answers_the_models_never_saw(reports):
    """The team's labelled set: written before the models, never used to fit them."""
    all_cases = reports["all"]
    for part, floor in TEAM_FLOORS.items():
        assert all_cases.binary[part].f1 >= floor, (part, all_cases.binary[part])
    assert all_cases.value_orientation.accuracy >= 0.65
    assert all_cases.red_flag_handling.accuracy >= 0.70
    assert all_cases.pair_accuracy >= ev.MIN_PAIR_ACCURACY, all_cases.pair_misses


@pytest.mark.model
def test_the_blind_corpus_sites_beat_the_rules_the_models_replaced():
    cases, pairs = ev.load_corpus(DATA / "corpus")
    holdout = ev.evaluate_splits(cases, pairs)[ev.HOLDOUT]
    assert holdout.cases >= 90 and holdout.pairs >= 20
    for part, floor in BLIND_FLOORS.items():
        assert holdout.binary[part].f1 >= floor, (part, holdout.binary[part])
    assert holdout.value_orientation.accuracy >= 0.74
    assert holdout.red_flag_handling.accuracy >= 0.80
    assert holdout.pair_accuracy >= 0.7, holdout.pair_misses


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
