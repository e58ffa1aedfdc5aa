"""The app's pages for looking back (attempt, history, progress), with Starlette's TestClient on
a real data home: typed answers judged by the real judgment (`coach.analyze_text`, as `practice
score` does) and kept by the real store, one of them with a recording, two in an interview."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from starlette.testclient import TestClient  # noqa: E402

from practice.web.live import Rules  # noqa: E402
from practice.web.server import create_app  # noqa: E402

PORT = 8766
TOKEN = "pages-t0ken"
RULES = Rules(engine="openai-whisper", model=None, max_seconds=300)


def esc(text: str) -> str:
    """`text` as the pages' templates escape it (Jinja2's autoescape)."""
    import markupsafe

    return str(markupsafe.escape(text))


HOSTILE = '<script>alert("q")</script> Why <b>us</b>?'
STAR = (
    "At my last job our release took two days and customers waited. I was asked to cut it. "
    "I wrote a pipeline, I automated the tests and I trained the team. As a result we shipped "
    "in two hours and cut costs by 20%."
)
WEAK = "Um, I think I kind of helped with, you know, some release stuff, maybe."


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """#1 and #2 answer the bank's tight-deadline question (#2 with a recording), #3 and #4 are
    an interview, #5 answers a question whose text is markup."""
    import soundfile as sf

    from practice.core.results import Question
    from practice.history.store import History
    from practice.journey import questions
    from practice.judgment import coach

    h = tmp_path_factory.mktemp("pages") / "home"
    h.mkdir()
    deadline = questions.resolve("tight-deadline", None, None, h)
    wav = h.parent / "answer.wav"
    t = np.arange(16_000 * 2) / 16_000
    sf.write(wav, (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16_000)
    with History.open(h) as store:
        store.save(coach.analyze_text(WEAK, question=deadline), None)
        store.save(coach.analyze_text(STAR, question=deadline), wav)
        session = store.start_session("interview")
        for text in (STAR, WEAK):
            store.save(coach.analyze_text(text, question=deadline), None, session_id=session)
        hostile = Question(None, HOSTILE, "fit")
        store.save(coach.analyze_text(f"I like <img src=x> {WEAK}", question=hostile), None)
    return h


@pytest.fixture
def client(home: Path) -> TestClient:
    app = create_app(home, token=TOKEN, port=PORT, warm=False, rules=RULES)
    c = TestClient(app, base_url=f"http://127.0.0.1:{PORT}")
    assert c.get(f"/?token={TOKEN}").status_code == 200
    return c


PAGES = ("/attempts/2", "/history", "/progress", "/history?category=fit", "/progress?category=fit")


def test_every_page_needs_the_token(home: Path) -> None:
    app = create_app(home, token=TOKEN, port=PORT, warm=False, rules=RULES)
    fresh = TestClient(app, base_url=f"http://127.0.0.1:{PORT}")
    for url in (*PAGES, "/attempts/2/audio", "/static/report.js", "/static/attempt.js"):
        r = fresh.get(url)
        assert r.status_code == 403, url
        assert "printed in the terminal" in r.text
        assert fresh.get(url, headers={"host": "evil.example"}).status_code == 403


def test_every_page_has_the_navigation_and_only_static_script(client: TestClient) -> None:
    for url in PAGES:
        r = client.get(url)
        assert r.status_code == 200, (url, r.text[-500:])
        policy = r.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        page = r.text
        assert '<nav aria-label="Pages">' in page
        for href in ("/", "/history", "/progress"):
            assert f'<a href="{href}"' in page
        assert page.count('aria-current="page"') == 1
        # Script only from files: no inline script, no handler attribute, no style attribute.
        assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", page), url
        assert not re.search(r"\son[a-z]+=", page) and " style=" not in page, url


def test_the_attempt_page_shows_the_whole_analysis_and_the_tries(
    client: TestClient, home: Path
) -> None:
    from practice.history.store import History

    with History.open(home) as h:
        a = h.get(2).analysis
    page = client.get("/attempts/2").text
    assert "<h1>Attempt #2</h1>" in page
    assert esc(a.question.text) in page  # type: ignore[union-attr]
    assert '<b>Overall</b></td><td class="n"><b>' + str(a.scores.overall) in page
    for name in ("structure", "delivery", "enthusiasm", "content"):
        dim = getattr(a.scores, name)
        if dim is not None:
            assert f"<td>{name.capitalize()}</td>" in page
            assert esc(dim.reason) in page
    assert f"Fix this first:</strong> {esc(a.tips[0])}" in page
    for label in {s.label for s in a.structure.sentences}:
        assert f'class="lab lab-{label}"' in page
    # The player points at this server, the scripts are the report's and the keyboard's.
    assert '<audio controls preload="auto" src="/attempts/2/audio">' in page
    assert '<script src="/static/report.js" defer>' in page
    # Every try at the same question, in order, this one marked and the others linked.
    tries = page.split("Every try at this question", 1)[1]
    assert '<a href="/attempts/1">#1</a>' in tries and '<a href="/attempts/3">#3</a>' in tries
    assert '<span aria-current="true"><strong>#2</strong>' in tries
    assert tries.index("#1") < tries.index("#2") < tries.index("#3") < tries.index("#4")
    assert 'href="/?retry=2"' in tries
    assert "Compared with the previous try (#1)" in page


def test_the_fillers_and_hedges_are_marked_in_the_transcript(client: TestClient) -> None:
    page = client.get("/attempts/1").text
    assert re.search(r'<span class="w filler"[^>]*title="filler: um">Um,</span>', page)
    assert re.search(r'<span class="w hedge"[^>]*>I think</span>', page)
    assert "This is your only try" not in page


def test_the_recording_comes_from_the_home_and_can_be_sought(
    client: TestClient, home: Path
) -> None:
    from practice.history.store import History

    with History.open(home) as h:
        path = h.get(2).audio_path
    assert path is not None and path.is_relative_to(home)
    r = client.get("/attempts/2/audio")
    assert r.status_code == 200 and r.content == path.read_bytes()
    part = client.get("/attempts/2/audio", headers={"range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == path.read_bytes()[10:20]
    # A typed answer has no recording, and the page offers no player.
    assert client.get("/attempts/1/audio").status_code == 404
    assert "<audio" not in client.get("/attempts/1").text


def test_a_missing_attempt_is_a_404_that_says_what_to_do(client: TestClient) -> None:
    for url in ("/attempts/99", "/attempts/99/audio"):
        r = client.get(url)
        assert r.status_code == 404
        assert "No attempt 99; run `practice history` to list them." in r.text
        assert 'role="alert"' in r.text


def test_the_history_groups_an_interview_as_practice_history_does(
    client: TestClient, home: Path
) -> None:
    from practice.cli.render import history_lines
    from practice.history.store import History

    with History.open(home) as h:
        rows, sessions = h.list(), h.sessions()
    page = client.get("/history").text
    links = re.findall(r'<a href="/attempts/(\d+)">', page)
    assert links == ["5", "4", "3", "2", "1"]  # newest first, as `practice history`
    heading = next(line for line in history_lines(rows, sessions, 200) if "answers" in line)
    assert heading.startswith("Interview ")
    section = page.split(f"<h2>{heading}</h2>", 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<a href="/attempts/(\d+)">', section) == ["4", "3"]
    only_fit = client.get("/history?category=fit").text
    assert re.findall(r'<a href="/attempts/(\d+)">', only_fit) == ["5"]
    assert '<option value="fit" selected>' in only_fit


def test_the_progress_page_shows_what_progress_json_computes(
    client: TestClient, home: Path
) -> None:
    from practice.history import progress as pg

    computed = pg.load(home).to_dict()
    page = client.get("/progress").text
    assert '<svg class="chart" role="img" aria-label="Progress charts"' in page
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<script" not in svg and "style=" not in svg and "http" not in svg
    for name in computed["by_category"]:
        assert f"<td>{name}</td>" in page
    for spot in computed["weak_spots"]:
        assert esc(spot["text"]) in page
    for win in computed["wins"]:
        assert esc(win[0].upper() + win[1:]) in page
    retried = page.split("Questions you retried", 1)[1]
    assert "Tell me about a time" in retried
    empty = client.get("/progress?category=closing").text
    assert "No attempts yet in this category" in empty and "<svg" not in empty


def test_what_a_user_or_question_wrote_is_escaped_on_every_page(client: TestClient) -> None:
    for url in ("/attempts/5", "/history", "/progress"):
        page = client.get(url).text
        assert "<script>alert" not in page and "<b>us</b>" not in page, url
        assert "<img src=x>" not in page, url
    assert "&lt;script&gt;alert(&#34;q&#34;)&lt;/script&gt; Why &lt;b&gt;us&lt;/b&gt;?" in (
        client.get("/history").text
    )
    assert "&lt;img" in client.get("/attempts/5").text


@pytest.mark.model  # `practice analyze` transcribes a real clip with the Whisper model
def test_an_attempt_made_in_the_terminal_shows_in_the_app(tmp_path: Path, model_home: Path) -> None:
    import os
    import subprocess
    import sys

    from conftest import SPEECH

    from practice.speech import models

    models.resolve(model_home, None, "faster-whisper")
    h = tmp_path / "home"
    (h / "models").mkdir(parents=True)
    os.symlink(model_home / "models" / "base", h / "models" / "base")
    clip = SPEECH / "clips" / "fw__jfk.flac"
    subprocess.run(
        [sys.executable, "-m", "practice", "--home", str(h), "analyze", str(clip)],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    app = create_app(h, token=TOKEN, port=PORT, warm=False, rules=RULES)
    c = TestClient(app, base_url=f"http://127.0.0.1:{PORT}")
    c.get(f"/?token={TOKEN}")
    assert '<a href="/attempts/1">' in c.get("/history").text
    page = c.get("/attempts/1").text
    assert re.search(r'<span class="w" data-start="[\d.]+" data-end="[\d.]+">country</span>', page)
    assert c.get("/attempts/1/audio").status_code == 200


# -- stories, prep, journal ---------------------------------------------------------------------

ORIGIN = f"http://127.0.0.1:{PORT}"
POSTING = """Data Analyst <script>alert(1)</script>

Requirements:
- Build automated reporting pipelines in SQL and Python
- Communicate results to stakeholders
- Must be eligible to work in the UK
"""


@pytest.fixture
def fresh_home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


@pytest.fixture
def fresh(fresh_home: Path) -> TestClient:
    app = create_app(fresh_home, token=TOKEN, port=PORT, warm=False, rules=RULES)
    c = TestClient(app, base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False)
    assert c.get(f"/?token={TOKEN}").status_code == 200
    return c


def post(client: TestClient, url: str, data: dict[str, str]) -> object:
    return client.post(url, data=data, headers={"origin": ORIGIN})


def test_the_between_pages_need_the_token_and_posts_their_origin(fresh: TestClient) -> None:
    for url in ("/stories", "/prep", "/journal"):
        assert fresh.get(url).status_code == 200, url
    anonymous = TestClient(fresh.app, base_url=f"http://127.0.0.1:{PORT}")
    for url in ("/stories", "/stories/1", "/prep", "/journal"):
        assert anonymous.get(url).status_code == 403, url
    for url in ("/stories", "/prep", "/journal/outcomes", "/journal/note", "/stories/1/delete"):
        for origin in ({}, {"origin": "http://evil.example"}, {"origin": "null"}):
            assert fresh.post(url, data={"x": "1"}, headers=origin).status_code == 403, url


def test_a_story_kept_in_the_app_is_in_the_story_bank(fresh: TestClient, fresh_home: Path) -> None:
    from practice.journey.stories import StoryBank

    r = post(
        fresh,
        "/stories",
        {
            "title": "Release <i>pipeline</i>",
            "situation": "Our release took two days.",
            "task": "I was asked to cut it.",
            "actions": "I wrote a pipeline and trained the team.",
            "result": "We shipped in two hours and cut costs by 20%.",
            "skills": "automation, mentoring",
        },
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    with StoryBank.open(fresh_home) as bank:
        (story,) = bank.stories()
    assert r.headers["location"] == f"/stories/{story.id}"  # type: ignore[attr-defined]
    assert story.quantified_result is not None and story.title == "Release <i>pipeline</i>"
    page = fresh.get(f"/stories/{story.id}").text
    assert "<h1>Release &lt;i&gt;pipeline&lt;/i&gt;</h1>" in page and "<i>pipeline" not in page
    assert "I wrote a pipeline and trained the team." in page
    assert esc(story.quantified_result) in page
    listing = fresh.get("/stories").text
    assert f'<a href="/stories/{story.id}">' in listing and "not rehearsed yet" in listing
    r = post(
        fresh,
        f"/stories/{story.id}",
        {"title": "Faster <releases>", "result": "We shipped in an hour.", "skills": "speed"},
    )
    assert r.headers["location"] == f"/stories/{story.id}"  # type: ignore[attr-defined]
    with StoryBank.open(fresh_home) as bank:
        edited = bank.get(story.id)  # type: ignore[arg-type]
    assert edited.title == "Faster <releases>" and edited.result == "We shipped in an hour."
    assert edited.situation == "" and edited.skills == ("speed",)
    assert "Faster &lt;releases&gt;" in fresh.get(f"/stories/{story.id}").text
    assert post(fresh, f"/stories/{story.id}", {"title": " "}).status_code == 400  # type: ignore[attr-defined]
    assert post(fresh, f"/stories/{story.id}/delete", {}).status_code == 400  # type: ignore[attr-defined]
    r = post(fresh, f"/stories/{story.id}/delete", {"confirm": "yes"})
    assert r.status_code == 303  # type: ignore[attr-defined]
    with StoryBank.open(fresh_home) as bank:
        assert bank.stories() == []
    assert fresh.get(f"/stories/{story.id}").status_code == 404


def test_an_empty_story_is_one_error_and_keeps_what_was_typed(fresh: TestClient) -> None:
    r = post(fresh, "/stories", {"title": "Kept <title>", "situation": "  "})
    assert r.status_code == 400  # type: ignore[attr-defined]
    page = r.text  # type: ignore[attr-defined]
    assert '<p class="error" role="alert">The story is empty' in page
    assert 'value="Kept &lt;title&gt;"' in page


def test_prep_shows_what_practice_prep_computes(fresh: TestClient, fresh_home: Path) -> None:
    from practice.journey.prep import prepare_at

    expected = prepare_at(fresh_home, POSTING)
    r = post(fresh, "/prep", {"posting": POSTING})
    assert r.status_code == 200  # type: ignore[attr-defined]
    page = r.text  # type: ignore[attr-defined]
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert f"Coverage: {round(expected.coverage * 100)} %" in page
    for c in expected.requirements:
        assert f"<td>{esc(c.requirement.text)}</td>" in page
    for q in expected.questions:
        assert esc(q.text) in page
    # Each likely question can be practised: a bank one by id, one from the posting by text.
    assert 'href="/?question=' in page and 'href="/?text=Tell%20me%20about' in page
    text_link = re.search(r'href="(/\?text=[^"]+)"', page)
    assert text_link is not None
    asked = fresh.get(html.unescape(text_link.group(1))).text
    assert '<h1 id="question-heading">Tell me about a time' in asked
    bad = post(fresh, "/prep", {"posting": "nothing to see"})
    assert bad.status_code == 400 and "Found no requirements" in bad.text  # type: ignore[attr-defined]
    huge = post(fresh, "/prep", {"posting": "x" * 300_000})
    assert huge.status_code == 400 and "larger than" in huge.text  # type: ignore[attr-defined]


def test_the_journal_logs_outcomes_diagnoses_plans_and_drafts_notes(
    fresh: TestClient, fresh_home: Path
) -> None:
    from practice.history.store import History
    from practice.journey import notes
    from practice.journey.diagnose import next_plan
    from practice.journey.outcomes import list_outcomes

    for company in ("Acme <Corp>", "Globex"):
        r = post(
            fresh,
            "/journal/outcomes",
            {"company": company, "role": "Analyst", "stage": "phone-screen", "result": "rejected"},
        )
        assert r.status_code == 303 and r.headers["location"] == "/journal"  # type: ignore[attr-defined]
    with History.open(fresh_home) as h:
        logged = list_outcomes(h)
    assert [o.company for o in logged] == ["Globex", "Acme <Corp>"]
    diagnosis, plan = next_plan(fresh_home, 5)
    page = fresh.get("/journal").text
    assert "Acme &lt;Corp&gt; – Analyst" in page and "Acme <Corp>" not in page
    assert esc(diagnosis.summary) in page
    assert diagnosis.main is not None and esc(diagnosis.main.headline) in page
    for item in plan.items:
        assert f'<a href="/?question={item.question_id}">{esc(item.text)}</a>' in page
    bad = post(
        fresh,
        "/journal/outcomes",
        {"company": "X", "role": "Y", "stage": "lunch", "result": "rejected"},
    )
    assert bad.status_code == 400 and 'role="alert"' in bad.text  # type: ignore[attr-defined]
    r = post(fresh, f"/journal/outcomes/{logged[0].id}/delete", {})
    assert r.status_code == 303  # type: ignore[attr-defined]
    with History.open(fresh_home) as h:
        assert [o.company for o in list_outcomes(h)] == ["Acme <Corp>"]
    drafted = post(
        fresh,
        "/journal/note",
        {"kind": "thank-you", "note_company": "Acme <Corp>", "note_role": "Analyst"},
    )
    expected = notes.draft("thank-you", company="Acme <Corp>", role="Analyst")
    assert esc(expected) in drafted.text  # type: ignore[attr-defined]
    assert "<Corp>" not in drafted.text  # type: ignore[attr-defined]


# -- mock interview -----------------------------------------------------------------------------


def test_a_mock_interview_is_planned_as_practice_interview_plans_it(
    fresh: TestClient, fresh_home: Path
) -> None:
    from practice.history.store import History
    from practice.journey.interview import category_order

    assert fresh.get("/interview").status_code == 200
    assert fresh.post("/interview", data={"count": "3"}).status_code == 403  # no Origin
    r = post(fresh, "/interview", {"count": "3", "category-fit": "on", "category-closing": "on"})
    assert r.status_code == 303  # type: ignore[attr-defined]
    location = r.headers["location"]  # type: ignore[attr-defined]
    session_id = int(location.rsplit("/", 1)[1])
    with History.open(fresh_home) as h:
        assert h.sessions()[session_id].kind == "interview"
    page = fresh.get(location).text
    assert 'data-mode="interview"' in page and "Question 1 of 3" in page
    assert '<script src="/static/interview.js" defer>' in page
    tickets = re.findall(r'<li data-ticket="([^"]+)"', page)
    assert len(tickets) == 3 and len(set(tickets)) == 3
    first = page.split('data-ticket="', 1)[1].split('"', 1)[0]
    assert first == tickets[0]  # the page starts on the first question
    # In interview order: fit questions, then the closing one.
    bank = {q.text: q.category for q in _bank(fresh_home)}
    texts = [html.unescape(t) for t in re.findall(r'<span class="q-text">([^<]*)</span>', page)]
    assert [bank[t] for t in texts] == category_order(3, ("fit", "closing"))
    for bad in ({"count": "0"}, {"count": "99"}, {"count": "two"}):
        refused = post(fresh, "/interview", bad)
        assert refused.status_code == 400 and 'role="alert"' in refused.text  # type: ignore[attr-defined]
    assert fresh.get("/interview/999").status_code == 404


def half_up(value: float) -> int:
    """Jinja2's `round` (halves away from zero), not Python's (halves to even)."""
    import math

    return math.floor(value + 0.5)


def _bank(home: Path) -> list:  # type: ignore[type-arg]
    from practice.journey import questions

    return questions.load_bank(questions.user_bank_dirs(home))


def test_the_interview_summary_is_what_practice_interview_sums_up(
    fresh: TestClient, fresh_home: Path
) -> None:
    from practice.history.store import History
    from practice.journey import questions
    from practice.journey.interview import summarize
    from practice.judgment import coach

    r = post(fresh, "/interview", {"count": "2", "category-success-story": "on"})
    location = r.headers["location"]  # type: ignore[attr-defined]
    session_id = int(location.rsplit("/", 1)[1])
    empty = fresh.get(f"{location}/summary").text
    assert "nothing to sum up" in empty
    deadline = questions.resolve("tight-deadline", None, None, fresh_home)
    with History.open(fresh_home) as h:
        for text in (STAR, WEAK):
            h.save(coach.analyze_text(text, question=deadline), None, session_id=session_id)
        kept = [r.analysis for r in reversed(h.list())]
    expected = summarize(kept)
    page = fresh.get(f"{location}/summary").text
    assert expected.overall_average is not None
    assert f'<span class="score">{half_up(expected.overall_average)}</span>' in page
    assert "2 of 2 questions answered" in page
    assert expected.most_common_tip is not None and esc(expected.most_common_tip) in page
    for name, value in expected.dimension_averages.items():
        assert (
            f'<th scope="row">{name.capitalize()}</th><td class="num">{half_up(value)}</td>' in page
        )
    assert re.findall(r'<a href="/attempts/(\d+)">', page) == ["1", "2"]
    assert fresh.get("/interview/999/summary").status_code == 404


# -- rehearsing a kept story ----------------------------------------------------------------------


def test_the_practice_page_rehearses_a_kept_story(fresh: TestClient, fresh_home: Path) -> None:
    from practice.journey.stories import StoryBank, typed_story

    with StoryBank.open(fresh_home) as bank:
        kept = bank.add(typed_story(title="Release <i>x</i>", result="We cut costs by 20%."))
    page = fresh.get(f"/stories/{kept.id}").text
    assert f'href="/?story={kept.id}"' in page
    practice = fresh.get(f"/?story={kept.id}").text
    assert f'<a href="/stories/{kept.id}">#{kept.id} “Release &lt;i&gt;x&lt;/i&gt;”</a>' in practice
    assert "end with its result: We cut costs by 20%." in practice
    missing = fresh.get("/?story=99").text
    assert 'role="alert"' in missing and "data-ticket=" in missing  # a question anyway


def test_the_feedback_of_a_story_rehearsal_says_what_the_telling_left_out(
    fresh_home: Path,
) -> None:
    from practice.app.rehearse import story_feedback
    from practice.history.store import History
    from practice.journey import questions
    from practice.journey.stories import StoryBank, comparison_lines, typed_story
    from practice.judgment import coach
    from practice.web.server import feedback_html

    with StoryBank.open(fresh_home) as bank:
        story = bank.add(
            typed_story(
                title="Release", actions="I wrote a pipeline.", result="We cut costs by 20%."
            )
        )
    deadline = questions.resolve("tight-deadline", None, None, fresh_home)
    with History.open(fresh_home) as h:
        told = coach.analyze_text("I wrote a pipeline for the team.", question=deadline)
        saved = h.save(told, None, story_id=story.id)
    lines = comparison_lines(story, story_feedback(story, saved))
    html_text = feedback_html(saved, None, False, lines)
    assert f"<h3>{esc(lines[0])}</h3>" in html_text
    for line in lines[1:]:
        assert f"<li>{esc(line)}</li>" in html_text
    assert "We cut costs by 20%" in html_text  # the result the telling left out


@pytest.mark.model  # the real Whisper model transcribes the take, streamed as a page streams it
def test_a_story_rehearsed_over_the_socket_is_kept_with_its_story(
    tmp_path: Path, model_home: Path
) -> None:
    import os

    import soundfile as sf
    import soxr
    from conftest import SPEECH

    from practice.history.store import History
    from practice.journey.stories import StoryBank, typed_story
    from practice.speech import models

    models.resolve(model_home, None, "faster-whisper")
    h = tmp_path / "home"
    (h / "models").mkdir(parents=True)
    os.symlink(model_home / "models" / "base", h / "models" / "base")
    with StoryBank.open(h) as bank:
        story = bank.add(
            typed_story(title="Country", actions="Ask what you can do.", result="1 nation.")
        )
    app = create_app(
        h, token=TOKEN, port=PORT, warm=False, rules=Rules("faster-whisper", None, 300)
    )
    c = TestClient(app, base_url=f"http://127.0.0.1:{PORT}")
    page = c.get(f"/?token={TOKEN}&story={story.id}").text
    ticket = page.split('data-ticket="', 1)[1].split('"', 1)[0]
    samples, rate = sf.read(SPEECH / "clips" / "fw__jfk.flac", dtype="float32", always_2d=True)
    mono = soxr.resample(samples.mean(axis=1), rate, 16_000)
    pcm = (np.clip(mono, -1, 1) * 32767).astype("<i2").tobytes()
    with c.websocket_connect(
        f"ws://127.0.0.1:{PORT}/take?ticket={ticket}", headers={"origin": ORIGIN}
    ) as ws:
        ws.send_json({"type": "start", "sample_rate": 16_000})
        for i in range(0, len(pcm), 3200):  # 0.1 s frames, as the page sends them
            ws.send_bytes(pcm[i : i + 3200])
        ws.send_json({"type": "stop"})
        while (message := ws.receive_json())["type"] != "feedback":
            assert message["type"] != "error", message
    assert f"Against your written story #{story.id}" in message["html"]
    with History.open(h) as store:
        attempt = store.get(message["id"])
    assert attempt.story_id == story.id and "country" in attempt.analysis.transcript.text.lower()


def test_the_question_bank_links_each_question_to_the_practice_page(
    client: TestClient, home: Path
) -> None:
    bank = _bank(home)
    page = client.get("/questions").text
    for q in bank:
        assert f'<a href="/?question={q.id}">{esc(q.text)}</a>' in page
    assert "answered 4×" in page  # tight-deadline: #1 to #4
    asked = client.get("/?question=tight-deadline").text
    assert "very tight deadline" in asked and 'href="/questions"' in asked


def test_an_attempt_is_kept_as_a_story_or_deleted_from_its_page(
    fresh: TestClient, fresh_home: Path
) -> None:
    from practice.history.store import History
    from practice.journey import questions
    from practice.journey.stories import StoryBank
    from practice.judgment import coach

    deadline = questions.resolve("tight-deadline", None, None, fresh_home)
    with History.open(fresh_home) as h:
        saved = h.save(coach.analyze_text(STAR, question=deadline), None)
    page = fresh.get(f"/attempts/{saved.id}").text
    assert f'action="/attempts/{saved.id}/keep"' in page
    assert f'action="/attempts/{saved.id}/delete"' in page
    r = post(fresh, f"/attempts/{saved.id}/keep", {})
    with StoryBank.open(fresh_home) as bank:
        (story,) = bank.stories()
    assert r.headers["location"] == f"/stories/{story.id}"  # type: ignore[attr-defined]
    assert story.source_attempt_id == saved.id
    unconfirmed = post(fresh, f"/attempts/{saved.id}/delete", {})
    assert unconfirmed.status_code == 400  # type: ignore[attr-defined]
    assert fresh.post(f"/attempts/{saved.id}/delete", data={"confirm": "yes"}).status_code == 403
    r = post(fresh, f"/attempts/{saved.id}/delete", {"confirm": "yes"})
    assert r.status_code == 303 and r.headers["location"] == "/history"  # type: ignore[attr-defined]
    with History.open(fresh_home) as h:
        assert h.list() == []
    assert fresh.get(f"/attempts/{saved.id}").status_code == 404
