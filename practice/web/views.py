"""The app's pages for looking back: one attempt (replay and the full analysis), the history and
the progress. Each is a thin view over the functions the CLI's `review`, `history` and
`progress` call; the templates are shared with the HTML report where they show the same thing.

Routes (behind `guard.Guard`, like every other):
  GET /attempts/ID          one attempt: replay, marked transcript, scores, tips, its retries
  GET /attempts/ID/audio    its recording, as the history keeps it
  POST /attempts/ID/delete  delete it and its recording, once confirmed (`practice delete`)
  POST /attempts/ID/keep    keep it in the story bank
  GET /history              every attempt, an interview's answers grouped (?category=C)
  GET /progress             what `practice progress` computes, as charts and text (?category=C)
  GET /questions            the question bank by category, each linked to the practice page
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl

from practice.core.errors import PracticeError

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from practice.core.records import Attempt

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
MAX_FORM_BYTES = 256 * 1024  # a job posting pasted whole is some kilobytes; refuse far more
CATEGORIES = ("success-story", "fit", "background", "red-flag", "closing")
# Every page's navigation: (address, name, key); the current page is marked aria-current.
NAV = (
    ("/", "Practice", "practice"),
    ("/interview", "Interview", "interview"),
    ("/history", "History", "history"),
    ("/progress", "Progress", "progress"),
    ("/stories", "Stories", "stories"),
    ("/prep", "Prep", "prep"),
    ("/journal", "Journal", "journal"),
)


class State(Protocol):
    """What a page needs of the server's state (`server.State`)."""

    home: Path
    port: int


def csp(port: int) -> str:
    """The pages' Content-Security-Policy: script, style and sockets of this server only."""
    sockets = " ".join(f"ws://{h}" for h in (f"127.0.0.1:{port}", f"localhost:{port}"))
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"media-src 'self'; connect-src 'self' {sockets}; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


def headers(state: State) -> dict[str, str]:
    """Every page's and file's headers: the policy, no sniffing, no referrer to other sites,
    no caching."""
    return {
        "Content-Security-Policy": csp(state.port),
        "X-Content-Type-Options": "nosniff",
        # same-origin, not no-referrer: under no-referrer a browser sends a form's POST with
        # "Origin: null", which the guard (rightly) refuses. Other sites still get nothing.
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }


def page(
    state: State, template: str, current: str, *, status: int = 200, **context: Any
) -> Response:
    """A whole page from `template` (which extends app_base.html), with the navigation."""
    from starlette.responses import HTMLResponse

    from practice.core import pages

    html = pages.render(template, nav=NAV, current=current, **context)
    return HTMLResponse(html, status_code=status, headers=headers(state))


def problem(state: State, message: str, *, status: int = 404) -> Response:
    """A page that says, in one line, what is not there and what to do instead."""
    return page(state, "app_problem.html", "", status=status, message=message)


async def form(request: Request) -> dict[str, str]:
    """The fields of a urlencoded form (stdlib parsing: no multipart library needed), last
    value of each; InputError when the body is too large or not text."""
    from practice.core.errors import InputError

    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise InputError(
                f"The form is larger than {MAX_FORM_BYTES // 1024} KiB; shorten the text."
            )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError("The form was not sent as UTF-8 text; reload the page.") from e
    return dict(parse_qsl(text, keep_blank_values=True))


def see_other(url: str) -> Response:
    """After a change, back to a page by GET (a reload does not send the form again)."""
    from starlette.responses import RedirectResponse

    return RedirectResponse(url, status_code=303)


def category_of(request: Request) -> str | None:
    """The ?category= filter, when it names a category (anything else means all)."""
    wanted = request.query_params.get("category") or None
    return wanted if wanted in CATEGORIES else None


# -- one attempt ----------------------------------------------------------------------------------


