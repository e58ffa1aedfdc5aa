"""Mock interview mode in the app: N questions in a row, planned as `practice interview` plans
them (`app.rehearse.plan_interview`) and kept as one session, each take recorded by the same
live take code as the practice page; a summary at the end (`journey.interview.summarize`).

Routes (behind `guard.Guard`):
  GET  /interview               how many questions, of which kinds
  POST /interview               plan the interview, start its session; to its page
  GET  /interview/ID            the questions one after another, each with Record
                                (?follow_up=on: follow-up questions, as `practice interview`
                                asks them; ?speak=on: each question read aloud before Record)
  GET  /interview/ID/summary    what the answers add up to, each linked to its attempt page
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from practice.core.errors import PracticeError

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from practice.core.records import Attempt
    from practice.core.results import Question
    from practice.web.live import Rules
    from practice.web.views import State

MAX_QUESTIONS = 10  # a long real interview; every question holds a ticket until answered
DEFAULT_QUESTIONS = 5  # as `practice interview`


class Interviews(Protocol):
    """What the interview pages need of the server's state (`server.State`)."""

    home: Path
    port: int
    rules: Rules
    interviews: dict[int, list[tuple[str, Question]]]

    def ticket(
        self,
        question: Question,
        before: Attempt | None,
        *,
        session_id: int | None = None,
        number: int = 0,
        total: int = 0,
    ) -> str: ...


async def start_page(state: State, request: Request) -> Response:
    from practice.web.views import CATEGORIES, page

    return page(
        state,
        "app_interview_start.html",
        "interview",
        error="",
        categories=CATEGORIES,
        default=DEFAULT_QUESTIONS,
        most=MAX_QUESTIONS,
        follow_ups=True,  # on by default, as `practice interview`
        speak=_speak_setting(state.home),
    )


def _speak_setting(home: Path) -> bool:
    """`practice config set speak true` reads the questions aloud here too."""
    from practice.core import config

    try:
        return bool(config.load(home)["speak"])
    except PracticeError:
        return False


async def start(state: Interviews, request: Request) -> Response:
    """Plan the questions and open the session, then go to the interview's page."""
    from starlette.concurrency import run_in_threadpool

    from practice.app.rehearse import plan_interview, start_session
    from practice.core.errors import InputError
    from practice.web.views import CATEGORIES, form, page, see_other

    fields: dict[str, str] = {}
    try:
        fields = await form(request)
        try:
            count = int(fields.get("count", DEFAULT_QUESTIONS))
        except ValueError:
            count = 0
        if not 1 <= count <= MAX_QUESTIONS:
            raise InputError(f"Choose between 1 and {MAX_QUESTIONS} questions.")
        # Checkboxes arrive as one field each: "category-fit=on".
        kinds = tuple(c for c in CATEGORIES if fields.get(f"category-{c}"))
        options = {k: "on" for k in ("follow_up", "speak") if fields.get(k)}
        planned = await run_in_threadpool(plan_interview, state.home, count, kinds)
        note = f"{len(planned)} questions (in the app)"
        session_id = await run_in_threadpool(start_session, state.home, "interview", note)
    except PracticeError as e:
        return page(
            state,
            "app_interview_start.html",
            "interview",
            status=400,
            error=str(e),
            categories=CATEGORIES,
            default=DEFAULT_QUESTIONS,
            most=MAX_QUESTIONS,
            follow_ups=bool(fields.get("follow_up")),
            speak=bool(fields.get("speak")),
        )
    state.interviews[session_id] = [
        (state.ticket(q, None, session_id=session_id, number=i, total=len(planned)), q)
        for i, q in enumerate(planned, 1)
    ]
    query = "&".join(f"{k}=on" for k in options)
    return see_other(f"/interview/{session_id}" + (f"?{query}" if query else ""))


async def interview_page(state: Interviews, request: Request) -> Response:
    from practice.web.views import page, problem

    session_id = int(request.path_params["id"])
    questions = state.interviews.get(session_id)
    if questions is None:
        return problem(
            state,
            f"No interview {session_id} is under way here (the server was restarted, or it "
            "was never started); start a new one from the Interview page.",
        )
    return page(
        state,
        "app_interview.html",
        "interview",
        session_id=session_id,
        questions=questions,
        first=questions[0][1],
        max_seconds=state.rules.max_seconds,
        follow_ups=request.query_params.get("follow_up") == "on",
        speak=request.query_params.get("speak") == "on",
    )


def summary_context(home: Path, session_id: int) -> dict[str, Any]:
    """The session's answers (oldest first) and `practice interview`'s summary of them."""
    from practice.history.sessions import heading
    from practice.history.store import History
    from practice.journey.interview import summarize

    with History.open(home) as h:
        sessions = h.sessions()
        answers = [r for r in reversed(h.list()) if r.session_id == session_id]
    if session_id not in sessions:
        from practice.core.errors import StoreError

        raise StoreError(f"No interview {session_id}; run `practice history` to list them.")
    # As `practice interview`: the summary is of the main answers; follow-ups are listed.
    summary = summarize([r.analysis for r in answers if r.follow_up_of is None])
    return {
        "session_id": session_id,
        "heading": heading(session_id, answers, sessions) if answers else None,
        "summary": summary,
        "answers": [
            {
                "id": r.id,
                "question": (r.analysis.question.text if r.analysis.question else None) or "Answer",
                "overall": r.analysis.scores.overall,
                "tip": r.analysis.tips[0] if r.analysis.tips else None,
                "follow_up_of": r.follow_up_of,
            }
            for r in answers
        ],
    }


async def summary_page(state: Interviews, request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    from practice.web.views import page, problem

    session_id = int(request.path_params["id"])
    try:
        context = await run_in_threadpool(summary_context, state.home, session_id)
    except PracticeError as e:
        return problem(state, str(e))
    asked = state.interviews.get(session_id)
    return page(
        state,
        "app_interview_summary.html",
        "interview",
        asked=len(asked)
        if asked
        else sum(1 for a in context["answers"] if a["follow_up_of"] is None),
        **context,
    )
