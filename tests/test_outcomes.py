"""The outcome journal: CRUD on a real history, validation, export, and the CLI around it."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from practice.cli.main import cli
from practice.core.errors import InputError, StoreError
from practice.history.store import History
from practice.journey.outcomes import (
    add_outcome,
    delete_outcome,
    edit_outcome,
    get_outcome,
    list_outcomes,
    outcomes_as_dicts,
)


@pytest.fixture
def history(tmp_path: Path):
    with History.open(tmp_path / "home") as h:
        yield h


def test_add_then_list_round_trips_every_field(history: History) -> None:
    o = add_outcome(
        history,
        company=" Acme ",
        role="Data Analyst",
        stage="phone-screen",
        result="rejected",
        date="2024-03-05",
        notes="asked about the gap",
    )
    assert (o.company, o.role, o.stage, o.result, o.date, o.notes) == (
        "Acme",
        "Data Analyst",
        "phone-screen",
        "rejected",
        "2024-03-05",
        "asked about the gap",
    )
    assert list_outcomes(history) == [o]
    assert get_outcome(history, o.id) == o


def test_date_defaults_to_today_and_list_is_newest_first(history: History) -> None:
    old = add_outcome(
        history, company="A", role="R", stage="applied", result="no-response", date=date(2024, 1, 2)
    )
    new = add_outcome(history, company="B", role="R", stage="applied", result="advanced")
    assert new.date == date.today().isoformat()
    assert [o.id for o in list_outcomes(history)] == [new.id, old.id]


def test_outcomes_survive_reopening_the_home(tmp_path: Path) -> None:
    with History.open(tmp_path) as h:
        o = add_outcome(h, company="A", role="R", stage="offer", result="offer")
    with History.open(tmp_path) as h:
        assert get_outcome(h, o.id) == o


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("stage", "onsite", "applied, phone-screen, interview, final-round, offer"),
        ("result", "ghosted", "no-response, rejected, advanced, withdrew, offer"),
        ("date", "05/03/2024", "YYYY-MM-DD"),
        ("company", "   ", "company is empty"),
    ],
)
def test_bad_values_are_refused_with_the_fix(history: History, field, value, message) -> None:
    values = {"company": "Acme", "role": "R", "stage": "applied", "result": "rejected"}
    values[field] = value
    with pytest.raises(InputError, match=message):
        add_outcome(history, **values)
    assert list_outcomes(history) == []


def test_edit_changes_only_the_given_fields_and_empty_notes_clear(history: History) -> None:
    o = add_outcome(
        history,
        company="Acme",
        role="R",
        stage="interview",
        result="advanced",
        notes="panel of three",
    )
    edited = edit_outcome(history, o.id, stage="final-round", result="rejected", notes="")
    assert (edited.stage, edited.result, edited.notes) == ("final-round", "rejected", None)
    assert (edited.company, edited.role, edited.date, edited.created_at) == (
        o.company,
        o.role,
        o.date,
        o.created_at,
    )


def test_edit_validates_and_reports_a_missing_id(history: History) -> None:
    o = add_outcome(history, company="Acme", role="R", stage="applied", result="rejected")
    with pytest.raises(InputError, match="Unknown stage"):
        edit_outcome(history, o.id, stage="lunch")
    with pytest.raises(InputError, match="Nothing to change"):
        edit_outcome(history, o.id)
    with pytest.raises(InputError, match="Cannot edit id"):
        edit_outcome(history, o.id, id=5)
    with pytest.raises(StoreError, match="No outcome 99"):
        edit_outcome(history, 99, result="offer")
    assert get_outcome(history, o.id).stage == "applied"


def test_delete_removes_one_and_reports_it(history: History) -> None:
    keep = add_outcome(history, company="A", role="R", stage="applied", result="rejected")
    gone = add_outcome(history, company="B", role="R", stage="applied", result="rejected")
    assert delete_outcome(history, gone.id) == gone
    assert list_outcomes(history) == [keep]
    with pytest.raises(StoreError, match=f"No outcome {gone.id}"):
        delete_outcome(history, gone.id)


def test_export_gives_plain_dicts_oldest_first(history: History) -> None:
    add_outcome(
        history, company="Late", role="R", stage="applied", result="rejected", date="2024-05-01"
    )
    add_outcome(
        history, company="Early", role="R", stage="offer", result="offer", date="2024-02-01"
    )
    rows = outcomes_as_dicts(history)
    assert [r["company"] for r in rows] == ["Early", "Late"]
    assert set(rows[0]) == {
        "id",
        "created_at",
        "date",
        "company",
        "role",
        "stage",
        "result",
        "notes",
    }
    json.dumps(rows)  # export writes them as JSON as they are


def test_rows_land_in_the_schema_v2_table(history: History) -> None:
    add_outcome(history, company="Acme", role="R", stage="applied", result="withdrew")
    conn = sqlite3.connect(history.db_path)
    try:
        assert conn.execute("SELECT company, stage, result FROM outcomes").fetchall() == [
            ("Acme", "applied", "withdrew")
        ]
    finally:
        conn.close()


# -- CLI ------------------------------------------------------------------------------------------


def run(home: Path, *args: str):
    return CliRunner().invoke(cli, ["--home", str(home), *args])


def test_cli_add_list_edit_delete(tmp_path: Path) -> None:
    r = run(
        tmp_path,
        "outcome",
        "add",
        "--company",
        "Acme",
        "--role",
        "Analyst",
        "--stage",
        "phone-screen",
        "--result",
        "rejected",
        "--date",
        "2024-04-01",
    )
    assert r.exit_code == 0, r.output
    assert "Logged outcome 1" in r.output
    r = run(tmp_path, "outcome", "edit", "1", "--result", "advanced", "--notes", "second call")
    assert r.exit_code == 0, r.output
    listed = json.loads(run(tmp_path, "outcomes", "--json").output)
    assert [(o["id"], o["result"], o["notes"]) for o in listed] == [(1, "advanced", "second call")]
    assert "Acme - Analyst" in run(tmp_path, "outcomes").output
    r = run(tmp_path, "outcome", "delete", "1")
    assert r.exit_code == 0 and "Deleted outcome 1" in r.output
    assert json.loads(run(tmp_path, "outcomes", "--json").output) == []


def test_cli_bad_stage_is_a_usage_error_listing_the_choices(tmp_path: Path) -> None:
    r = run(
        tmp_path,
        "outcome",
        "add",
        "--company",
        "A",
        "--role",
        "R",
        "--stage",
        "onsite",
        "--result",
        "rejected",
    )
    assert r.exit_code == 2
    assert "'applied', 'phone-screen', 'interview', 'final-round', 'offer'" in r.output
    r = run(tmp_path, "outcome", "edit", "1", "--result", "ghosted")
    assert r.exit_code == 2
    assert "'no-response', 'rejected', 'advanced', 'withdrew', 'offer'" in r.output


def test_cli_failures_the_user_can_fix_are_one_line_and_exit_1(tmp_path: Path) -> None:
    r = run(
        tmp_path,
        "outcome",
        "add",
        "--company",
        "A",
        "--role",
        "R",
        "--stage",
        "applied",
        "--result",
        "rejected",
        "--date",
        "yesterday",
    )
    assert r.exit_code == 1
    assert r.output.strip().splitlines() == [
        'Error: Cannot read the date "yesterday"; give it as YYYY-MM-DD.'
    ]
    r = run(tmp_path, "outcome", "delete", "7")
    assert r.exit_code == 1 and "No outcome 7" in r.output
    assert run(tmp_path, "outcome", "edit", "1").exit_code == 2  # nothing to change: usage


@pytest.mark.parametrize(
    "command",
    [
        ("outcome",),
        ("outcome", "add"),
        ("outcome", "edit"),
        ("outcome", "delete"),
        ("outcomes",),
        ("diagnose",),
        ("plan",),
        ("note",),
        ("note", "thank-you"),
        ("note", "feedback-request"),
    ],
)
def test_every_journal_command_has_help(command: tuple[str, ...]) -> None:
    group = cli
    for name in command:
        group = group.commands[name]  # type: ignore[attr-defined]
    assert group.help and len(group.help.strip()) > 20


# -- through the store ----------------------------------------------------------------------------


def test_the_journal_goes_through_the_store_on_its_one_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[object] = []
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: opened.append(a[0]) or connect(*a, **k))
    with History.open(tmp_path / "home") as h:
        o = add_outcome(h, company="Acme", role="R", stage="interview", result="advanced")
        edit_outcome(h, o.id, result="rejected", notes="")
        assert h.outcomes() == list_outcomes(h) == [h.outcome(o.id)]
        assert h.outcome(o.id).result == "rejected" and h.outcome(o.id).notes is None
        assert outcomes_as_dicts(h) == [h.outcome(o.id).to_dict()]
        assert delete_outcome(h, o.id).id == o.id
        assert h.outcomes() == []
    assert len(opened) == 1  # History.open's; the journal opens none of its own


def test_the_store_refuses_a_field_an_outcome_does_not_have(history: History) -> None:
    o = add_outcome(history, company="Acme", role="R", stage="applied", result="withdrew")
    with pytest.raises(ValueError):
        history.edit_outcome(o.id, {"created_at": "2020-01-01"})  # not editable: never in SQL
    with pytest.raises(StoreError, match="No outcome 99; run `practice outcomes`"):
        history.edit_outcome(99, {"company": "Birch"})
    assert history.outcome(o.id) == o