async def attempt_page(state: State, request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    try:
        view = await run_in_threadpool(attempt_context, state.home, request.path_params["id"])
    except PracticeError as e:
        return problem(state, str(e))
    return page(state, "app_attempt.html", "history", **view)


def attempt_context(home: Path, attempt_id: int | str) -> dict[str, Any]:
    """What the attempt page shows: the report's view of the attempt (its player pointed at
    this server) and every try at the same question, oldest first."""
    from practice.history import review
    from practice.history.report import attempt_view

    loaded = review.load(home, attempt_id)
    chosen = loaded.attempt
    view, _, _ = attempt_view(
        chosen,
        previous=loaded.previous,
        same_question=loaded.same_question,
        audio_url=f"/attempts/{chosen.id}/audio",
    )
    tries = [
        {
            "id": r.id,
            "when": r.created_at[:16].replace("T", " "),
            "overall": r.analysis.scores.overall,
            "this": r.id == chosen.id,
        }
        for r in loaded.same_question
    ]
    a = chosen.analysis
    return {
        "a": view,
        "attempt_id": chosen.id,
        **conversation(home, chosen),
        "fix_first": a.tips[0] if a.tips else None,
        "tries": tries,
        "retryable": a.question is not None and bool(a.question.text),
    }


def conversation(home: Path, chosen: Attempt) -> dict[str, Any]:
    """The attempt's place in a conversation: the main answer a follow-up answers
    (`follow_up_of`) and the follow-up questions asked after a main answer (`follow_ups`)."""
    from practice.history.store import History

    def asked(attempt: Attempt) -> str:
        q = attempt.analysis.question
        return q.text if q is not None and q.text else "Answer"

    with History.open(home) as h:
        main = None
        if chosen.follow_up_of is not None:
            with contextlib.suppress(PracticeError):  # the main answer may have been deleted
                main = h.get(chosen.follow_up_of)
        after = [] if chosen.id is None else h.follow_ups(chosen.id)
    return {
        "follow_up_of": None
        if chosen.follow_up_of is None
        else {
            "id": chosen.follow_up_of,
            "question": asked(main) if main is not None else None,
        },
        "follow_ups": [
            {"id": r.id, "question": asked(r), "overall": r.analysis.scores.overall} for r in after
        ],
    }


async def attempt_audio(state: State, request: Request) -> Response:
    """The attempt's recording from the home (the store never names a file outside it)."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import FileResponse

    from practice.history.store import History

    def path() -> Path | None:
        with History.open(state.home) as h:
            return h.get(request.path_params["id"]).audio_path

    try:
        found = await run_in_threadpool(path)
    except PracticeError as e:
        return problem(state, str(e))
    if found is None or not found.is_file():
        return problem(state, "This attempt has no recording in the history.")
    # FileResponse answers Range requests, which the player needs to jump to a clicked word.
    return FileResponse(found, headers=headers(state))


async def attempt_delete(state: State, request: Request) -> Response:
    """`practice delete ID`: the attempt and its recording go (the form asks to confirm)."""
    from starlette.concurrency import run_in_threadpool

    from practice.history.store import History

    attempt_id = request.path_params["id"]
    try:
        if (await form(request)).get("confirm") != "yes":
            from practice.core.errors import InputError

            raise InputError("Tick the box to confirm, then press Delete again.")

        def delete() -> None:
            with History.open(state.home) as h:
                h.delete(attempt_id)

        await run_in_threadpool(delete)
    except PracticeError as e:
        return problem(state, str(e), status=400)
    return see_other("/history")


async def attempt_keep(state: State, request: Request) -> Response:
    """Keep the attempt in the story bank (as the feedback's Keep as story), then show it."""
    from starlette.concurrency import run_in_threadpool

    from practice.app.rehearse import keep_attempt_as_story

    try:
        kept = await run_in_threadpool(keep_attempt_as_story, state.home, request.path_params["id"])
    except PracticeError as e:
        return problem(state, str(e))
    return see_other(f"/stories/{kept.id}")


async def report_script(state: State, request: Request) -> Response:
    """The HTML report's player script (highlight the word being played, click a word to
    play from it), served as a file: the app's policy runs no inline script."""
    from starlette.responses import Response

    body = (TEMPLATES / "report.js").read_bytes()
    return Response(body, media_type="text/javascript", headers=headers(state))


# -- history and progress -------------------------------------------------------------------------


async def history_page(state: State, request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    category = category_of(request)
    groups = await run_in_threadpool(history_context, state.home, category)
    return page(
        state,
        "app_history.html",
        "history",
        groups=groups,
        categories=CATEGORIES,
        category=category or "",
    )


def history_context(home: Path, category: str | None) -> list[dict[str, Any]]:
    """The attempts newest first, grouped as `practice history` groups them."""
    from practice.history.sessions import grouped
    from practice.history.store import History

    with History.open(home) as h:
        rows = h.list(category=category)
        sessions = h.sessions()
    out = []
    for group in grouped(rows, sessions):
        items = []
        for r in group.attempts:
            a = r.analysis
            figures = [r.created_at[:16].replace("T", " "), a.category or "no category"]
            if a.delivery is not None:
                d = a.delivery
                figures += [f"{d.words_per_minute:.0f} wpm", f"{d.filler_count} um/uh"]
            if a.duration_s:
                figures.append(f"{a.duration_s:.0f} s")
            question = (a.question.text if a.question else None) or a.source or "Answer"
            items.append(
                {
                    "id": r.id,
                    "question": question,
                    "overall": a.scores.overall,
                    "figures": " · ".join(figures),
                }
            )
        out.append({"heading": group.heading, "attempts": items})
    return out


async def progress_page(state: State, request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    category = category_of(request)
    context = await run_in_threadpool(progress_context, state.home, category)
    return page(
        state,
        "app_progress.html",
        "progress",
        categories=CATEGORIES,
        category=category or "",
        progress_heading="By date and by measure",
        **context,
    )


def progress_context(home: Path, category: str | None) -> dict[str, Any]:
    """`practice progress`'s figures (`progress.load`) in the report's progress view (its
    charts included), with the questions retried and the stories rehearsed."""
    from practice.history import progress as pg
    from practice.history.report import progress_view

    prog = pg.load(home, category=category)
    if prog.attempts == 0:
        return {"attempts": 0, "progress": None, "span": "", "repeated": []}
    view = progress_view((), prog)
    repeated = []
    for title, items in (
        ("Questions you retried", [q for q in (prog.by_question or {}).values() if q.attempts > 1]),
        ("Stories you rehearsed", list((prog.by_story or {}).values())),
    ):
        if items:
            repeated.append(
                {
                    "title": title,
                    "rows": [
                        {
                            "text": q.text,
                            "attempts": q.attempts,
                            "first": f"{q.first.value:.0f}",
                            "best": f"{q.best.value:.0f} on {pg.short_date(q.best.date)}",
                            "latest": f"{q.latest.value:.0f}",
                        }
                        for q in items
                    ],
                }
            )
    span = ""
    if prog.first_date and prog.last_date:
        first, last = pg.short_date(prog.first_date), pg.short_date(prog.last_date)
        span = first if first == last else f"{first} to {last}"
    return {"attempts": prog.attempts, "progress": view, "span": span, "repeated": repeated}


# -- the question bank ----------------------------------------------------------------------------


async def questions_page(state: State, request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    groups = await run_in_threadpool(questions_context, state.home)
    return page(state, "app_questions.html", "practice", groups=groups)


def questions_context(home: Path) -> list[dict[str, Any]]:
    """The bank (`practice questions list`: the shipped questions and the user's own) by
    category, each with how often it has been answered."""
    from practice.history.store import History
    from practice.journey import questions

    bank = questions.load_bank(questions.user_bank_dirs(home))
    with History.open(home) as h:
        counts = h.count_by_question()
    return [
        {
            "category": category,
            "questions": [
                {
                    "id": q.id,
                    "text": q.text,
                    "seconds": f"{q.target_seconds[0]}–{q.target_seconds[1]} s"
                    if q.target_seconds
                    else "",
                    "answered": counts.get(q.id or q.text, 0),
                }
                for q in bank
                if q.category == category
            ],
        }
        for category in CATEGORIES
        if any(q.category == category for q in bank)
    ]
