"""The history: round trips, permissions, atomic saves, migrations, concurrent writers."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import os
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from practice.core.errors import HomeError, StoreError
from practice.core.records import Attempt
from practice.core.results import (
    Analysis,
    Content,
    Delivery,
    DimensionScore,
    Filler,
    Pause,
    Prosody,
    Question,
    Scores,
    Sentence,
    Structure,
    Transcript,
    Word,
)
from practice.history import store
from practice.history.store import History

QUESTION = Question(
    id="success-conflict",
    text="Tell me about a time you resolved a conflict.",
    category="success-story",
    guidance="Situation, task, your actions, a measurable result.",
    target_seconds=(60, 120),
)


def make_analysis(
    *,
    source: str = "answer.wav",
    question: Question | None = QUESTION,
    overall: int = 72,
    typed: bool = False,
) -> Analysis:
    """A small hand-built analysis; `typed` drops the audio-only parts as `practice score` does."""
    words = (
        Word("Um,", 0.2, 0.4, 0.9, filler=True),
        Word("I", 0.5, 0.6, 0.99),
        Word("cut", 0.6, 0.9, 0.98),
        Word("costs", 0.9, 1.3, 0.97),
        Word("20%.", 1.3, 1.9, 0.95),
    )
    delivery = Delivery(
        words_per_minute=142.5,
        articulation_rate_wpm=160.0,
        speaking_time_s=1.7,
        pause_count=1,
        long_pause_count=0,
        longest_pause_s=0.6,
        pauses=(Pause(2.0, 2.6, 0.6),),
        filler_count=1,
        fillers_per_minute=35.3,
        discourse_filler_count=0,
        fillers=(Filler("um", 0.2),),
        hedge_count=0,
        spoken_word_count=5,
    )
    return Analysis(
        source=source,
        question=question,
        duration_s=None if typed else 3.25,
        transcript=Transcript(
            text="Um, I cut costs 20%.",
            words=words,
            engine="faster-whisper",
            model="base",
            language="en",
        ),
        delivery=None if typed else delivery,
        prosody=None if typed else Prosody(3.1, 6.5, False),
        structure=Structure(
            situation=False,
            task=False,
            action=True,
            result=True,
            result_quantified=True,
            action_ownership=1.0,
            sentences=(Sentence("Um, I cut costs 20%.", "result", 0.2, 1.9),),
        ),
        content=Content(value_orientation=1, red_flag_handling=None, job_terms_used=("costs",)),
        scores=Scores(
            overall=overall,
            structure=DimensionScore(60, "No situation.", "Open with the situation."),
            delivery=None if typed else DimensionScore(80, "Good pace.", None),
            enthusiasm=DimensionScore(70, "Some energy.", "Lift your voice at the result."),
            content=DimensionScore(75, "Value to the employer.", None),
        ),
        tips=("Open with the situation.",),
        analyzer_version=1,
    )


def as_json(analysis: Analysis) -> dict:
    """The contract as a JSON reader sees it (tuples become lists)."""
    return json.loads(json.dumps(analysis.to_dict()))


def without_audio_path(attempt: Attempt) -> dict:
    """The attempt's JSON as `history --json` prints it, less the local path (`audio.path`,
    and `audio_path` as before) and the link to a main answer (null: these are all main ones)."""
    doc = json.loads(json.dumps(attempt.to_dict()))
    if doc.get("audio"):
        assert doc["audio"].pop("path") == doc["audio_path"]
    assert doc.pop("follow_up_of") is None
    return {k: v for k, v in doc.items() if k != "audio_path"}


def write_audio(path: Path, content: bytes = b"RIFF....WAVEfmt fake audio") -> Path:
    path.write_bytes(content)
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_save_get_list_round_trip_the_json_contract(home: Path, tmp_path: Path) -> None:
    audio = write_audio(tmp_path / "Take.WAV")
    with History.open(home) as history:
        saved = history.save(make_analysis(), audio)
        assert saved.id == 1
        assert saved.created_at is not None
        assert datetime.fromisoformat(saved.created_at).utcoffset() == timedelta(0)

        got = history.get(saved.id)
        assert without_audio_path(got) == as_json(saved)
        assert got.analysis == saved  # the same frozen dataclasses the pipeline made
        assert got.id == saved.id
        listed = history.list()
        assert len(listed) == 1
        assert without_audio_path(listed[0]) == as_json(saved)

        assert got.audio_path is not None
        audio_path = got.audio_path
        assert audio_path.is_absolute()
        assert audio_path.parent == home / "recordings"
        digest = hashlib.sha256(audio.read_bytes()).hexdigest()
        assert audio_path.name == f"{saved.id}-{digest[:8]}.wav"
        assert audio_path.read_bytes() == audio.read_bytes()

        # The stored payload itself carries the id, so exports of the raw column stay whole.
        row = history._conn.execute(
            "SELECT payload, audio_path, audio_sha256, overall, delivery, category "
            "FROM attempts WHERE id = ?",
            (saved.id,),
        ).fetchone()
        assert json.loads(row["payload"])["id"] == saved.id
        assert row["audio_path"] == f"recordings/{audio_path.name}"
        assert row["audio_sha256"] == digest
        assert got.audio_sha256 == digest and got.session_id is None and got.story_id is None
        assert (row["overall"], row["delivery"], row["category"]) == (72, 80, "success-story")


def test_typed_answer_without_audio(home: Path) -> None:
    with History.open(home) as history:
        saved = history.save(make_analysis(typed=True, source=None), None)
        got = history.get(saved.id)
        assert got.audio_path is None and got.to_dict()["audio_path"] is None
        assert got.analysis.duration_s is None and got.analysis.delivery is None
        assert got.analysis.scores.delivery is None
        assert without_audio_path(got) == as_json(saved)
        assert got.analysis == saved
        assert list((home / "recordings").iterdir()) == []


def test_last_is_the_most_recently_saved(home: Path, tmp_path: Path) -> None:
    with History.open(home) as history:
        with pytest.raises(StoreError, match="No attempts yet"):
            history.get("last")
        ids = [history.save(make_analysis(source=f"{i}.wav"), None).id for i in range(3)]
        assert history.get("last").id == ids[-1]
        assert history.get("last").analysis.source == "2.wav"
        assert history.get(str(ids[0])).analysis.source == "0.wav"
        assert [r.id for r in history.list()] == ids[::-1]


@pytest.mark.parametrize("payload", ["{not json", "{}", '{"transcript": []}', "[1, 2]"])
def test_a_damaged_attempt_names_the_command_that_deletes_it(home: Path, payload: str) -> None:
    with History.open(home) as history:
        kept = history.save(make_analysis(), None)
        damaged = history.save(make_analysis(), None)
        history._conn.execute("UPDATE attempts SET payload = ? WHERE id = ?", (payload, damaged.id))
        with pytest.raises(StoreError) as info:
            history.get(damaged.id)
        message = str(info.value)
        assert message.startswith(f"Attempt {damaged.id} in {history.db_path} is damaged (")
        assert message.endswith(f"delete it with `practice delete {damaged.id} --yes`.")
        assert history.get(kept.id).analysis == kept
        assert history.delete(damaged.id) == damaged.id  # deleting does not need to read it
        assert [r.id for r in history.list()] == [kept.id]


def test_missing_attempt_says_how_to_list_them(home: Path) -> None:
    with History.open(home) as history:
        history.save(make_analysis(), None)
        with pytest.raises(StoreError) as info:
            history.get(42)
        assert str(info.value) == "No attempt 42; run `practice history` to list them."
        with pytest.raises(StoreError, match="not an attempt number"):
            history.get("forty")


def test_list_filters_and_limit(home: Path) -> None:
    fit = Question(id="fit-why-us", text="Why do you want this job?", category="fit")
    with History.open(home) as history:
        a = history.save(make_analysis(), None)
        b = history.save(make_analysis(question=fit), None)
        c = history.save(make_analysis(), None)
        d = history.save(make_analysis(question=None), None)
        assert [r.id for r in history.list(category="fit")] == [b.id]
        assert [r.id for r in history.list(question_id="success-conflict")] == [c.id, a.id]
        assert [r.id for r in history.list(limit=2)] == [d.id, c.id]

        # Move attempt a a week back to test the date bounds.
        week_ago = datetime.now(UTC) - timedelta(days=7)
        history._conn.execute(
            "UPDATE attempts SET created_at = ? WHERE id = ?", (store._iso(week_ago), a.id)
        )
        yesterday = datetime.now(UTC) - timedelta(days=1)
        assert a.id not in [r.id for r in history.list(since=yesterday)]
        assert [r.id for r in history.list(until=yesterday)] == [a.id]
        # A date string without a zone is read as local time; two days back still excludes a.
        two_days_ago = (datetime.now() - timedelta(days=2)).date().isoformat()
        assert len(history.list(since=two_days_ago)) == 3
        with pytest.raises(StoreError, match="YYYY-MM-DD"):
            history.list(since="last tuesday")


def test_previous_finds_the_earlier_attempt_at_the_same_question(home: Path) -> None:
    adhoc = Question(id=None, text="What is your greatest weakness?", category="red-flag")
    with History.open(home) as history:
        first = history.save(make_analysis(overall=50), None)
        history.save(make_analysis(question=adhoc), None)
        second = history.save(make_analysis(overall=65), None)
        third = history.save(make_analysis(overall=80), None)

        prev = history.previous(QUESTION, before_id=third.id)
        assert prev is not None and prev.id == second.id
        prev = history.previous("success-conflict", before_id=second.id)
        assert prev is not None and prev.id == first.id
        assert history.previous(QUESTION, before_id=first.id) is None
        latest = history.previous(adhoc)
        assert latest is not None and latest.analysis.question == adhoc
        assert history.previous("Why do you want this job?") is None

        assert history.count_by_question() == {"success-conflict": 3, adhoc.text: 1}


def test_delete_removes_row_and_audio_and_the_number_is_not_reused(
    home: Path, tmp_path: Path
) -> None:
    audio = write_audio(tmp_path / "a.wav")
    with History.open(home) as history:
        first = history.save(make_analysis(), audio)
        second = history.save(make_analysis(), audio)
        kept_audio = history.get(first.id).audio_path
        gone_audio = history.get(second.id).audio_path
        assert kept_audio is not None and gone_audio is not None
        assert history.delete("last") == second.id
        assert not gone_audio.exists()
        assert kept_audio.exists()
        with pytest.raises(StoreError, match=f"No attempt {second.id};"):
            history.get(second.id)
        with pytest.raises(StoreError, match=f"No attempt {second.id};"):
            history.delete(second.id)
        third = history.save(make_analysis(), None)
        assert third.id == second.id + 1


def test_update_payload_rescores_in_place(home: Path, tmp_path: Path) -> None:
    audio = write_audio(tmp_path / "a.wav")
    with History.open(home) as history:
        saved = history.save(make_analysis(overall=40), audio)
        before = history.get(saved.id)
        rescored = dataclasses.replace(make_analysis(overall=90), analyzer_version=2)
        updated = history.update_payload(saved.id, rescored)
        assert (updated.id, updated.created_at) == (saved.id, saved.created_at)
        got = history.get(saved.id)
        assert without_audio_path(got) == as_json(updated)
        assert got.analysis.scores.overall == 90 and got.analysis.analyzer_version == 2
        assert got.audio_path == before.audio_path is not None
        row = history._conn.execute(
            "SELECT overall, analyzer_version FROM attempts WHERE id = ?", (saved.id,)
        ).fetchone()
        assert tuple(row) == (90, 2)
        with pytest.raises(StoreError, match="No attempt 99;"):
            history.update_payload(99, rescored)


def test_sessions_link_attempts(home: Path) -> None:
    with History.open(home) as history:
        session = history.start_session("interview", note="mock for Acme")
        saved = history.save(make_analysis(), None, session_id=session)
        row = history._conn.execute(
            "SELECT session_id FROM attempts WHERE id = ?", (saved.id,)
        ).fetchone()
        assert row[0] == session
        # Foreign keys are enforced: an unknown session is refused and nothing is kept.
        with pytest.raises(StoreError, match="FOREIGN KEY"):
            history.save(make_analysis(), None, session_id=session + 100)
        assert len(history.list()) == 1


def test_permissions_are_private_whatever_the_umask(home: Path, tmp_path: Path) -> None:
    audio = write_audio(tmp_path / "a.wav")
    old = os.umask(0o022)
    try:
        with History.open(home) as history:
            saved = history.save(make_analysis(), audio)
            recording = history.get(saved.id).audio_path
            assert recording is not None
            assert mode(home) == 0o700
            assert mode(home / "recordings") == 0o700
            assert mode(home / "history.sqlite3") == 0o600
            assert mode(recording) == 0o600
            for extra in ("history.sqlite3-wal", "history.sqlite3-shm"):
                if (home / extra).exists():
                    assert mode(home / extra) == 0o600
    finally:
        os.umask(old)


def test_wal_and_pragmas(home: Path) -> None:
    with History.open(home) as history:
        conn = history._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert history.schema_version() == store.SCHEMA_VERSION == 3
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"attempts_created_at", "attempts_question_id", "attempts_category"} <= indexes


def test_failed_insert_leaves_no_row_and_no_audio(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audio = write_audio(tmp_path / "a.wav")
    with History.open(home) as history:
        history.save(make_analysis(source="kept.wav"), audio)

        def broken_insert(*args: object, **kwargs: object) -> int:
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(history, "_insert", broken_insert)
        with pytest.raises(StoreError, match="disk I/O error"):
            history.save(make_analysis(source="lost.wav"), audio)
        assert [r.analysis.source for r in history.list()] == ["kept.wav"]
        assert len(list((home / "recordings").iterdir())) == 1


def test_failed_rename_leaves_no_row_and_no_audio(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audio = write_audio(tmp_path / "a.wav")
    with History.open(home) as history:

        def broken_replace(src: object, dst: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(store.os, "replace", broken_replace)
        with pytest.raises(StoreError, match="No space left on device"):
            history.save(make_analysis(), audio)
        monkeypatch.undo()
        assert history.list() == []
        assert list((home / "recordings").iterdir()) == []
        # The transaction was rolled back cleanly: the next save works and gets number 1.
        assert history.save(make_analysis(), audio).id == 1


def test_failed_commit_removes_the_renamed_audio(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audio = write_audio(tmp_path / "a.wav")
    with History.open(home) as history:
        real_fsync_dir = store._fsync_dir

        def fsync_then_fail(path: Path) -> None:
            real_fsync_dir(path)
            # The audio is in its final place now; fail before the commit.
            assert len(list(path.glob("1-*.wav"))) == 1
            raise OSError(5, "Input/output error")

        monkeypatch.setattr(store, "_fsync_dir", fsync_then_fail)
        with pytest.raises(StoreError, match="Input/output error"):
            history.save(make_analysis(), audio)
        assert history.list() == []
        assert list((home / "recordings").iterdir()) == []


def test_missing_audio_file_saves_nothing(home: Path, tmp_path: Path) -> None:
    with History.open(home) as history:
        with pytest.raises(StoreError, match="nowhere.wav"):
            history.save(make_analysis(), tmp_path / "nowhere.wav")
        assert history.list() == []
        assert list((home / "recordings").iterdir()) == []


def test_stale_temp_copies_are_swept_on_open(home: Path) -> None:
    History.open(home).close()
    stale = home / "recordings" / ".tmp-crashed.wav"
    fresh = home / "recordings" / ".tmp-in-progress.wav"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    two_days_ago = datetime.now().timestamp() - 2 * 24 * 3600
    os.utime(stale, (two_days_ago, two_days_ago))
    History.open(home).close()
    assert not stale.exists()
    assert fresh.exists()  # may belong to another process saving right now


def test_a_file_that_is_not_a_database_is_refused(home: Path) -> None:
    home.mkdir()
    db = home / "history.sqlite3"
    db.write_bytes(b"these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError) as info:
        History.open(home)
    message = str(info.value)
    assert str(db) in message
    assert "move it aside" in message
    assert db.read_bytes().startswith(b"these are my notes")  # left untouched


def test_a_newer_schema_is_refused(home: Path) -> None:
    History.open(home).close()
    conn = sqlite3.connect(home / "history.sqlite3")
    conn.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="upgrade practice"):
        History.open(home)


def test_a_failed_migration_leaves_the_database_as_it_was(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = (*store.MIGRATIONS[0], "CREATE TABLE sessions (id INTEGER)")  # already exists
    monkeypatch.setattr(store, "MIGRATIONS", (broken,))
    with pytest.raises(StoreError, match="already exists"):
        History.open(home)
    conn = sqlite3.connect(home / "history.sqlite3")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    conn.close()
    monkeypatch.undo()
    with History.open(home) as history:
        assert history.schema_version() == store.SCHEMA_VERSION


def test_a_home_that_is_a_file_is_refused(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "home"
    not_a_dir.write_text("oops")
    with pytest.raises(HomeError, match="not a directory"):
        History.open(not_a_dir)


def _save_many(home: str, worker: int, count: int, audio: str, barrier: object) -> None:
    """One writer process: wait for the other, then save `count` attempts with audio."""
    barrier.wait()  # type: ignore[attr-defined]
    with History.open(Path(home)) as history:
        for i in range(count):
            history.save(make_analysis(source=f"w{worker}-{i}.wav"), Path(audio))


def test_two_processes_saving_at_once_lose_and_duplicate_nothing(
    home: Path, tmp_path: Path
) -> None:
    count = 50
    audio = write_audio(tmp_path / "shared.wav", os.urandom(20_000))
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    # Both open a brand-new home at the same moment, so creation and migration race too.
    workers = [
        ctx.Process(target=_save_many, args=(str(home), w, count, str(audio), barrier))
        for w in range(2)
    ]
    for p in workers:
        p.start()
    for p in workers:
        p.join(timeout=120)
        assert p.exitcode == 0

    with History.open(home) as history:
        rows = history.list()
        assert len(rows) == 2 * count
        sources = sorted(str(r.analysis.source) for r in rows)
        assert sources == sorted(f"w{w}-{i}.wav" for w in range(2) for i in range(count))
        assert len({r.id for r in rows}) == 2 * count
        # Each process kept its own order of saving.
        for w in range(2):
            mine = [
                int(s.split("-")[1][:-4])
                for r in rows
                if (s := str(r.analysis.source))[1] == str(w)
            ]
            assert mine == sorted(mine, reverse=True)
        paths = {str(r.audio_path) for r in rows}
        assert len(paths) == 2 * count
        assert {str(p) for p in (home / "recordings").iterdir()} == paths
        assert all(Path(p).read_bytes() == audio.read_bytes() for p in paths)
        assert history.integrity_check() == "ok"
        assert history.schema_version() == store.SCHEMA_VERSION


def test_a_version_1_history_upgrades_with_its_attempts_intact(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "MIGRATIONS", store.MIGRATIONS[:1])
    monkeypatch.setattr(store, "SCHEMA_VERSION", 1)
    with History.open(home) as history:
        saved = [history.save(make_analysis(source=f"v1-{i}.wav"), None) for i in range(3)]
        assert history.schema_version() == 1
    monkeypatch.undo()
    with History.open(home) as history:
        assert history.schema_version() == store.SCHEMA_VERSION
        assert [r.id for r in history.list()] == [a.id for a in reversed(saved)]
        assert history.get(saved[0].id).analysis.source == "v1-0.wav"
        assert history.integrity_check() == "ok"
