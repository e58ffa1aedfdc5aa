"""The outcome journal: where each application ended, kept in the history's `outcomes` table.

One row is one step of one application: the stage it reached (applied, phone-screen, interview,
final-round, offer) and how that step ended (no-response, rejected, advanced, withdrew, offer).
A user may log only the last step of an application or every step; `diagnose` copes with both.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date as Date
from typing import Any

from practice.core.errors import InputError, StoreError
from practice.history.store import History, utc_now

# In the order an application moves through them; diagnose relies on this order.
STAGES: tuple[str, ...] = ("applied", "phone-screen", "interview", "final-round", "offer")
RESULTS: tuple[str, ...] = ("no-response", "rejected", "advanced", "withdrew", "offer")
EDITABLE = ("date", "company", "role", "stage", "result", "notes")
MAX_TEXT = 200  # characters for a company or role: a name, not a paragraph


@dataclass(frozen=True)
class Outcome:
    id: int
    created_at: str  # ISO 8601, UTC: when it was logged
    date: str  # YYYY-MM-DD: when the step happened (local date, as the user gave it)
    company: str
    role: str
    stage: str
    result: str
    notes: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def add_outcome(
    history: History,
    *,
    company: str,
    role: str,
    stage: str,
    result: str,
    date: str | Date | None = None,
    notes: str | None = None,
) -> Outcome:
    """Log where an application got to; `date` defaults to today. Returns the stored row."""
    values = _checked(
        {
            "company": company,
            "role": role,
            "stage": stage,
            "result": result,
            "date": Date.today() if date is None else date,
            "notes": notes,
        }
    )
    created_at = utc_now()
    with history.writing("log an outcome in") as conn:
        cursor = conn.execute(
            "INSERT INTO outcomes (created_at, date, company, role, stage, result, notes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                created_at,
                values["date"],
                values["company"],
                values["role"],
                values["stage"],
                values["result"],
                values["notes"],
            ),
        )
        assert cursor.lastrowid is not None
        outcome_id = int(cursor.lastrowid)
    return get_outcome(history, outcome_id)


def list_outcomes(history: History) -> list[Outcome]:
    """Every logged outcome, newest first (by the date it happened, then the order logged)."""
    rows = history.query("SELECT * FROM outcomes ORDER BY date DESC, id DESC")
    return [_to_outcome(r) for r in rows]


def get_outcome(history: History, outcome_id: int) -> Outcome:
    rows = history.query("SELECT * FROM outcomes WHERE id = ?", (int(outcome_id),))
    if not rows:
        raise _missing(outcome_id)
    return _to_outcome(rows[0])


def edit_outcome(history: History, outcome_id: int, **changes: Any) -> Outcome:
    """Change some fields of an outcome (any of EDITABLE); an empty `notes` clears them."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InputError(
            f"Cannot edit {', '.join(unknown)} of an outcome; the fields are {', '.join(EDITABLE)}."
        )
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        raise InputError(
            f"Nothing to change in outcome {outcome_id}; give at least one of "
            + ", ".join(f"--{k}" for k in EDITABLE)
            + "."
        )
    values = _checked(changes)
    assignments = ", ".join(f"{k} = ?" for k in values)
    with history.writing("edit an outcome in") as conn:
        cursor = conn.execute(
            f"UPDATE outcomes SET {assignments} WHERE id = ?",  # keys come from EDITABLE only
            (*values.values(), int(outcome_id)),
        )
        if cursor.rowcount == 0:
            raise _missing(outcome_id)
    return get_outcome(history, outcome_id)


def delete_outcome(history: History, outcome_id: int) -> Outcome:
    """Remove an outcome; return what was removed, so the caller can say which."""
    with history.writing("delete an outcome from") as conn:
        row = conn.execute("SELECT * FROM outcomes WHERE id = ?", (int(outcome_id),)).fetchone()
        if row is None:
            raise _missing(outcome_id)
        conn.execute("DELETE FROM outcomes WHERE id = ?", (int(outcome_id),))
    return _to_outcome(row)


def outcomes_as_dicts(history: History) -> list[dict[str, Any]]:
    """The journal for `practice export`: one JSON-ready dict per outcome, oldest first."""
    rows = history.query("SELECT * FROM outcomes ORDER BY date, id")
    return [_to_outcome(r).to_dict() for r in rows]


# -- checking -----------------------------------------------------------------------------------


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    """The given fields cleaned up; InputError naming the field, the value and the choices."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in ("company", "role"):
            text = str(value).strip()
            if not text:
                raise InputError(f'The {key} is empty; give it, e.g. --{key} "Acme".')
            if len(text) > MAX_TEXT:
                raise InputError(
                    f"The {key} is {len(text)} characters long; keep it under {MAX_TEXT} and put "
                    "details in --notes."
                )
            out[key] = text
        elif key == "stage":
            out[key] = _choice(value, STAGES, "stage")
        elif key == "result":
            out[key] = _choice(value, RESULTS, "result")
        elif key == "date":
            out[key] = _date(value)
        elif key == "notes":
            text = str(value).strip() if value is not None else ""
            out[key] = text or None  # an empty value clears the notes
    return out


def _choice(value: Any, choices: tuple[str, ...], name: str) -> str:
    text = str(value).strip().lower()
    if text not in choices:
        raise InputError(f'Unknown {name} "{value}"; use one of {", ".join(choices)}.')
    return text


def _date(value: str | Date) -> str:
    if isinstance(value, Date):
        return value.isoformat()
    try:
        return Date.fromisoformat(str(value).strip()).isoformat()
    except ValueError as e:
        raise InputError(f'Cannot read the date "{value}"; give it as YYYY-MM-DD.') from e


def _to_outcome(row: Any) -> Outcome:
    return Outcome(
        id=int(row["id"]),
        created_at=str(row["created_at"]),
        date=str(row["date"]),
        company=str(row["company"]),
        role=str(row["role"]),
        stage=str(row["stage"]),
        result=str(row["result"]),
        notes=row["notes"],
    )


def _missing(outcome_id: int) -> StoreError:
    return StoreError(f"No outcome {outcome_id}; run `practice outcomes` to list them.")
