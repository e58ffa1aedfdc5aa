"""The outcome journal: where each application ended, kept in the history's `outcomes` table.

One row is one step of one application: the stage it reached (applied, phone-screen, interview,
final-round, offer) and how that step ended (no-response, rejected, advanced, withdrew, offer).
A user may log only the last step of an application or every step; `diagnose` copes with both.
"""

from __future__ import annotations

from datetime import date as Date
from typing import Any

from practice.core.errors import InputError
from practice.core.records import RESULTS, STAGES, Outcome, record_number
from practice.history.store import OUTCOME_FIELDS, History

EDITABLE = OUTCOME_FIELDS  # date, company, role, stage, result, notes
MAX_TEXT = 200  # characters for a company or role: a name, not a paragraph


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
    return history.add_outcome(**values)


def list_outcomes(history: History) -> list[Outcome]:
    """Every logged outcome, newest first (by the date it happened, then the order logged)."""
    return history.outcomes()


def _outcome_number(outcome_id: int | str) -> int:
    return record_number(outcome_id, "an outcome", "run `practice outcomes` to list them.")


def get_outcome(history: History, outcome_id: int | str) -> Outcome:
    return history.outcome(_outcome_number(outcome_id))


def edit_outcome(history: History, outcome_id: int | str, **changes: Any) -> Outcome:
    """Change some fields of an outcome (any of EDITABLE); an empty `notes` clears them."""
    outcome_id = _outcome_number(outcome_id)
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
    return history.edit_outcome(outcome_id, _checked(changes))


def delete_outcome(history: History, outcome_id: int | str) -> Outcome:
    """Remove an outcome; return what was removed, so the caller can say which."""
    return history.delete_outcome(_outcome_number(outcome_id))


def outcomes_as_dicts(history: History) -> list[dict[str, Any]]:
    """The journal for `practice export`: one JSON-ready dict per outcome, oldest first."""
    return [o.to_dict() for o in history.outcomes(oldest_first=True)]


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
