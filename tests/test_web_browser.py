"""The practice page end to end in a real browser: Debian's chromium driven by Playwright, its
fake microphone playing a real spoken clip once, against `practice app` started as a person
starts it. Record, wait for the clip to play, Stop, then the feedback on the page and the
attempt in `practice history --json`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import SPEECH

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CLIP = SPEECH / "clips" / "fw__jfk.flac"  # 11 s, "ask not what your country can do for you"
FAKE_RATE = 48_000  # Hz of the WAV chromium's fake microphone plays
REPO = Path(__file__).resolve().parents[1]

if not Path(CHROMIUM).exists():
    pytest.skip(
        "chromium is not installed (apt-get install chromium; scripts/setup.sh does it)",
        allow_module_level=True,
    )
playwright = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]'")


def answer_wav(tmp_path: Path) -> Path:
    """The clip as the 16-bit mono WAV chromium's fake microphone reads, with a second of
    silence before and after (the take starts and stops in quiet, as a person's does)."""
    import soundfile as sf
    import soxr

    samples, rate = sf.read(CLIP, dtype="float32", always_2d=True)
    mono = soxr.resample(samples.mean(axis=1), rate, FAKE_RATE)
    quiet = np.zeros(FAKE_RATE, np.float32)
    path = tmp_path / "answer.wav"
    sf.write(path, np.concatenate([quiet, mono, quiet]), FAKE_RATE, subtype="PCM_16")
    return path


@pytest.fixture
def home(tmp_path: Path, model_home: Path) -> Path:
    """A fresh data home that shares the assembled model (a new one would assemble its own)."""
    from practice.speech import models

    models.resolve(model_home, None, "faster-whisper")
    h = tmp_path / "home"
    (h / "models").mkdir(parents=True)
    os.symlink(model_home / "models" / "base", h / "models" / "base")
    return h


@pytest.fixture
def server(home: Path) -> Iterator[str]:
    """`practice app --port 0 --no-browser` running; its printed URL."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for name in ("PRACTICE_ENGINE", "PRACTICE_MODEL"):
        env.pop(name, None)
    proc = app_process(home, env)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    assert line.startswith("practice app: http://127.0.0.1:"), line
    try:
        yield line.removeprefix("practice app: ")
    finally:
        stop_app(proc)


def app_process(home: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "practice",
            "--home",
            str(home),
            "app",
            "--port",
            "0",
            "--no-browser",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def stop_app(proc: subprocess.Popen[str]) -> None:
    """Ctrl-C, as a person stops it; it must end cleanly."""
    if proc.poll() is None:
        proc.send_signal(2)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""


def shot(page, name: str) -> None:  # noqa: ANN001
    """A full-page screenshot into $PRACTICE_SCREENSHOTS, when set (to look at by eye)."""
    folder = os.environ.get("PRACTICE_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def launch(p, *args: str):  # noqa: ANN001, ANN201 - Playwright's own types
    return p.chromium.launch(executable_path=CHROMIUM, args=list(args))


# No model for these: the loader fails at once and no take is analysed.
NO_MODEL = {"PRACTICE_MODEL": "/nonexistent/model", "PYTHONPATH": str(REPO)}


@pytest.mark.model  # the real Whisper model transcribes the take
def test_record_stop_feedback_and_history_in_chromium(
    tmp_path: Path, home: Path, server: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    wav = answer_wav(tmp_path)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={wav}%noloop",
            ],
        )
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(server)
            expect(page.get_by_role("heading", level=1)).not_to_be_empty()
            page.get_by_role("button", name="Record").click()
            stop = page.get_by_role("button", name="Stop")
            expect(stop).to_be_visible()
            # The clip plays once while the take runs: the clock moves and words come live.
            expect(page.locator("#elapsed")).not_to_have_text("0:00", timeout=5_000)
            # Transcribed while the take runs (in the quiet after the answer, at the latest).
            expect(page.locator("#words")).to_contain_text("country", timeout=60_000)
            shot(page, "practice-live.png")
            page.keyboard.press("Space")  # Stop, from the keyboard
            stopped = time.monotonic()
            feedback = page.get_by_role("region", name="Feedback")
            expect(feedback).to_contain_text("Overall", timeout=60_000)
            print(f"Stop to feedback visible: {time.monotonic() - stopped:.2f} s")
            overall = feedback.locator(".overall .score").inner_text()
            assert 0 <= int(overall) <= 100
            expect(feedback).to_contain_text("country")
            expect(feedback).to_contain_text("Fix this first")
            shot(page, "practice-feedback.png")
            for name in ("Retry", "Keep as story", "Discard"):
                expect(feedback.get_by_role("button", name=name)).to_be_visible()
            expect(page.get_by_role("button", name="Record")).to_be_enabled()
            # The token left the address bar; the cookie carries it.
            assert "token=" not in page.url
            look_back(page, feedback)
        finally:
            browser.close()
    assert problems == []

    out = subprocess.run(
        [sys.executable, "-m", "practice", "--home", str(home), "history", "--json"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    attempts = json.loads(out.stdout)
    assert len(attempts) == 1
    attempt = attempts[0]
    assert attempt["scores"]["overall"] == int(overall)
    assert "country" in attempt["transcript"]["text"].lower()
    assert attempt["audio"]["duration_s"] >= 11  # the whole clip, and the quiet after it
    # The take left the takes folder for the history.
    takes = home / "recordings" / "takes"
    assert not [p for p in takes.iterdir() if p.suffix == ".wav"]


def look_back(page, feedback) -> None:  # noqa: ANN001 - Playwright's own types
    """From the feedback to the attempt page (replay from a clicked word), then the history
    and the progress pages, each reached by the navigation."""
    import re

    from playwright.sync_api import expect

    feedback.get_by_role("link", name="Replay it, with the full analysis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Attempt #\d+"))
    nav = page.get_by_role("navigation", name="Pages")
    expect(nav.get_by_role("link", name="History")).to_have_attribute("aria-current", "page")
    section = page.locator("section.attempt")
    expect(section.locator("audio")).to_have_count(1)
    expect(page.get_by_text("Overall", exact=True)).to_be_visible()
    word = section.locator(".w[data-start]", has_text="country").first
    word.click()  # plays from that word: the player highlights the word being said
    expect(section.locator(".w.current")).to_have_count(1, timeout=10_000)
    current = int(section.get_attribute("data-current-word") or "-1")
    assert current >= 0
    # The keyboard reaches the words too: Enter on a focused word plays from it.
    word.focus()
    page.keyboard.press("End")
    expect(section.locator(".w[data-start]").last).to_be_focused()
    shot(page, "attempt.png")
    expect(page.get_by_role("heading", name="Every try at this question")).to_be_visible()

    nav.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History")
    expect(page.get_by_role("link", name=re.compile(r"^#1 "))).to_be_visible()
    shot(page, "history.png")
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Progress").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress")
    expect(page.get_by_role("img", name="Progress charts")).to_be_visible()
    shot(page, "progress.png")
    # At a phone's width nothing needs sideways scrolling.
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_refused_microphone_is_one_clear_message(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    home = tmp_path / "home"
    proc = app_process(home, {**os.environ, **NO_MODEL})
    assert proc.stdout is not None
    url = proc.stdout.readline().strip().removeprefix("practice app: ")
    try:
        with sync_playwright() as p:
            browser = launch(p, "--use-fake-device-for-media-stream")  # no fake consent
            try:
                context = browser.new_context(permissions=[])
                page = context.new_page()
                page.goto(url)
                page.get_by_role("button", name="Record").click()
                expect(page.get_by_role("status")).to_contain_text(
                    "not allowed to use the microphone", timeout=15_000
                )
                expect(page.get_by_role("button", name="Record")).to_be_enabled()
            finally:
                browser.close()
    finally:
        stop_app(proc)
    takes = home / "recordings" / "takes"
    assert not takes.exists() or not list(takes.iterdir())


def test_a_server_stopped_mid_take_keeps_the_audio_and_says_so(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from practice.app import takes as tk

    home = tmp_path / "home"
    wav = answer_wav(tmp_path)
    proc = app_process(home, {**os.environ, **NO_MODEL})
    assert proc.stdout is not None
    url = proc.stdout.readline().strip().removeprefix("practice app: ")
    try:
        with sync_playwright() as p:
            browser = launch(
                p,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={wav}%noloop",
            )
            try:
                page = browser.new_page()
                page.goto(url)
                page.get_by_role("button", name="Record").click()
                expect(page.locator("#elapsed")).to_have_text("0:03", timeout=15_000)
                stop_app(proc)  # Ctrl-C in the terminal, mid-take
                expect(page.get_by_role("status")).to_contain_text(
                    "connection to practice was lost", timeout=15_000
                )
                expect(page.get_by_role("button", name="Record")).to_be_enabled()
            finally:
                browser.close()
    finally:
        stop_app(proc)
    left = tk.leftovers(tk.takes_dir(home))
    assert len(left) == 1 and tk.read_question(left[0]) is not None
    import soundfile as sf

    assert sf.info(left[0]).duration >= 3


@pytest.mark.model  # the real Whisper model transcribes the first answer
def test_a_mock_interview_moves_on_at_stop_and_ends_with_a_summary(
    tmp_path: Path, home: Path, server: str
) -> None:
    """Two questions: the clip answers the first; at Stop the second is shown at once and the
    first's verdict line arrives; the second take is stopped after two seconds (chromium's fake
    microphone starts its file again for it, so it may hold words or none: saved, or skipped as
    `practice interview` skips a silent one); then the summary of what was saved."""
    import re

    from playwright.sync_api import expect, sync_playwright

    wav = answer_wav(tmp_path)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch(
            p,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}%noloop",
        )
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(server)
            page.get_by_role("navigation", name="Pages").get_by_role(
                "link", name="Interview"
            ).click()
            page.get_by_label("How many questions").fill("2")
            follow_ups = page.get_by_role("checkbox", name="Follow-up questions")
            expect(follow_ups).to_be_checked()  # on by default, as `practice interview`
            follow_ups.uncheck()  # here: the next question comes at Stop
            page.get_by_role("button", name="Start the interview").click()
            expect(page.get_by_text("Question 1 of 2")).to_be_visible()
            first = page.get_by_role("heading", level=1).inner_text()
            page.get_by_role("button", name="Record").click()
            expect(page.locator("#words")).to_contain_text("country", timeout=60_000)
            page.get_by_role("button", name="Stop").click()
            # The next question at once, before the first answer's analysis is back.
            expect(page.get_by_text("Question 2 of 2")).to_be_visible(timeout=2_000)
            expect(page.get_by_role("heading", level=1)).not_to_have_text(first)
            answers = page.locator("#answers")
            expect(
                answers.get_by_role("link", name=re.compile(r"^Q1\/2 · overall \d+"))
            ).to_be_visible(timeout=60_000)
            shot(page, "interview.png")
            page.get_by_role("button", name="Record").click()
            expect(page.locator("#elapsed")).to_have_text("0:02", timeout=15_000)
            page.get_by_role("button", name="Stop").click()
            expect(page.get_by_role("heading", level=1)).to_have_text(
                "Interview summary", timeout=60_000
            )
            summary = page.get_by_role("region", name="Summary")
            expect(summary).to_contain_text(re.compile(r"[12] of 2 questions answered"))
            answered = int(re.search(r"(\d) of 2 questions", summary.inner_text()).group(1))  # type: ignore[union-attr]
            expect(page.get_by_role("link", name=re.compile(r"^#1 "))).to_be_visible()
            shot(page, "interview-summary.png")
        finally:
            browser.close()
    assert problems == []
    out = subprocess.run(
        [sys.executable, "-m", "practice", "--home", str(home), "history", "--json"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    attempts = json.loads(out.stdout)
    assert len(attempts) == answered and {a["session_id"] for a in attempts} == {1}
    assert "country" in attempts[-1]["transcript"]["text"].lower()  # the first answer


@pytest.mark.model  # the real Whisper model transcribes the answer
def test_a_mock_interview_speaks_each_question_and_follows_up(
    tmp_path: Path, home: Path, server: str
) -> None:
    """One success-story question with "Speak questions" ticked (follow-ups are on by default):
    Record waits while the question is read aloud (Piper, or espeak-ng), the clip, which does
    not answer it, gets the follow-up that asks it again in other words, read aloud too, and
    answered with the same Record and Stop; then the summary. `practice history --json` links
    a saved follow-up to its main answer."""
    import re

    from playwright.sync_api import expect, sync_playwright

    wav = answer_wav(tmp_path)
    problems: list[str] = []
    played = """() => { const a = document.getElementById("voice");
      return {src: a.currentSrc, ended: a.ended, duration: a.duration}; }"""
    with sync_playwright() as p:
        browser = launch(
            p,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}%noloop",
            "--autoplay-policy=no-user-gesture-required",
        )
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(server)
            page.get_by_role("navigation", name="Pages").get_by_role(
                "link", name="Interview"
            ).click()
            page.get_by_label("How many questions").fill("1")
            page.get_by_role("checkbox", name="success-story").check()
            expect(page.get_by_role("checkbox", name="Follow-up questions")).to_be_checked()
            page.get_by_role("checkbox", name="Speak questions").check()
            page.get_by_role("button", name="Start the interview").click()
            record = page.get_by_role("button", name="Record")
            expect(record).to_be_disabled()  # the interviewer speaks first
            expect(record).to_be_enabled(timeout=60_000)
            first = page.evaluate(played)
            assert "/speech?ticket=" in first["src"] and first["ended"], first
            assert first["duration"] > 2, first  # a question's worth of speech
            record.click()
            expect(page.locator("#words")).to_contain_text("country", timeout=60_000)
            page.get_by_role("button", name="Stop").click()
            expect(page.get_by_text("Question 1 of 1: a follow-up")).to_be_visible(timeout=60_000)
            expect(page.get_by_role("heading", level=1)).to_contain_text("another way")
            expect(page.locator("#guidance")).to_contain_text("Asked because:")
            expect(page.locator("#answers")).to_contain_text(re.compile(r"Q1/1 · overall \d+"))
            expect(record).to_be_enabled(timeout=60_000)  # once the follow-up is heard
            second = page.evaluate(played)
            assert second["src"] != first["src"] and second["ended"], second
            shot(page, "interview-follow-up.png")
            record.click()
            expect(page.locator("#elapsed")).to_have_text("0:02", timeout=15_000)
            page.get_by_role("button", name="Stop").click()
            expect(page.get_by_role("heading", level=1)).to_have_text(
                "Interview summary", timeout=60_000
            )
            summary = page.get_by_role("region", name="Summary")
            expect(summary).to_contain_text("1 of 1 questions answered")
        finally:
            browser.close()
    assert problems == []
    out = subprocess.run(
        [sys.executable, "-m", "practice", "--home", str(home), "history", "--json"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    attempts = json.loads(out.stdout)
    main = attempts[-1]
    assert main["follow_up_of"] is None and "country" in main["transcript"]["text"].lower()
    # The follow-up's take holds the clip again or nothing (then it is left unanswered).
    assert [a["follow_up_of"] for a in attempts[:-1]] in ([], [main["id"]])


@pytest.mark.model  # the real Whisper model transcribes the answer
def test_the_practice_page_reads_aloud_and_asks_the_follow_up(
    tmp_path: Path, home: Path, server: str
) -> None:
    """With "Follow-up questions" ticked: Read aloud plays the question; the clip, which does
    not answer it, gets its feedback and then the follow-up with why it is asked, answered
    with the same Record and Stop."""
    import re

    from playwright.sync_api import expect, sync_playwright

    wav = answer_wav(tmp_path)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch(
            p,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}%noloop",
        )
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(server)
            page.goto(server.split("/?")[0] + "/?question=improved-process&follow_up=on")
            expect(page.get_by_role("checkbox", name="Follow-up questions")).to_be_checked()
            page.get_by_role("button", name="Read aloud").click()
            page.wait_for_function("() => document.getElementById('voice').ended", timeout=60_000)
            expect(page.locator("#status")).to_have_text("Press Record (or Space) to answer.")
            page.get_by_role("button", name="Record").click()
            expect(page.locator("#words")).to_contain_text("country", timeout=60_000)
            page.get_by_role("button", name="Stop").click()
            feedback = page.get_by_role("region", name="Feedback")
            expect(feedback).to_contain_text("Overall", timeout=60_000)
            asked = page.get_by_role("region", name="Follow-up question")
            expect(asked).to_contain_text("another way", timeout=60_000)
            expect(asked).to_contain_text("Asked because:")
            shot(page, "practice-follow-up.png")
            page.get_by_role("button", name="Record").click()
            expect(page.locator("#elapsed")).to_have_text("0:02", timeout=15_000)
            page.get_by_role("button", name="Stop").click()
            # The fake microphone plays the clip again, or nothing (then no speech is heard).
            expect(page.locator("#status")).to_have_text(
                re.compile(r"Follow-up answer saved|No speech"), timeout=60_000
            )
            if "saved" in page.locator("#status").inner_text():
                expect(asked).to_contain_text(re.compile(r"Filled|Not filled"))
                expect(asked.get_by_role("link", name="#1")).to_be_visible()
            expect(feedback).to_contain_text("Overall")  # the main feedback stays
        finally:
            browser.close()
    assert problems == []


# Every control named (what a screen reader reads), found by the page's own DOM.
UNNAMED = """() => {
  const named = (el) => {
    if (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby")) return true;
    if (el.labels && el.labels.length) return true;
    return (el.innerText || el.value || "").trim().length > 0;
  };
  const controls = document.querySelectorAll("a[href], button, input, select, textarea");
  return Array.from(controls).filter((el) => !el.closest("[hidden]") && !named(el))
    .map((el) => el.outerHTML.slice(0, 80));
}"""


def test_every_page_is_named_keyboard_reachable_and_fits_a_phone(tmp_path: Path) -> None:
    """Each page on a phone-wide window: nothing scrolls sideways, every control has a name,
    Tab reaches the skip link first and then the navigation, no console error."""
    from playwright.sync_api import expect, sync_playwright

    from practice.history.store import History
    from practice.journey import questions
    from practice.journey.stories import StoryBank, typed_story
    from practice.judgment import coach

    home = tmp_path / "home"
    home.mkdir()
    deadline = questions.resolve("tight-deadline", None, None, home)
    with History.open(home) as h:
        for text in ("Um, I think I helped with the release.", "I cut the release to two hours."):
            h.save(coach.analyze_text(text, question=deadline), None)
    with StoryBank.open(home) as bank:
        bank.add(typed_story(title="Release", actions="I wrote a pipeline.", result="20% less."))
    proc = app_process(home, {**os.environ, **NO_MODEL})
    assert proc.stdout is not None
    url = proc.stdout.readline().strip().removeprefix("practice app: ")
    base = url.split("/?", 1)[0]
    pages = ("/", "/interview", "/history", "/progress", "/attempts/2", "/stories")
    pages += ("/stories/1", "/prep", "/journal", "/questions")
    problems: list[str] = []
    try:
        with sync_playwright() as p:
            browser = launch(p)
            try:
                page = browser.new_page(viewport={"width": 360, "height": 800})
                page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: problems.append(str(e)))
                page.goto(url)
                for path in pages:
                    page.goto(base + path)
                    expect(page.get_by_role("heading", level=1)).to_have_count(1)
                    width = page.evaluate("document.documentElement.scrollWidth")
                    assert width <= 360, (path, width)
                    assert page.evaluate(UNNAMED) == [], path
                    page.keyboard.press("Tab")
                    expect(page.get_by_role("link", name="Skip to the page")).to_be_focused()
                    page.keyboard.press("Tab")
                    nav = page.get_by_role("navigation", name="Pages")
                    expect(nav.get_by_role("link", name="Practice")).to_be_focused()
            finally:
                browser.close()
    finally:
        stop_app(proc)
    assert problems == []
