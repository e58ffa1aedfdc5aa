"""`practice app`: the practice page served on 127.0.0.1, over the same use cases as the CLI.

Routes (every one behind `guard.Guard`):
  GET  /                      the practice page (?category=C, ?question=ID, ?retry=ID)
  WS   /take?ticket=T         one live take: JSON control messages and binary 16-bit PCM
  POST /attempts/ID/discard   take a just-saved attempt back out of the history
  POST /attempts/ID/story     keep a saved attempt in the story bank
  POST /leftovers/analyse     analyse and keep the takes an earlier session left unfinished
  POST /leftovers/delete      or throw them away
  GET  /speech?ticket=T       the question of a ticket read aloud, as WAV (the `voice` setting)
  GET  /static/...            the page's script and style, shipped in the package
  and the pages for looking back (practice/web/views.py): /attempts/ID, /history, /progress,
  and for the work between takes (practice/web/between.py): /stories, /prep, /journal,
  and the mock interview (practice/web/interview.py): /interview

The take protocol: the page sends {"type": "start", "sample_rate": HZ}, then binary frames of
16-bit little-endian mono PCM at that rate, then {"type": "stop"}. The server answers
{"type": "recording"}, {"type": "level", ...} about ten times a second, {"type": "full"} at
the length limit, {"type": "analysing"}, then {"type": "feedback", "id", "overall", "html"}
or {"type": "error", "message"}.

Follow-up questions (`ask --follow-up`, `interview`): a start message with "follow_up": true
asks for one. After a main answer's feedback the server sends {"type": "follow_up",
"question": null} when the answer left nothing to ask about, or {"type": "follow_up", "ticket",
"question", "asked_because", "gap", "target_low", "target_high"}: the ticket of the follow-up,
recorded like any take. Its feedback carries "follow_up_of" (the main answer's id) and
"filled" (did the answer supply what the main one lacked?).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from practice.core.errors import PracticeError
from practice.web.views import NAV, headers

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.websockets import WebSocket

    from practice.app.follow_ups import FollowUpResult
    from practice.core.records import Attempt, Story
    from practice.core.results import Analysis, Question
    from practice.journey.follow_up import FollowUp
    from practice.speech.warmup import ModelLoader
    from practice.web.live import LiveTake, Rules

STATIC = Path(__file__).resolve().parent / "static"
LEVEL_PERIOD_S = 0.1  # seconds between level messages to the page
MAX_TICKETS = 100  # questions shown and not yet answered, kept for their sockets
MAX_FRAME_BYTES = 1 << 20  # one PCM frame: about 5 s at 96 kHz; a page sends 0.1 s
MAX_QUESTION_CHARS = 500  # a question given in the address: a sentence or two
CATEGORIES = ("success-story", "fit", "background", "red-flag", "closing")


@dataclass(frozen=True)
class Ticket:
    """A question shown and not yet answered: what its take is asked, compared with and part
    of (a mock interview's session, and its place in it)."""

    question: Question
    before: Attempt | None = None  # the attempt a retry is compared with
    session_id: int | None = None
    number: int = 0  # 1-based place in the interview; 0 outside one
    total: int = 0
    story: Story | None = None  # the kept story rehearsed (`practice ask --story`)
    follow_up: FollowUp | None = None  # for a follow-up question: why it is asked
    main: Analysis | None = None  # and the kept main answer it follows up


@dataclass
class State:
    """What the server holds between requests."""

    home: Path
    port: int
    rules: Rules
    loader: ModelLoader | None
    tickets: dict[str, Ticket] = field(default_factory=dict)
    recording: threading.Lock = field(default_factory=threading.Lock)  # one take at a time
    # A mock interview's questions with their tickets, by session id.
    interviews: dict[int, list[tuple[str, Question]]] = field(default_factory=dict)

    def ticket(
        self,
        question: Question,
        before: Attempt | None,
        *,
        session_id: int | None = None,
        number: int = 0,
        total: int = 0,
        story: Story | None = None,
        follow_up: FollowUp | None = None,
        main: Analysis | None = None,
    ) -> str:
        while len(self.tickets) >= MAX_TICKETS:
            self.tickets.pop(next(iter(self.tickets)))
        t = secrets.token_urlsafe(12)
        self.tickets[t] = Ticket(
            question, before, session_id, number, total, story, follow_up, main
        )
        return t


def create_app(
    home: Path, *, token: str, port: int, warm: bool = True, rules: Rules | None = None
) -> Starlette:
    """The ASGI app for `home`, answering only on 127.0.0.1:`port` with `token`. `warm` starts
    loading the speech model at once, so the first take's words come while it is spoken."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.routing import Mount, Route, WebSocketRoute
    from starlette.staticfiles import StaticFiles

    from practice.web import between, interview, live, views
    from practice.web.guard import Guard

    chosen = rules or live.rules(home)
    loader = None
    if warm:
        from practice.speech import warmup

        loader = warmup.start(home, chosen.engine, chosen.model)
        threading.Thread(target=_warm_judgment, args=(loader,), daemon=True).start()
    state = State(home=home, port=port, rules=chosen, loader=loader)

    async def page(request: Request) -> Response:
        return await _practice_page(state, request)

    async def take(websocket: WebSocket) -> None:
        await _take(state, websocket)

    async def discard(request: Request) -> Response:
        return await _discard(state, request)

    async def story(request: Request) -> Response:
        return await _story(state, request)

    async def leftovers(request: Request) -> Response:
        return await _leftovers(state, request)

    async def speech(request: Request) -> Response:
        return await _speech(state, request)

    def bound(
        view: Callable[[State, Request], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        """A page's view with the server's state: the route's endpoint."""

        async def endpoint(request: Request) -> Response:
            return await view(state, request)

        return endpoint

    return Starlette(
        routes=[
            Route("/", page),
            WebSocketRoute("/take", take),
            Route("/attempts/{id:int}/discard", discard, methods=["POST"]),
            Route("/attempts/{id:int}/story", story, methods=["POST"]),
            Route("/leftovers/{action:str}", leftovers, methods=["POST"]),
            Route("/speech", speech),
            Route("/attempts/{id:int}", bound(views.attempt_page)),
            Route("/attempts/{id:int}/audio", bound(views.attempt_audio)),
            Route("/attempts/{id:int}/delete", bound(views.attempt_delete), methods=["POST"]),
            Route("/attempts/{id:int}/keep", bound(views.attempt_keep), methods=["POST"]),
            Route("/history", bound(views.history_page)),
            Route("/progress", bound(views.progress_page)),
            Route("/questions", bound(views.questions_page)),
            Route("/interview", bound(interview.start_page)),
            Route("/interview", bound(interview.start), methods=["POST"]),
            Route("/interview/{id:int}", bound(interview.interview_page)),
            Route("/interview/{id:int}/summary", bound(interview.summary_page)),
            Route("/stories", bound(between.stories_page)),
            Route("/stories", bound(between.story_add), methods=["POST"]),
            Route("/stories/{id:int}", bound(between.story_page)),
            Route("/stories/{id:int}", bound(between.story_edit), methods=["POST"]),
            Route("/stories/{id:int}/delete", bound(between.story_delete), methods=["POST"]),
            Route("/prep", bound(between.prep_page), methods=["GET", "POST"]),
            Route("/journal", bound(between.journal_page)),
            Route("/journal/outcomes", bound(between.outcome_add), methods=["POST"]),
            Route(
                "/journal/outcomes/{id:int}/delete",
                bound(between.outcome_delete),
                methods=["POST"],
            ),
            Route("/journal/note", bound(between.note_draft), methods=["POST"]),
            # The report's player script, from the templates it shares with the report.
            Route("/static/report.js", bound(views.report_script)),
            Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[Middleware(Guard, token=token, port=port)],  # type: ignore[arg-type]
    )


def _warm_judgment(loader: ModelLoader) -> None:
    """After the speech model, the judgment's models: both ready before the first Stop."""
    import contextlib

    from practice.app.rehearse import warm_up_judgment

    loader.join()
    with contextlib.suppress(Exception):  # a real take reports the same failure in one line
        warm_up_judgment()


def _headers(state: State) -> dict[str, str]:
    return headers(state)


async def _practice_page(state: State, request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import HTMLResponse

    from practice.app import takes as tk
    from practice.app.rehearse import choose_question, story_and_question
    from practice.core import pages

    category = request.query_params.get("category") or None
    question_id = request.query_params.get("question") or None
    # A question's own words: from a job posting's prep, which asks what no bank holds.
    question_text = (request.query_params.get("text") or "").strip()[:MAX_QUESTION_CHARS] or None
    retry = request.query_params.get("retry") or None
    if category not in (None, *CATEGORIES):
        category = None
    story_id = request.query_params.get("story") or None
    error = ""
    story = None
    try:
        if story_id is not None:
            story, question = await run_in_threadpool(
                story_and_question, state.home, story_id, question_id, question_text
            )
            before = None
        else:
            question, before = await run_in_threadpool(
                choose_question, state.home, question_id, question_text, category, retry
            )
    except PracticeError as e:
        error = str(e)
        question, before = await run_in_threadpool(
            choose_question, state.home, None, None, None, None
        )
    leftovers = len(tk.leftovers(tk.takes_dir(state.home)))
    html = pages.render(
        "app_practice.html",
        nav=NAV,
        current="practice",
        question=question,
        ticket=state.ticket(question, before, story=story),
        before=before,
        story=story,
        categories=CATEGORIES,
        category=category or "",
        error=error,
        leftovers=leftovers,
        max_seconds=state.rules.max_seconds,
        follow_ups=request.query_params.get("follow_up") == "on",  # off by default, as `ask`
    )
    return HTMLResponse(html, headers=_headers(state))


def feedback_html(
    saved: Analysis,
    diff: dict[str, Any] | None,
    story_offer: bool,
    told: list[str] | None = None,
) -> str:
    """The feedback region's content for a kept attempt (escaped by the template); `told`:
    for a rehearsed story, its lines on what the telling left out (`comparison_lines`)."""
    from practice.app.rehearse import COMPARED
    from practice.core import pages

    dims = []
    for key, label in COMPARED[1:]:
        dim = getattr(saved.scores, key)
        if dim is not None:
            dims.append({"label": label, "score": dim.score, "reason": dim.reason})
    fillers = {w.text.strip().strip(".,?!;:").lower() for w in saved.transcript.words if w.filler}
    return pages.render(
        "app_feedback.html",
        a=saved,
        dims=dims,
        diff=diff,
        compared=COMPARED,
        fillers=fillers,
        story_offer=story_offer,
        told=told or [],
    )


def follow_up_html(result: FollowUpResult) -> str:
    """The feedback on a follow-up's answer: what was asked and why, what was said, and
    whether it supplied what the main answer lacked (escaped by the template)."""
    from practice.core import pages
    from practice.journey.follow_up import SUPPLIES

    return pages.render(
        "app_follow_up.html", r=result, a=result.attempt, wanted=SUPPLIES[result.follow_up.gap]
    )


def _analyse(state: State, live_take: LiveTake, ticket: Ticket) -> tuple[dict[str, Any], Analysis]:
    """Runs in a worker thread: analyse, keep, and render the feedback (for an interview's
    answer also the one line `practice interview` prints after it); the kept attempt too."""
    from practice.app.rehearse import changes, story_feedback, worth_keeping_as_story

    stopped = time.monotonic()
    story = ticket.story
    main = ticket.main if ticket.follow_up is not None else None
    saved = live_take.analyse(
        session_id=ticket.session_id,
        story_id=story.id if story is not None else None,
        follow_up_of=main.id if main is not None else None,
    )
    if ticket.follow_up is not None and main is not None:
        return _answered_follow_up(ticket, ticket.follow_up, main, saved, stopped), saved
    before = ticket.before
    diff = changes(before.analysis, saved) if before is not None else None
    told = None
    if story is not None:
        from practice.journey.stories import comparison_lines

        told = comparison_lines(story, story_feedback(story, saved))
    # A rehearsal of a kept story is not offered to the story bank again.
    html = feedback_html(saved, diff, story is None and worth_keeping_as_story(saved), told)
    message = {
        "type": "feedback",
        "id": saved.id,
        "overall": saved.scores.overall,
        "latency_s": round(time.monotonic() - stopped, 3),
        "html": html,
    }
    if ticket.session_id is not None:
        from practice.journey.interview import answer_line

        message["line"] = answer_line(ticket.number, ticket.total, saved)
    return message, saved


def _answered_follow_up(
    ticket: Ticket, chosen: FollowUp, main: Analysis, saved: Analysis, stopped: float
) -> dict[str, Any]:
    """The feedback message on a follow-up's answer: the pair judged as `ask --follow-up`
    judges it."""
    from practice.app import follow_ups
    from practice.journey.follow_up import SUPPLIES

    filled = follow_ups.judge_pair(main, saved, chosen)
    result = follow_ups.FollowUpResult(chosen, main.id, saved, filled=filled)
    message: dict[str, Any] = {
        "type": "feedback",
        "id": saved.id,
        "overall": saved.scores.overall,
        "latency_s": round(time.monotonic() - stopped, 3),
        "html": follow_up_html(result),
        "follow_up_of": main.id,
        "filled": filled,
    }
    if ticket.session_id is not None:
        verdict = "gave" if filled else "still lacked"
        message["line"] = (  # beside answer_line's "Q1/5 · overall 72 ..."
            f"Q{ticket.number}/{ticket.total} follow-up · {verdict} {SUPPLIES[chosen.gap]} "
            f"· overall {saved.scores.overall}"
        )
    return message


def _offer_follow_up(state: State, ticket: Ticket, main: Analysis) -> dict[str, Any]:
    """Runs in a worker thread after a main answer's feedback: the follow-up it calls for,
    with the ticket its answer is recorded under, or "question": null."""
    from practice.app import follow_ups

    try:
        chosen = follow_ups.choose(state.home, main)
    except PracticeError as e:
        return {"type": "follow_up", "question": None, "message": str(e)}
    if chosen is None:
        return {"type": "follow_up", "question": None}
    question = follow_ups.as_question(chosen)
    low, high = question.target_seconds or ("", "")
    t = state.ticket(
        question,
        None,
        session_id=ticket.session_id,
        number=ticket.number,
        total=ticket.total,
        follow_up=chosen,
        main=main,
    )
    return {
        "type": "follow_up",
        "ticket": t,
        "question": chosen.question,
        "asked_because": chosen.asked_because,
        "gap": chosen.gap,
        "target_low": low,
        "target_high": high,
    }


async def _take(state: State, websocket: WebSocket) -> None:
    from starlette.concurrency import run_in_threadpool
    from starlette.websockets import WebSocketDisconnect

    from practice.speech.transcribe import join_words  # as the saved transcript joins them
    from practice.web.live import LiveTake, level_message

    ticket_key = websocket.query_params.get("ticket", "")
    ticket = state.tickets.get(ticket_key)
    await websocket.accept()
    if ticket is None:
        await _fail(websocket, "This page is out of date; reload it to get a question.")
        return
    if not state.recording.acquire(blocking=False):
        await _fail(
            websocket, "Another tab is recording; stop that take first, then press Record here."
        )
        return
    live_take: LiveTake | None = None
    stopped = False
    try:
        start = _control(await websocket.receive())
        if start.get("type") != "start" or not isinstance(start.get("sample_rate"), int | float):
            await _fail(websocket, 'The page must begin a take with {"type": "start"}.')
            return
        # A follow-up is asked after a main answer only, never after a follow-up's.
        follow_up = start.get("follow_up") is True and ticket.follow_up is None
        if follow_up:  # a broken wordings file of the user's fails now, not after the answer
            from practice.journey.follow_up import load_bank

            await run_in_threadpool(load_bank, state.home)
        live_take = await run_in_threadpool(
            LiveTake,
            state.home,
            ticket.question,
            int(start["sample_rate"]),
            state.rules,
            state.loader,
        )
        await websocket.send_json({"type": "recording", "path": live_take.path.name})
        next_level = 0.0
        shown_words = -1
        said_full = False
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            data = message.get("bytes")
            if data is not None:
                if len(data) > MAX_FRAME_BYTES:
                    await _fail(websocket, "An audio frame was too large; the take is kept.")
                    break
                level = live_take.feed(data)
                if live_take.full and not said_full:
                    said_full = True  # the page stops the take; what else comes is dropped
                    await websocket.send_json({"type": "full"})
                if level is not None and time.monotonic() >= next_level:
                    next_level = time.monotonic() + LEVEL_PERIOD_S
                    words = live_take.words()
                    changed = len(words) != shown_words
                    text = join_words([w.text for w in words]) if changed else None
                    shown_words = len(words)
                    await websocket.send_json(level_message(level, words, text))
                continue
            if _control(message).get("type") == "stop":
                stopped = True
                break
        if not stopped:
            return
        await run_in_threadpool(live_take.stop)
        await websocket.send_json({"type": "analysing"})
        try:
            result, saved = await run_in_threadpool(_analyse, state, live_take, ticket)
        except PracticeError as e:
            await _fail(websocket, str(e))
            return
        if ticket.follow_up is not None:
            state.tickets.pop(ticket_key, None)  # one answer to each follow-up
        await websocket.send_json(result)
        if follow_up:
            offer = await run_in_threadpool(_offer_follow_up, state, ticket, saved)
            await websocket.send_json(offer)
        await websocket.close()
    except WebSocketDisconnect:
        pass
    except PracticeError as e:
        await _fail(websocket, str(e))
    finally:
        if live_take is not None and not stopped:
            await run_in_threadpool(live_take.abandon)  # kept as a left-over take
        state.recording.release()


def _control(message: Any) -> dict[str, Any]:
    """A text frame's JSON object; {} for anything else (binary, not JSON, not an object)."""
    try:
        control = json.loads(message.get("text") or "{}")
    except ValueError:
        return {}
    return control if isinstance(control, dict) else {}


async def _fail(websocket: WebSocket, message: str) -> None:
    from starlette.websockets import WebSocketDisconnect

    try:
        await websocket.send_json({"type": "error", "message": message})
        await websocket.close(code=1000)
    except (WebSocketDisconnect, RuntimeError):
        pass  # the page is gone already


async def _discard(state: State, request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    from practice.app.rehearse import discard_attempt

    attempt_id = int(request.path_params["id"])
    try:
        await run_in_threadpool(discard_attempt, state.home, attempt_id)
    except PracticeError as e:
        return JSONResponse({"error": str(e)}, status_code=404, headers=_headers(state))
    return JSONResponse({"message": f"Attempt #{attempt_id} discarded."}, headers=_headers(state))


async def _story(state: State, request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    from practice.app.rehearse import keep_attempt_as_story

    attempt_id = int(request.path_params["id"])
    try:
        kept = await run_in_threadpool(keep_attempt_as_story, state.home, attempt_id)
    except PracticeError as e:
        return JSONResponse({"error": str(e)}, status_code=404, headers=_headers(state))
    return JSONResponse(
        {"message": f'Kept as story #{kept.id} "{kept.title}".', "story_id": kept.id},
        headers=_headers(state),
    )


async def _leftovers(state: State, request: Request) -> Response:
    """Analyse (and keep) or delete every left-over take, one line for each."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    from practice.app import takes as tk
    from practice.app.rehearse import keep_leftover

    action = request.path_params["action"]
    if action not in ("analyse", "delete"):
        return JSONResponse({"error": f"No such action: {action}."}, 404, _headers(state))
    if not state.recording.acquire(blocking=False):
        return JSONResponse(
            {"error": "A take is being recorded or analysed; try again when it is done."},
            409,
            _headers(state),
        )

    def run() -> list[str]:
        lines = []
        for take in tk.leftovers(tk.takes_dir(state.home)):
            if action == "delete":
                tk.delete_leftover(take)
                lines.append(f"{take.name}: deleted.")
                continue
            try:
                saved = keep_leftover(
                    state.home, take, engine=state.rules.engine, model=state.rules.model
                )
            except PracticeError as e:
                lines.append(f"{take.name}: {e}")
            else:
                lines.append(
                    f"{take.name}: saved as attempt #{saved.id}, overall {saved.scores.overall}."
                )
        return lines

    try:
        lines = await run_in_threadpool(run)
    finally:
        state.recording.release()
    return JSONResponse({"message": " ".join(lines), "lines": lines}, headers=_headers(state))


async def _speech(state: State, request: Request) -> Response:
    """The question of a ticket (one this server showed) read aloud, as WAV."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse
    from starlette.responses import Response as Plain

    from practice.app.spoken import question_wav

    ticket = state.tickets.get(request.query_params.get("ticket", ""))
    if ticket is None:
        return JSONResponse(
            {"error": "This page is out of date; reload it to get a question."},
            404,
            _headers(state),
        )
    try:
        wav = await run_in_threadpool(question_wav, state.home, ticket.question.text)
    except PracticeError as e:
        return JSONResponse({"error": str(e)}, 503, _headers(state))
    return Plain(wav, media_type="audio/wav", headers=_headers(state))


def serve(home: Path, *, port: int, open_browser: bool, announce: Any) -> None:
    """Serve until Ctrl-C. `announce(url)` is called once the socket listens, before any
    request can arrive."""
    import socket

    import uvicorn

    from practice.web.guard import new_token

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as e:
        sock.close()
        from practice.core.errors import InputError

        raise InputError(
            f"Cannot listen on 127.0.0.1:{port} ({e.strerror or e}); choose another "
            "with --port, or --port 0 for any free one."
        ) from e
    sock.listen(128)  # connections wait in the backlog from now on, even before uvicorn runs
    port = sock.getsockname()[1]
    token = new_token()
    app = create_app(home, token=token, port=port)
    url = f"http://127.0.0.1:{port}/?token={token}"
    announce(url)
    if open_browser:
        import webbrowser

        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    config = uvicorn.Config(
        app,
        log_level="warning",
        timeout_graceful_shutdown=3,
        ws_max_size=MAX_FRAME_BYTES,
        lifespan="off",
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn has shut down cleanly, then passes Ctrl-C on: the normal way to stop
