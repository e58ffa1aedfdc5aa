"""The app's pages for the work between takes: the story bank, job prep and the journal
(outcomes, the diagnosis, the next practice set, note drafts). Each is a thin view over the
journey functions the CLI's `stories`, `prep`, `outcome`, `diagnose`, `plan` and `note` call.

Routes (behind `guard.Guard`; a POST also needs the page's own Origin):
  GET  /stories               the kept stories, and a form to keep a new one
  POST /stories               keep a story typed in its STAR parts
  GET  /stories/ID            one story in full, with its practice record and an edit form
  POST /stories/ID            change its title, parts or skills
  POST /stories/ID/delete     delete it (its attempts stay in the history)
  GET  /prep                  a form for a job posting
  POST /prep                  the posting against the stories: requirements, gaps, questions
  GET  /journal               outcomes, diagnosis, next practice set, note drafts
  POST /journal/outcomes      log an outcome
  POST /journal/outcomes/ID/delete
  POST /journal/note          draft a thank-you or feedback-request note
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from practice.core.errors import PracticeError
from practice.web.views import form, see_other

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from practice.core.records import Story
    from practice.web.views import State

PLAN_SIZE = 5  # questions in the journal's next practice set, as `practice plan`


# -- stories --------------------------------------------------------------------------------------


def _record_text(story: Story) -> str:
    r = story.record
    if not r.attempts:
        return "not rehearsed yet"
    return (
        f"{r.attempts} attempt{'s' if r.attempts != 1 else ''}, best {r.best_score}, "
        f"latest {r.latest_score}, last {(r.last_practised or '')[:10]}"
    )


def stories_context(home: Path) -> dict[str, Any]:
    from practice.journey.stories import StoryBank

    with StoryBank.open(home) as bank:
        kept = bank.stories()
    return {
        "stories": [
            {
                "id": s.id,
                "title": s.title,
                "skills": ", ".join(s.skills) or "no skills yet",
                "record": _record_text(s),
                "quantified": s.quantified_result is not None,
            }
            for s in kept
        ]
    }


async def stories_page(state: State, request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    from practice.web.views import page

    context = await run_in_threadpool(stories_context, state.home)
    return page(state, "app_stories.html", "stories", error="", typed={}, **context)


async def story_add(state: State, request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    from practice.core.errors import InputError
    from practice.journey import stories as st
    from practice.web.views import page

    typed: dict[str, str] = {}
    try:
        typed = await form(request)
        parts = {k: typed.get(k, "") for k in ("situation", "task", "actions", "result")}
        skills = tuple(s for s in typed.get("skills", "").split(",") if s.strip())
        story = st.typed_story(title=typed.get("title", ""), skills=skills, **parts)
        if not story.text.strip():
            raise InputError("The story is empty; give at least one of its parts.")

        def keep() -> Story:
            with st.StoryBank.open(state.home) as bank:
                return bank.add(story)

        kept = await run_in_threadpool(keep)
    except PracticeError as e:
        context = await run_in_threadpool(stories_context, state.home)
        return page(
            state, "app_stories.html", "stories", status=400, error=str(e), typed=typed, **context
        )
    return see_other(f"/stories/{kept.id}")


async def story_page(state: State, request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    from practice.journey.stories import StoryBank
    from practice.web.views import page, problem

    def get() -> Story:
        with StoryBank.open(state.home) as bank:
            return bank.get(request.path_params["id"])

    try:
        story = await run_in_threadpool(get)
    except PracticeError as e:
        return problem(state, str(e))
    parts = [(name.capitalize(), getattr(story, name)) for name in ("situation", "task")]
    parts += [("Actions", story.actions), ("Result", story.result)]
    return page(
        state, "app_story.html", "stories", story=story, parts=parts, record=_record_text(story)
    )


async def story_edit(state: State, request: Request) -> Response:
    """`practice stories edit ID`: the parts, title and skills as the form has them now."""
    from starlette.concurrency import run_in_threadpool

    from practice.journey.stories import StoryBank
    from practice.web.views import problem

    try:
        typed = await form(request)
        changes: dict[str, Any] = {
            k: typed.get(k, "").strip() for k in ("title", "situation", "task", "actions", "result")
        }
        changes["skills"] = tuple(s for s in typed.get("skills", "").split(",") if s.strip())

        def update() -> Story:
            with StoryBank.open(state.home) as bank:
                return bank.update(request.path_params["id"], **changes)

        updated = await run_in_threadpool(update)
    except PracticeError as e:
        return problem(state, str(e), status=400)
    return see_other(f"/stories/{updated.id}")


async def story_delete(state: State, request: Request) -> Response:
    """Delete a story once the box is ticked (`practice stories delete` asks to confirm)."""
    from starlette.concurrency import run_in_threadpool

    from practice.core.errors import InputError
    from practice.journey.stories import StoryBank
    from practice.web.views import problem

    def delete() -> None:
        with StoryBank.open(state.home) as bank:
            bank.delete(request.path_params["id"])

    try:
        if (await form(request)).get("confirm") != "yes":
            raise InputError("Tick the box to confirm, then press Delete again.")
        await run_in_threadpool(delete)
    except PracticeError as e:
        return problem(state, str(e), status=400 if isinstance(e, InputError) else 404)
    return see_other("/stories")


# -- prep -----------------------------------------------------------------------------------------


async def prep_page(state: State, request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    from practice.journey.prep import prepare_at
    from practice.web.views import page

    posting, result, error, status = "", None, "", 200
    if request.method == "POST":
        try:
            posting = (await form(request)).get("posting", "")
            result = await run_in_threadpool(prepare_at, state.home, posting)
        except PracticeError as e:
            error, status = str(e), 400
    return page(
        state,
        "app_prep.html",
        "prep",
        status=status,
        posting=posting,
        prep=result,
        error=error,
        percent=None if result is None else round(result.coverage * 100),
    )


# -- the journal ----------------------------------------------------------------------------------


def journal_context(home: Path) -> dict[str, Any]:
    """The outcomes newest first, the diagnosis and the next practice set."""
    from practice.history.store import History
    from practice.journey.diagnose import next_plan
    from practice.journey.outcomes import list_outcomes

    with History.open(home) as h:
        outcomes = list_outcomes(h)
    diagnosis, plan = next_plan(home, PLAN_SIZE)
    return {"outcomes": outcomes, "diagnosis": diagnosis, "plan": plan}


async def journal_page(
    state: State,
    request: Request,
    *,
    status: int = 200,
    error: str = "",
    note: str = "",
    typed: dict[str, str] | None = None,
) -> Response:
    from starlette.concurrency import run_in_threadpool

    from practice.core.records import RESULTS, STAGES
    from practice.journey.notes import KINDS
    from practice.web.views import page

    context = await run_in_threadpool(journal_context, state.home)
    return page(
        state,
        "app_journal.html",
        "journal",
        status=status,
        error=error,
        note=note,
        typed=typed or {},
        stages=STAGES,
        results=RESULTS,
        kinds=KINDS,
        **context,
    )


async def outcome_add(state: State, request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    from practice.history.store import History
    from practice.journey.outcomes import add_outcome

    typed: dict[str, str] = {}
    try:
        typed = await form(request)

        def add() -> None:
            with History.open(state.home) as h:
                add_outcome(
                    h,
                    company=typed.get("company", ""),
                    role=typed.get("role", ""),
                    stage=typed.get("stage", ""),
                    result=typed.get("result", ""),
                    date=typed.get("date") or None,
                    notes=typed.get("notes") or None,
                )

        await run_in_threadpool(add)
    except PracticeError as e:
        return await journal_page(state, request, status=400, error=str(e), typed=typed)
    return see_other("/journal")


async def outcome_delete(state: State, request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    from practice.history.store import History
    from practice.journey.outcomes import delete_outcome

    def delete() -> None:
        with History.open(state.home) as h:
            delete_outcome(h, request.path_params["id"])

    try:
        await run_in_threadpool(delete)
    except PracticeError as e:
        return await journal_page(state, request, status=404, error=str(e))
    return see_other("/journal")


async def note_draft(state: State, request: Request) -> Response:
    """A note drafted as `practice note KIND` drafts it, shown for copying (nothing saved)."""
    from practice.journey import notes

    typed: dict[str, str] = {}
    try:
        typed = await form(request)
        text = notes.draft(
            typed.get("kind", ""),
            company=typed.get("note_company", ""),
            role=typed.get("note_role", ""),
            interviewer=typed.get("interviewer") or None,
            points=notes.split_points([typed.get("points", "")]),
        )
    except PracticeError as e:
        return await journal_page(state, request, status=400, error=str(e), typed=typed)
    return await journal_page(state, request, note=text, typed=typed)
