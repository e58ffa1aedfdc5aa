"""Restoring a backup it did not make: paths outside the home, SQL of its own, a broken schema.
Each archive is built here from a real backup, edited with sqlite3 the way an attacker could."""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from test_review import fill_history, invoke

from practice.history.store import DB_NAME, History
from practice.judgment.coach import analyze_text

STORY = "The release was late, so I rebuilt the queue myself and waits fell by forty percent."


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def _edit_db(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def _crafted_backup(home: Path, tmp_path: Path, *statements: str, name: str = "crafted") -> Path:
    """A backup of `home` whose database had `statements` run on it inside the zip."""
    backup = tmp_path / f"{name}-plain.zip"
    r = invoke(home, "backup", str(backup))
    assert r.exit_code == 0, r.output
    work = tmp_path / f"{name}-work"
    work.mkdir()
    crafted = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(backup) as src, zipfile.ZipFile(crafted, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == DB_NAME:
                db = work / DB_NAME
                db.write_bytes(data)
                _edit_db(db, *statements)
                data = db.read_bytes()
            dst.writestr(item, data)
    return crafted


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _outside_rows(home: Path, tmp_path: Path) -> tuple[list[int], Path]:
    """Two attempts whose rows point at a file outside the home: absolute, and by `../`."""
    ids = fill_history(home, tmp_path, [40, 50])
    secret = tmp_path / "secret.wav"
    shutil.copy(tmp_path / "tone.wav", secret)
    _edit_db(
        home / DB_NAME,
        f"UPDATE attempts SET audio_path = '{secret}' WHERE id = {ids[0]}",
        f"UPDATE attempts SET audio_path = 'recordings/../../secret.wav' WHERE id = {ids[1]}",
    )
    return ids, secret


def test_a_path_outside_the_recordings_is_never_read_or_deleted(home: Path, tmp_path: Path) -> None:
    ids, secret = _outside_rows(home, tmp_path)
    before = secret.read_bytes()
    for number in ids:
        out = tmp_path / f"bundle-{number}.zip"
        r = invoke(home, "export", str(number), "--bundle", str(out))
        assert r.exit_code == 0, r.output
        with zipfile.ZipFile(out) as zf:
            assert not [n for n in zf.namelist() if n.endswith(".wav")]
        r = invoke(home, "review", str(number), "--play")
        assert r.exit_code == 1 and "nothing to play" in r.output
    page = tmp_path / "report.html"
    r = invoke(home, "report", "--html", str(page))
    assert r.exit_code == 0, r.output
    assert "data:audio" not in page.read_text()
    with History.open(home) as h:
        assert all(a.audio_path is None for a in h.list())
    for number in ids:
        r = invoke(home, "delete", str(number), "--yes")
        assert r.exit_code == 0, r.output
    assert secret.read_bytes() == before


def test_restore_refuses_a_row_pointing_outside_the_recordings(home: Path, tmp_path: Path) -> None:
    fill_history(home, tmp_path, [40])
    for n, stored in enumerate([str(tmp_path / "secret.wav"), "recordings/../../secret.wav"]):
        crafted = _crafted_backup(
            home, tmp_path, f"UPDATE attempts SET audio_path = '{stored}'", name=f"c{n}"
        )
        other = tmp_path / f"other{n}"
        fill_history(other, tmp_path, [70])
        before = _files(other)
        r = invoke(other, "restore", str(crafted), "--force")
        assert r.exit_code == 1 and "outside the recordings folder" in r.output
        assert "Traceback" not in r.output
        assert _files(other) == before


def test_restore_keeps_only_the_schema_practice_makes(home: Path, tmp_path: Path) -> None:
    ids = fill_history(home, tmp_path, [40, 50])
    with History.open(home) as h:
        h.delete(ids[1])  # its number must stay used after the restore
    crafted = _crafted_backup(
        home,
        tmp_path,
        "CREATE TRIGGER wipe AFTER INSERT ON attempts BEGIN "
        "DELETE FROM attempts WHERE id != NEW.id; END",
        "CREATE VIEW everything AS SELECT * FROM attempts",
        "CREATE TABLE extra (x)",
        "ALTER TABLE attempts ADD COLUMN extra_col TEXT",
    )
    other = tmp_path / "other"
    r = invoke(other, "restore", str(crafted))
    assert r.exit_code == 0, r.output
    with History.open(other) as h:
        assert h.integrity_check() == "ok"
        new = h.save(analyze_text(STORY, question=None), None)
        assert new.id == ids[1] + 1
        assert [a.id for a in h.list()] == [new.id, ids[0]]
        assert h.get(ids[0]).audio_path.is_file()
    probe = sqlite3.connect(other / DB_NAME)
    try:
        kinds = {(t, n) for t, n in probe.execute("SELECT type, name FROM sqlite_master")}
        columns = [r[1] for r in probe.execute("PRAGMA table_info(attempts)")]
    finally:
        probe.close()
    assert not {n for t, n in kinds if t in ("trigger", "view")}
    assert ("table", "extra") not in kinds and "extra_col" not in columns


@pytest.mark.parametrize(
    "statements",
    [
        # attempts with only an id column (the other tables as they were)
        (
            "CREATE TABLE bare (id INTEGER PRIMARY KEY)",
            "INSERT INTO bare SELECT id FROM attempts",
            "DROP TABLE attempts",
            "ALTER TABLE bare RENAME TO attempts",
        ),
        ("PRAGMA user_version = 0",),
        ("PRAGMA user_version = -3",),
    ],
    ids=["id-only", "version-0", "version-negative"],
)
def test_a_failed_restore_leaves_the_home_unchanged(
    home: Path, tmp_path: Path, statements: tuple[str, ...]
) -> None:
    fill_history(home, tmp_path, [40, 50])
    crafted = _crafted_backup(home, tmp_path, *statements)
    other = tmp_path / "other"
    fill_history(other, tmp_path, [70])
    before = _files(other)
    r = invoke(other, "restore", str(crafted), "--force")
    assert r.exit_code == 1 and "nothing was restored" in r.output, r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1
    assert _files(other) == before
    with History.open(other) as h:
        assert [a.analysis.scores.overall for a in h.list()] == [70]


def test_a_backup_of_an_older_schema_is_restored_and_migrated(home: Path, tmp_path: Path) -> None:
    ids = fill_history(home, tmp_path, [40, 50])
    crafted = _crafted_backup(
        home,
        tmp_path,
        "DROP INDEX attempts_follow_up_of",
        "ALTER TABLE attempts DROP COLUMN follow_up_of",
        "DROP INDEX attempts_story_id",
        "ALTER TABLE attempts DROP COLUMN story_id",
        "DROP TABLE stories",
        "DROP TABLE outcomes",
        "PRAGMA user_version = 1",
    )
    other = tmp_path / "other"
    r = invoke(other, "restore", str(crafted))
    assert r.exit_code == 0, r.output
    with History.open(other) as h:
        assert h.schema_version() == 3 and h.integrity_check() == "ok"
        assert [a.id for a in h.list()] == ids[::-1]
        assert all(a.story_id is None and a.audio_path.is_file() for a in h.list())
