"""`practice report`, `export`, `backup` and `restore`; the HTML checked in headless Chromium."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SPEECH
from test_review import fill_history, invoke

from practice.cli.main import cli
from practice.history.store import History

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MAX_AUDIO_BYTES_PER_MINUTE = 200_000  # Opus speech: a month of answers stays tens of MB


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_export_csv_and_json(home: Path, tmp_path: Path) -> None:
    ids = fill_history(home, tmp_path, [40, 50, 60])
    r = invoke(home, "export", "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert [int(x["id"]) for x in rows] == ids
    assert [x["overall"] for x in rows] == ["40", "50", "60"]
    assert rows[0]["words_per_minute"] == "140.0" and rows[0]["result_quantified"] == "True"
    assert rows[0]["star_completeness"] == "0.5"
    out = tmp_path / "all.json"
    r = invoke(home, "export", "--format", "json", "--out", str(out))
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text())
    assert [d["id"] for d in data] == ids and "audio_path" not in data[0]
    assert data[0]["transcript"]["words"][0]["text"] == "Um,"


def test_bundle_holds_payload_audio_and_page(home: Path, tmp_path: Path) -> None:
    ids = fill_history(home, tmp_path, [40, 50])
    out = tmp_path / "for-coach.zip"
    r = invoke(home, "export", str(ids[1]), "--bundle", str(out))
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        assert names == {
            f"attempt-{ids[1]}.json",
            f"attempt-{ids[1]}.wav",
            f"attempt-{ids[1]}.html",
        }
        assert json.loads(zf.read(f"attempt-{ids[1]}.json"))["scores"]["overall"] == 50
        assert zf.read(f"attempt-{ids[1]}.wav") == (tmp_path / "tone.wav").read_bytes()
        assert f"previous try (#{ids[0]})" in zf.read(f"attempt-{ids[1]}.html").decode()


def test_backup_and_restore_round_trip(home: Path, tmp_path: Path) -> None:
    ids = fill_history(home, tmp_path, [40, 50, 60])
    backup = tmp_path / "backup.zip"
    r = invoke(home, "backup", str(backup))
    assert r.exit_code == 0, r.output
    assert "3 attempts and 3 recordings" in r.output
    other = tmp_path / "other"
    r = invoke(other, "restore", str(backup))
    assert r.exit_code == 0, r.output
    with History.open(home) as a, History.open(other) as b:
        assert b.list() == [
            dataclasses.replace(row, audio_path=other / row.audio_path.relative_to(home))
            for row in a.list()
        ]
        assert b.integrity_check() == "ok"
        assert b.get(ids[0]).audio_path.read_bytes() == a.get(ids[0]).audio_path.read_bytes()
        probe = sqlite3.connect(b.db_path)  # WAL is a property of the file: any reader sees it
        try:
            assert probe.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        finally:
            probe.close()
    # A non-empty history is kept unless --force.
    r = invoke(other, "restore", str(backup))
    assert r.exit_code == 1 and "not empty (3 attempts)" in r.output and "--force" in r.output
    fill_history(other, tmp_path, [99])
    r = invoke(other, "restore", str(backup), "--force")
    assert r.exit_code == 0, r.output
    with History.open(other) as b:
        assert [row.analysis.scores.overall for row in b.list()] == [60, 50, 40]
        kept = {row.audio_path.name for row in b.list()}
        assert {p.name for p in b.recordings.iterdir() if p.is_file()} == kept


def test_restore_refuses_a_damaged_backup(home: Path, tmp_path: Path) -> None:
    fill_history(home, tmp_path, [40])
    backup = tmp_path / "backup.zip"
    invoke(home, "backup", str(backup))
    # A recording whose bytes changed no longer matches the checksum in the database.
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(backup) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("recordings/"):
                data = data[:-10] + b"0123456789"
            dst.writestr(item, data)
    r = invoke(tmp_path / "fresh", "restore", str(tampered))
    assert r.exit_code == 1 and "does not match its checksum" in r.output
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("hello")
    r = invoke(tmp_path / "fresh", "restore", str(not_zip))
    assert r.exit_code == 1 and "is not a practice backup" in r.output
    with History.open(tmp_path / "fresh") as h:
        assert h.is_empty()


def test_html_is_self_contained_with_timed_words(home: Path, tmp_path: Path) -> None:
    fill_history(home, tmp_path, [40, 50, 60])
    page = tmp_path / "report.html"
    r = invoke(home, "report", "--html", str(page), "--last", "2")
    assert r.exit_code == 0, r.output
    assert "Report of 2 attempts" in r.output
    text = page.read_text()
    # Nothing is fetched: no URL in any src or href, and the policy forbids it anyway.
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", text)
    assert "http://" not in text and "https://" not in text
    assert "default-src 'none'" in text
    assert text.count('src="data:audio/ogg;base64,') == 2
    assert text.count('class="w filler" data-start="0.00" data-end="0.30"') == 2
    assert '<span class="w hedge" data-start="0.40" data-end="0.80"' in text
    assert "pause 2.5 s" in text and "<svg" in text
    per_minute = float(re.search(r"at (\d+) KiB per minute", r.output).group(1)) * 1024
    assert per_minute < MAX_AUDIO_BYTES_PER_MINUTE


def run_chromium(url: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"chromium-{len(list(tmp_path.glob('chromium-*')))}"
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--autoplay-policy=no-user-gesture-required",
        # No sound card here: a null audio sink still plays, so the media clock runs.
        "--disable-audio-output",
        "--enable-logging=stderr",
        "--v=0",
        *extra,
        url,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


class DevTools:
    """A minimal Chrome DevTools Protocol client over --remote-debugging-pipe (fd 3 in, fd 4
    out, NUL-terminated JSON): no websocket library, and the test waits for the page's own
    answer instead of guessing how long playback takes."""

    def __init__(self, tmp_path: Path) -> None:
        import fcntl

        to_chrome_r, self._out = os.pipe()
        self._in, from_chrome_w = os.pipe()

        def wire() -> None:
            # Copy above 10 first: a pipe end may itself be fd 3 or 4.
            a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.log = tmp_path / "chromium.log"
        cmd = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--autoplay-policy=no-user-gesture-required",
            # No sound card here: a null audio sink still plays, so the media clock runs.
            "--disable-audio-output",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(
                cmd, stdout=log, stderr=log, close_fds=False, preexec_fn=wire
            )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next = 0
        self.events: list[dict] = []

    def send(self, method: str, session: str | None = None, **params: object) -> dict:
        self._next += 1
        message: dict = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next:
                assert "error" not in reply, reply
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str) -> dict:
        while True:
            event = self._read()
            self.events.append(event)
            if event.get("method") == method:
                return event

    def _read(self) -> dict:
        import select

        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._in], [], [], 120)  # a hang guard, not a test
            assert ready, "chromium stopped answering"
            chunk = os.read(self._in, 65536)
            assert chunk, "chromium exited: " + self.log.read_text()[-2000:]
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def close(self) -> None:
        try:
            self.send("Browser.close")
        finally:
            self.proc.wait(timeout=60)
            os.close(self._in)
            os.close(self._out)


WAIT_FOR_AUTOTEST = """new Promise(done => {
  const look = () => document.body && document.body.dataset.autotest
    ? done(document.body.dataset.autotest) : setTimeout(look, 50);
  look();
})"""


def check_page_in_chromium(page: Path, tmp_path: Path) -> dict:
    """Load the page with ?autotest in headless Chromium: no console errors or uncaught
    exceptions, and what its script reported while the audio played."""
    chrome = DevTools(tmp_path)
    try:
        target = chrome.send("Target.createTarget", url="about:blank")["targetId"]
        session = chrome.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        chrome.send("Runtime.enable", session)
        chrome.send("Page.enable", session)
        chrome.send("Page.navigate", session, url=f"{page.as_uri()}?autotest")
        chrome.wait_for("Page.loadEventFired")
        text = chrome.send(
            "Runtime.evaluate",
            session,
            expression=WAIT_FOR_AUTOTEST,
            awaitPromise=True,
            returnByValue=True,
        )["result"]["value"]
        shown = chrome.send(
            "Runtime.evaluate",
            session,
            returnByValue=True,
            expression=("document.querySelector('.w.current').textContent"),
        )["result"]["value"]
    finally:
        chrome.close()
    errors = [
        e
        for e in chrome.events
        if e.get("method") == "Runtime.exceptionThrown"
        or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
    ]
    assert errors == []
    result = json.loads(text)
    assert result["ok"] is True, result
    result["highlighted_text"] = shown
    return result


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup.sh)")
def test_playing_moves_the_highlight_in_chromium(home: Path, tmp_path: Path) -> None:
    fill_history(home, tmp_path, [40, 50])
    page = tmp_path / "report.html"
    assert invoke(home, "report", "--html", str(page)).exit_code == 0
    result = check_page_in_chromium(page, tmp_path)
    # Played from the middle word (5 of 9 timed words): the highlight went past it.
    assert result["from_word"] == 4 and result["seen"][0] == 4
    assert max(result["seen"]) > 4 and result["time_s"] > result["from_s"]
    timed = ["Um,", "I think", "I", "rebuilt", "the", "queue.", "Waits", "fell", "40%."]
    assert result["highlighted_text"] == timed[max(result["seen"])]
    shot = tmp_path / "report.png"
    run_chromium(
        page.as_uri(),
        tmp_path,
        "--virtual-time-budget=3000",
        f"--screenshot={shot}",
        "--window-size=1200,1600",
        "--hide-scrollbars",
    )
    assert shot.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.model
def test_real_clips_through_review_progress_and_report(tmp_path: Path, model_home: Path) -> None:
    home = tmp_path / "home"
    (home / "models").mkdir(parents=True)
    base = model_home / "models" / "base"
    if base.exists():
        os.symlink(base, home / "models" / "base")  # reuse the assembled model
    clips = [
        SPEECH / "clips" / n
        for n in ("mfa__mfa_um.flac", "mfa__mfa_uhum.flac", "mfa__cold_corpus.wav")
    ]
    runner = CliRunner()
    r = runner.invoke(
        cli,
        [
            "--home",
            str(home),
            "analyze",
            *map(str, clips),
            "--question-text",
            "Tell me about a time you solved a problem.",
            "--category",
            "success-story",
        ],
    )
    assert r.exit_code == 0, r.output
    review = json.loads(runner.invoke(cli, ["--home", str(home), "review", "--json"]).output)
    assert review["id"] == 3 and review["previous"]["id"] == 2
    assert review["source"].endswith("mfa__cold_corpus.wav")
    assert len(review["marks"]["fillers"]) >= 3  # the clip has 5 um/uh
    assert re.search(r"\[(um|uh|Um|Uh)\]", review["marked_text"])
    progress = json.loads(runner.invoke(cli, ["--home", str(home), "progress", "--json"]).output)
    assert progress["attempts"] == 3
    assert len(progress["metrics"]["words_per_minute"]["points"]) == 3
    page = tmp_path / "report.html"
    r = runner.invoke(cli, ["--home", str(home), "report", "--html", str(page)])
    assert r.exit_code == 0, r.output
    assert page.read_text().count("data:audio/ogg;base64,") == 3
    if CHROMIUM:
        check_page_in_chromium(page, tmp_path)
