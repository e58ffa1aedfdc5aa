"""The browser app's safety, with Starlette's TestClient: every request needs the token, the
server answers only to its own Host, and sockets and POSTs only to its own Origin. No model:
takes here are recorded and abandoned, or refused, never analysed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from starlette.testclient import TestClient  # noqa: E402
from starlette.websockets import WebSocketDisconnect  # noqa: E402

from practice.app import takes as tk  # noqa: E402
from practice.web import guard  # noqa: E402
from practice.web.live import LiveTake, Rules  # noqa: E402
from practice.web.server import create_app  # noqa: E402

PORT = 8765
TOKEN = "t0ken-for-tests"
ORIGIN = f"http://127.0.0.1:{PORT}"
WS = f"ws://127.0.0.1:{PORT}"
# No live transcriber (that engine is not streamed), so nothing loads a model.
RULES = Rules(engine="openai-whisper", model=None, max_seconds=300)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


@pytest.fixture
def client(home: Path) -> TestClient:
    app = create_app(home, token=TOKEN, port=PORT, warm=False, rules=RULES)
    return TestClient(app, base_url=f"http://127.0.0.1:{PORT}")


def signed_in(client: TestClient) -> TestClient:
    r = client.get(f"/?token={TOKEN}")
    assert r.status_code == 200
    return client


# -- the pure checks ----------------------------------------------------------------------------


def test_the_checks_accept_only_the_servers_own_names_and_the_token() -> None:
    assert guard.host_ok("127.0.0.1:8765", 8765) and guard.host_ok("localhost:8765", 8765)
    for host in (None, "", "127.0.0.1", "127.0.0.1:8766", "evil.example:8765", "0.0.0.0:8765"):
        assert not guard.host_ok(host, 8765), host
    assert guard.origin_ok("http://localhost:8765", 8765)
    for origin in (
        None,
        "null",
        "http://evil.example",
        "https://127.0.0.1:8765",
        "http://127.0.0.1",
    ):
        assert not guard.origin_ok(origin, 8765), origin
    assert guard.token_ok("abc", "abc")
    assert not guard.token_ok("abd", "abc") and not guard.token_ok(None, "abc")
    assert not guard.token_ok("", "abc")
    a, b = guard.new_token(), guard.new_token()
    assert a != b and len(a) >= 40


# -- token ----------------------------------------------------------------------------------


def test_no_token_or_a_wrong_one_gets_403_and_one_line(client: TestClient) -> None:
    for url in ("/", "/?token=wrong", "/static/practice.js", "/?token="):
        r = client.get(url)
        assert r.status_code == 403, url
        assert r.text.count("\n") == 1 and "printed in the terminal" in r.text
        assert "set-cookie" not in r.headers
    client.cookies.set(guard.cookie_name(PORT), "wrong")
    assert client.get("/").status_code == 403


def test_the_token_is_traded_for_a_strict_httponly_cookie(client: TestClient) -> None:
    r = client.get(f"/?token={TOKEN}")
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{guard.cookie_name(PORT)}={TOKEN};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # From now on the cookie alone is enough, for the page and its static files.
    assert client.get("/").status_code == 200
    js = client.get("/static/practice.js")
    assert js.status_code == 200 and "getUserMedia" in js.text
    assert client.get("/static/pcm-worklet.js").status_code == 200


def test_the_page_allows_only_its_own_script_and_style(client: TestClient) -> None:
    r = signed_in(client).get("/")
    policy = r.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert f"ws://127.0.0.1:{PORT}" in policy
    html = r.text
    assert "<script>" not in html and " style=" not in html  # nothing inline
    assert "http://" not in html.replace(f"http://127.0.0.1:{PORT}", "")  # nothing external
    assert 'id="record"' in html and ">Record</button>" in html
    assert 'aria-label="Feedback"' in html


# -- Host (DNS rebinding) ---------------------------------------------------------------------


def test_another_host_is_refused_even_with_the_token(client: TestClient) -> None:
    for host in ("evil.example:8765", "127.0.0.1:9999", "localhost", "[::1]:8765"):
        r = client.get(f"/?token={TOKEN}", headers={"host": host})
        assert r.status_code == 403, host
    assert client.get(f"/?token={TOKEN}", headers={"host": f"localhost:{PORT}"}).status_code == 200


# -- Origin (CSRF) ----------------------------------------------------------------------------


def test_a_post_from_another_origin_or_none_is_refused(client: TestClient) -> None:
    signed_in(client)
    for headers in ({}, {"origin": "http://evil.example"}, {"origin": "null"}):
        r = client.post("/attempts/1/discard", headers=headers)
        assert r.status_code == 403, headers
    # The page's own origin passes the guard (and there is no attempt 1 to discard).
    r = client.post("/attempts/1/discard", headers={"origin": ORIGIN})
    assert r.status_code == 404 and "error" in r.json()


def test_a_websocket_from_another_origin_or_without_the_token_is_refused(
    client: TestClient, home: Path
) -> None:
    signed_in(client)
    for headers in ({"origin": "http://evil.example"}, {}):
        with (
            pytest.raises(WebSocketDisconnect),
            client.websocket_connect(f"{WS}/take", headers=headers),
        ):
            pass
    fresh = TestClient(client.app, base_url=f"http://127.0.0.1:{PORT}")  # no cookie
    with (
        pytest.raises(WebSocketDisconnect),
        fresh.websocket_connect(f"{WS}/take", headers={"origin": ORIGIN}),
    ):
        pass
    assert not list(tk.takes_dir(home).iterdir())  # nothing was recorded


# -- the take ---------------------------------------------------------------------------------


def ticket(client: TestClient) -> str:
    html = client.get("/").text
    return html.split('data-ticket="', 1)[1].split('"', 1)[0]


def pcm(seconds: float, rate: int = 16_000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2").tobytes()


def test_a_closed_tab_keeps_the_audio_as_a_leftover_take(client: TestClient, home: Path) -> None:
    signed_in(client)
    t = ticket(client)
    with client.websocket_connect(f"{WS}/take?ticket={t}", headers={"origin": ORIGIN}) as ws:
        ws.send_json({"type": "start", "sample_rate": 16_000})
        assert ws.receive_json()["type"] == "recording"
        for _ in range(10):
            ws.send_bytes(pcm(0.1))
        level = ws.receive_json()
        assert level["type"] == "level" and level["rms_dbfs"] > -20
    # The page went away without Stop: the take is finished on disk, its question beside it.
    left = tk.leftovers(tk.takes_dir(home))
    assert len(left) == 1 and not tk.is_partial(left[0])
    question = tk.read_question(left[0])
    assert question is not None and question.text
    import soundfile as sf

    info = sf.info(left[0])
    assert info.samplerate == 16_000 and info.frames == 16_000
    # The next page says so.
    assert "1 unfinished take(s)" in client.get("/").text
    assert 'aria-label="Unfinished takes"' in client.get("/").text


def test_a_second_tab_cannot_record_at_once(client: TestClient) -> None:
    signed_in(client)
    t = ticket(client)
    with client.websocket_connect(f"{WS}/take?ticket={t}", headers={"origin": ORIGIN}) as first:
        first.send_json({"type": "start", "sample_rate": 16_000})
        assert first.receive_json()["type"] == "recording"
        with client.websocket_connect(
            f"{WS}/take?ticket={t}", headers={"origin": ORIGIN}
        ) as second:
            message = second.receive_json()
            assert message["type"] == "error" and "Another tab" in message["message"]


def test_an_unknown_ticket_or_a_bad_start_is_one_error(client: TestClient, home: Path) -> None:
    signed_in(client)
    with client.websocket_connect(f"{WS}/take?ticket=nope", headers={"origin": ORIGIN}) as ws:
        assert "reload" in ws.receive_json()["message"]
    t = ticket(client)
    with client.websocket_connect(f"{WS}/take?ticket={t}", headers={"origin": ORIGIN}) as ws:
        ws.send_json({"type": "start", "sample_rate": 3})
        message = ws.receive_json()
        assert message["type"] == "error" and "sample rate" in message["message"]
    assert not tk.leftovers(tk.takes_dir(home))


def test_a_browser_rate_is_resampled_to_16_khz_on_disk(home: Path) -> None:
    from practice.core.results import Question

    take = LiveTake(home, Question("q", "Why this job?"), 48_000, RULES, None)
    for _ in range(10):
        take.feed(pcm(0.1, 48_000))
    take.feed(b"\x01")  # half a sample waits for the rest
    take.stop()
    import soundfile as sf

    samples, rate = sf.read(take.path)
    assert rate == 16_000 and abs(len(samples) - 16_000) <= 160
    assert 0.25 < np.max(np.abs(samples)) < 0.35
    assert tk.read_question(take.path) is not None


def test_user_text_on_the_page_is_escaped(client: TestClient, home: Path) -> None:
    from practice.core.results import Question
    from practice.journey import questions

    bank = questions.user_bank_file(home, "mine")
    questions.add_question(bank, Question("x-1", "<script>alert(1)</script> Why us?", "fit"))
    html = signed_in(client).get("/?question=x-1").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Why us?" in html
    assert "<script>alert" not in html


def test_practice_app_prints_its_address_first(tmp_path: Path) -> None:
    """`practice app --port 0 --no-browser`: the first stdout line is the URL; it serves it."""
    import httpx

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "practice",
            "--home",
            str(tmp_path / "home"),
            "app",
            "--port",
            "0",
            "--no-browser",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # No model: the background loader fails at once on a missing path.
        env={**_env(), "PRACTICE_MODEL": "/nonexistent/model"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        prefix = "practice app: http://127.0.0.1:"
        assert line.startswith(prefix) and "/?token=" in line, line
        url = line.removeprefix("practice app: ")
        r = httpx.get(url, timeout=30)
        assert r.status_code == 200 and "Record" in r.text
        assert httpx.get(url.split("?")[0], timeout=30).status_code == 403
    finally:
        proc.send_signal(2)  # Ctrl-C
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    return env


def test_the_protocol_is_json_the_page_can_read(client: TestClient) -> None:
    signed_in(client)
    t = ticket(client)
    with client.websocket_connect(f"{WS}/take?ticket={t}", headers={"origin": ORIGIN}) as ws:
        ws.send_json({"type": "start", "sample_rate": 16_000})
        first = ws.receive_text()
        assert json.loads(first)["type"] == "recording"


# -- feedback and the buttons after it ------------------------------------------------------------


def saved_attempt(home: Path, text: str = "Um, I cut costs 20%.") -> int:
    import dataclasses

    from test_store import make_analysis

    from practice.history.store import History

    a = make_analysis()
    a = dataclasses.replace(
        a,
        transcript=dataclasses.replace(a.transcript, text=text),
        structure=dataclasses.replace(
            a.structure, sentences=(dataclasses.replace(a.structure.sentences[0], text=text),)
        ),
    )
    with History.open(home) as h:
        saved = h.save(a, None)
    assert saved.id is not None
    return saved.id


def test_feedback_shows_the_score_dimensions_tip_and_labelled_transcript(home: Path) -> None:
    from practice.history.store import History
    from practice.web.server import feedback_html

    attempt_id = saved_attempt(home, "Um, I cut <img src=x onerror=alert(1)> costs 20%.")
    with History.open(home) as h:
        saved = h.get(attempt_id).analysis
    html = feedback_html(saved, None, story_offer=False)
    assert '<span class="label">Overall</span>' in html and ">72</span>" in html
    for label in ("Structure", "Delivery", "Enthusiasm", "Content"):
        assert f'<th scope="row">{label}</th>' in html
    assert "No situation." in html  # a dimension's reason
    assert "Fix this first:</strong> Open with the situation." in html
    assert '<span class="star">result</span>' in html
    assert '<mark class="filler">Um,</mark>' in html
    assert "&lt;img" in html and "<img" not in html  # the transcript is text, never markup
    for name in ("retry", "story", "discard"):
        assert f'data-action="{name}"' in html
    diff = {"compared_with": 3, "overall": [60, 72], "structure": [50, 60], "delivery": [None, 80]}
    diff |= {"enthusiasm": [70, 70], "content": [75, 75]}
    compared = feedback_html(saved, diff, story_offer=True)
    assert (
        "Compared with attempt #3" in compared
        and "Delivery</th><td" not in compared.split("Compared with")[1]
    )


def test_discard_takes_the_attempt_out_of_the_history(client: TestClient, home: Path) -> None:
    from practice.history.store import History

    attempt_id = saved_attempt(home)
    signed_in(client)
    r = client.post(f"/attempts/{attempt_id}/discard", headers={"origin": ORIGIN})
    assert r.status_code == 200 and f"#{attempt_id} discarded" in r.json()["message"]
    with History.open(home) as h:
        assert h.list() == []


def test_retry_asks_the_same_question_and_names_the_attempt(client: TestClient, home: Path) -> None:
    attempt_id = saved_attempt(home)
    html = signed_in(client).get(f"/?retry={attempt_id}").text
    assert f"retry of attempt #{attempt_id}" in html
    bad = client.get("/?retry=999").text
    assert 'role="alert"' in bad  # one error line, and a question to answer anyway


def test_keep_as_story_adds_the_attempt_to_the_story_bank(client: TestClient, home: Path) -> None:
    from practice.journey.stories import StoryBank

    attempt_id = saved_attempt(home)
    signed_in(client)
    r = client.post(f"/attempts/{attempt_id}/story", headers={"origin": ORIGIN})
    assert r.status_code == 200, r.text
    assert r.json()["message"].startswith("Kept as story #")
    with StoryBank.open(home) as bank:
        assert [s.id for s in bank.stories()] == [r.json()["story_id"]]
    assert client.post("/attempts/999/story", headers={"origin": ORIGIN}).status_code == 404


def test_a_busy_port_is_one_line_that_says_what_to_do(tmp_path: Path) -> None:
    import socket

    from practice.core.errors import InputError
    from practice.web.server import serve

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(InputError, match="--port 0"):
            serve(tmp_path, port=port, open_browser=False, announce=print)


def test_the_live_view_counts_words_pace_and_um() -> None:
    from practice.core.results import Word
    from practice.web.live import so_far

    assert so_far([]) == {"words": 0, "fillers": 0, "words_per_minute": None}
    words = [Word("um", 0.0, 0.3, 0.9, filler=True)] + [
        Word(f"w{i}", 0.5 + i * 0.4, 0.8 + i * 0.4, 0.9) for i in range(25)
    ]
    assert so_far(words) == {"words": 25, "fillers": 1, "words_per_minute": round(25 / 10.4 * 60)}
    assert so_far(words[:5])["words_per_minute"] is None  # under 5 s of speech


def leave_a_take(client: TestClient) -> None:
    t = ticket(client)
    with client.websocket_connect(f"{WS}/take?ticket={t}", headers={"origin": ORIGIN}) as ws:
        ws.send_json({"type": "start", "sample_rate": 16_000})
        assert ws.receive_json()["type"] == "recording"
        ws.send_bytes(pcm(0.5))
        ws.receive_json()


def test_leftover_takes_are_offered_back_analysed_or_deleted(
    client: TestClient, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_store import make_analysis

    from practice.app import rehearse
    from practice.history.store import History

    signed_in(client)
    leave_a_take(client)
    asked = []

    def analyse(take, *, question, **_):  # noqa: ANN001, ANN003, ANN202 - a stand-in for Whisper
        asked.append(question)
        return make_analysis()

    monkeypatch.setattr(rehearse, "analyse_take", analyse)
    r = client.post("/leftovers/analyse", headers={"origin": ORIGIN})
    assert r.status_code == 200 and "saved as attempt #1, overall 72" in r.json()["message"]
    assert asked and asked[0] is not None and asked[0].text  # the question noted beside it
    with History.open(home) as h:
        assert [a.id for a in h.list()] == [1]
    assert not tk.leftovers(tk.takes_dir(home))

    leave_a_take(client)
    r = client.post("/leftovers/delete", headers={"origin": ORIGIN})
    assert r.status_code == 200 and "deleted" in r.json()["message"]
    assert not tk.leftovers(tk.takes_dir(home))
    assert client.post("/leftovers/nope", headers={"origin": ORIGIN}).status_code == 404
    assert client.post("/leftovers/delete").status_code == 403  # no Origin


def test_a_take_that_does_not_start_with_start_is_refused(client: TestClient, home: Path) -> None:
    signed_in(client)
    for first in (b"\x00\x01", "not json", "[1, 2]"):
        t = ticket(client)
        with client.websocket_connect(f"{WS}/take?ticket={t}", headers={"origin": ORIGIN}) as ws:
            if isinstance(first, bytes):
                ws.send_bytes(first)
            else:
                ws.send_text(first)
            message = ws.receive_json()
            assert message["type"] == "error" and '"start"' in message["message"]
    assert not tk.leftovers(tk.takes_dir(home))


def test_the_length_limit_tells_the_page_and_keeps_no_more(home: Path) -> None:
    app = create_app(
        home, token=TOKEN, port=PORT, warm=False, rules=Rules("openai-whisper", None, 1.0)
    )
    client = signed_in(TestClient(app, base_url=f"http://127.0.0.1:{PORT}"))
    t = ticket(client)
    with client.websocket_connect(f"{WS}/take?ticket={t}", headers={"origin": ORIGIN}) as ws:
        ws.send_json({"type": "start", "sample_rate": 16_000})
        assert ws.receive_json()["type"] == "recording"
        for _ in range(15):
            ws.send_bytes(pcm(0.1))
        kinds = [ws.receive_json()["type"] for _ in range(2)]
        assert "full" in kinds
    left = tk.leftovers(tk.takes_dir(home))
    import soundfile as sf

    assert len(left) == 1 and sf.info(left[0]).frames == 16_000  # nothing past the limit
