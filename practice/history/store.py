"""The history: every analysed answer kept in SQLite under the data home, its audio copied in.

Layout under the home: `history.sqlite3` (WAL mode) and `recordings/<id>-<sha256[:8]><ext>`.
Each attempt row holds a few columns to filter and chart on, and `payload`, the full JSON
contract of `Analysis.to_dict()`; readers get it back typed, as an `Attempt` around the
`Analysis` (`Analysis.from_dict`). The outcome journal and the story bank live in the same
database; every SQL statement of the package is in this module, run on the one connection
`History.open` makes, each write in one `_transaction`.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import hashlib
import json
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from practice.core.errors import HomeError, StoreError
from practice.core.records import (
    MAX_RECORD_NUMBER,
    Attempt,
    Outcome,
    PracticeRecord,
    Session,
    Story,
    record_number,
)
from practice.core.results import Analysis, Question, json_default

DB_NAME = "history.sqlite3"
RECORDINGS_DIR = "recordings"
DIR_MODE = 0o700  # recordings are personal: only the owner may list or read them
FILE_MODE = 0o600
BUSY_TIMEOUT_S = 10.0  # how long a writer waits for another practice process to finish
TMP_PREFIX = ".tmp-"  # audio being copied in; never referenced by a row
STALE_TMP_S = 24 * 3600  # seconds: a temp copy this old was left by a process that crashed
HASH_CHARS = 8  # hex digits of the audio's sha256 kept in its file name
# A recording's name as save() gives it: <attempt id>-<sha256 prefix><suffix>.
_RECORDING_NAME = re.compile(rf"^\d+-[0-9a-f]{{{HASH_CHARS}}}(\.[\w]+)?$")
COPY_CHUNK = 1 << 20  # bytes

Attempts = list[Attempt]  # an alias: inside History, `list` names the method

# Each entry takes the schema from version i to i + 1 (PRAGMA user_version). Append only: a
# released migration never changes, because homes out there have already run it.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            kind TEXT,
            note TEXT
        )""",
        # AUTOINCREMENT so a deleted attempt's number is never given to a new one: users
        # refer to attempts by number, and an old number must not come back meaning another.
        """CREATE TABLE attempts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            source TEXT,
            question_id TEXT,
            question_text TEXT,
            category TEXT,
            engine TEXT,
            model TEXT,
            analyzer_version INTEGER NOT NULL,
            duration_s REAL,
            overall INTEGER,
            structure INTEGER,
            delivery INTEGER,
            enthusiasm INTEGER,
            content INTEGER,
            audio_path TEXT,
            audio_sha256 TEXT,
            payload TEXT NOT NULL,
            session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL
        )""",
        "CREATE INDEX attempts_created_at ON attempts(created_at)",
        "CREATE INDEX attempts_question_id ON attempts(question_id)",
        "CREATE INDEX attempts_category ON attempts(category)",
        "CREATE INDEX attempts_session_id ON attempts(session_id)",
    ),
    (
        # Where each application ended (issue: outcome journal and diagnosis).
        """CREATE TABLE outcomes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            date TEXT NOT NULL,
            company TEXT NOT NULL,
            role TEXT NOT NULL,
            stage TEXT NOT NULL,
            result TEXT NOT NULL,
            notes TEXT
        )""",
        "CREATE INDEX outcomes_date ON outcomes(date)",
        # The story bank: success stories with the skills they show.
        """CREATE TABLE stories (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            title TEXT NOT NULL,
            situation TEXT NOT NULL DEFAULT '',
            task TEXT NOT NULL DEFAULT '',
            actions TEXT NOT NULL DEFAULT '',
            result TEXT NOT NULL DEFAULT '',
            skills TEXT NOT NULL DEFAULT '[]',
            quantified_result TEXT,
            source_attempt_id INTEGER REFERENCES attempts(id) ON DELETE SET NULL
        )""",
        # An attempt that rehearsed a story (practice ask --story ID).
        "ALTER TABLE attempts ADD COLUMN story_id INTEGER"
        " REFERENCES stories(id) ON DELETE SET NULL",
        "CREATE INDEX attempts_story_id ON attempts(story_id)",
    ),
    (
        # A follow-up question's answer points at the main answer it followed (issue 23);
        # NULL for every main answer, so the attempts of older homes need no change.
        "ALTER TABLE attempts ADD COLUMN follow_up_of INTEGER"
        " REFERENCES attempts(id) ON DELETE SET NULL",
        "CREATE INDEX attempts_follow_up_of ON attempts(follow_up_of)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

_COLUMNS = (
    "created_at, source, question_id, question_text, category, engine, model, analyzer_version, "
    "duration_s, overall, structure, delivery, enthusiasm, content, session_id"
)


def utc_now() -> str:
    """The current time as stored in `created_at`."""
    return _iso(datetime.now(UTC))


def _iso(moment: datetime) -> str:
    # One fixed-width format, so that comparing the strings compares the times.
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _as_utc_iso(value: datetime | str) -> str:
    """A bound for `list`: a datetime or ISO string; one without a zone is local time."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as e:
            raise StoreError(
                f'Cannot read the date "{value}"; give it as YYYY-MM-DD or YYYY-MM-DDTHH:MM.'
            ) from e
    # astimezone() treats a naive datetime as local time, which is what a user typing a date means.
    return _iso(value.astimezone())


def _payload(analysis: Analysis) -> str:
    return json.dumps(analysis.to_dict(), ensure_ascii=False, default=json_default)


def _fsync_dir(path: Path) -> None:
    # A rename is durable only once the directory entry itself reaches the disk.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _writer_gone(temp_name: str) -> bool:
    """True when a temp copy's name carries the pid of a process that no longer exists (killed
    mid-save). Unsure cases (no pid, another user's process, not POSIX) say False and are left
    to the STALE_TMP_S rule. Like WAL itself, this assumes the home is on a local disk."""
    pid_text = temp_name[len(TMP_PREFIX) :].split("-", 1)[0]
    if os.name != "posix" or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):  # alive but another user's, or not a real pid
        return False
    return False


def _work_dir(home: Path) -> Path:
    """A private folder in the home for a backup or restore at work, named with our pid so that
    the next `History.open` can tell it from a live one's and remove it if we are killed."""
    return Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", dir=home))


def _make_dir(path: Path) -> None:
    try:
        path.mkdir(mode=DIR_MODE, parents=True)
    except FileExistsError:
        if not path.is_dir():
            raise HomeError(
                f"{path} exists but is not a directory; move it aside or choose another home "
                "with --home or PRACTICE_HOME."
            ) from None
        return  # someone else's directory choice (or an earlier run): leave its mode alone
    except OSError as e:
        raise HomeError(
            f"Cannot create {path}: {e.strerror}; choose another home with --home or PRACTICE_HOME."
        ) from e
    os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask; chmod is not


def recording_path(home: Path, stored: str | None) -> Path | None:
    """The file a row's `audio_path` names, or None when it names none or lies outside the
    home's recordings folder (absolute, `..`, a link leading out): such a path, as a crafted
    backup could carry, is never read, copied or deleted. Every path read from the database
    goes through here."""
    if not stored or not _safe_recording_name(str(stored)):
        return None
    path = home / str(stored)
    try:
        inside = path.resolve().parent == (home / RECORDINGS_DIR).resolve()
    except (OSError, RuntimeError):  # a link loop
        return None
    return path if inside else None


def _attempt_number(attempt_id: int | str) -> int | None:
    """The attempt's number, or None for "last"."""
    if str(attempt_id).strip().lower() == "last":
        return None
    return record_number(attempt_id, "an attempt", 'give a number or "last".', StoreError)


def _missing(number: int | None) -> StoreError:
    if number is None:
        return StoreError(
            "No attempts yet; run `practice ask` or `practice analyze FILE` to record one."
        )
    return StoreError(f"No attempt {number}; run `practice history` to list them.")


class History:
    """The attempts kept under one data home. Open with `History.open(home)`."""

    def __init__(self, home: Path, conn: sqlite3.Connection) -> None:
        self.home = home
        self.db_path = home / DB_NAME
        self.recordings = home / RECORDINGS_DIR
        self._conn = conn

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, home: Path) -> History:
        """Open (creating if needed) the history under `home`, migrating it to this version."""
        home = Path(home).expanduser()
        _make_dir(home)
        _make_dir(home / RECORDINGS_DIR)
        db_path = home / DB_NAME
        _create_private(db_path)
        try:
            conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as e:
            raise StoreError(
                f"Cannot open the history {db_path}: {e}; check its permissions."
            ) from e
        conn.row_factory = sqlite3.Row
        history = cls(home, conn)
        try:
            history._configure()
            history._migrate()
        except BaseException:
            conn.close()
            raise
        history._sweep_stale_temps()
        history._sweep_orphaned_recordings()
        return history

    def _configure(self) -> None:
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            self._conn.execute("PRAGMA foreign_keys = ON")
            # The first statement that reads the file: a file that is not a database fails here.
            self._conn.execute("PRAGMA user_version").fetchone()
            self._set_wal()
        except sqlite3.DatabaseError as e:
            raise self._error("read", e) from e
        for suffix in ("-wal", "-shm"):
            # SQLite gives these the database's own mode; make sure of it whatever the umask.
            with contextlib.suppress(FileNotFoundError):
                os.chmod(f"{self.db_path}{suffix}", FILE_MODE)

    def _set_wal(self) -> None:
        # Switching to WAL needs a moment alone with the file, and the busy handler does not
        # always cover it when several processes open a new home at once: retry briefly.
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                break
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e):
                    raise
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        if str(mode).lower() != "wal":
            raise StoreError(
                f"Cannot put the history {self.db_path} in WAL mode (got {mode}); "
                "keep the home on a local disk."
            )

    def _migrate(self) -> None:
        version = self.schema_version()
        if version == SCHEMA_VERSION:
            return
        self._check_not_newer(version)
        with self._transaction("update"):
            # Read again under the write lock: another process may have migrated meanwhile.
            version = self.schema_version()
            self._check_not_newer(version)
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    self._conn.execute(statement)
            # user_version lives in the database header, so it commits or rolls back with the rest.
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _check_not_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The history {self.db_path} was written by a newer practice (schema {version}; "
                f"this one knows up to {SCHEMA_VERSION}); upgrade practice to open it."
            )

    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _sweep_stale_temps(self) -> None:
        """Remove what a killed process left: audio copies in recordings/, and the work folders
        of a backup or restore in the home (a restore's holds a whole unpacked backup)."""
        import shutil

        cutoff = time.time() - STALE_TMP_S
        for path in [*self.recordings.glob(f"{TMP_PREFIX}*"), *self.home.glob(f"{TMP_PREFIX}*")]:
            with contextlib.suppress(OSError):
                if not (_writer_gone(path.name) or path.lstat().st_mtime < cutoff):
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink()

    def _sweep_orphaned_recordings(self) -> None:
        """Remove recordings no attempt refers to: a save killed after moving its copy into
        place but before its commit leaves one (the row was rolled back)."""

        def orphans() -> builtins.list[Path]:
            kept = {
                Path(str(r[0])).name
                for r in self._conn.execute(
                    "SELECT audio_path FROM attempts WHERE audio_path IS NOT NULL"
                )
            }
            return [
                p
                for p in self.recordings.iterdir()
                if _RECORDING_NAME.match(p.name) and p.name not in kept and p.is_file()
            ]

        try:
            if not orphans():  # the usual case: no write lock needed
                return
            # Under the write lock no save is between its rename and its commit, so a file
            # without a committed row now can only be an orphan.
            with self._transaction("clean up"):
                for path in orphans():
                    with contextlib.suppress(OSError):
                        path.unlink()
        except (OSError, sqlite3.Error, StoreError):
            pass  # cleaning is best effort: never a reason not to open the history

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def save(
        self,
        analysis: Analysis,
        audio_file: Path | None,
        *,
        session_id: int | None = None,
        story_id: int | None = None,
        follow_up_of: int | None = None,
    ) -> Analysis:
        """Keep an attempt and a copy of its audio; return it with `id` and `created_at` set.
        `story_id` marks it as a rehearsal of that story in the story bank; `follow_up_of`, as
        the answer to a follow-up question after that attempt.

        Either both the row and the audio are kept or neither is: the audio is copied to a temp
        name first, the row inserted, the copy renamed into place, and only then the commit.
        """
        created_at = utc_now()
        suffix = Path(audio_file).suffix.lower() if audio_file is not None else ""
        temp: Path | None = None
        final: Path | None = None
        digest: str | None = None
        try:
            if audio_file is not None:
                temp, digest = self._copy_in(Path(audio_file))
            with self._transaction("save an attempt to"):
                attempt_id = self._insert(analysis, created_at, session_id, digest)
                if story_id is not None:
                    self._conn.execute(
                        "UPDATE attempts SET story_id = ? WHERE id = ?", (story_id, attempt_id)
                    )
                if follow_up_of is not None:
                    self._conn.execute(
                        "UPDATE attempts SET follow_up_of = ? WHERE id = ?",
                        (follow_up_of, attempt_id),
                    )
                saved = dataclasses.replace(analysis, id=attempt_id, created_at=created_at)
                relative = None
                if temp is not None and digest is not None:
                    relative = f"{RECORDINGS_DIR}/{attempt_id}-{digest[:HASH_CHARS]}{suffix}"
                self._conn.execute(
                    "UPDATE attempts SET payload = ?, audio_path = ? WHERE id = ?",
                    (_payload(saved), relative, attempt_id),
                )
                if temp is not None and relative is not None:
                    final = self.home / relative
                    os.replace(temp, final)
                    temp = None
                    _fsync_dir(self.recordings)
            final = None  # committed: the audio now belongs to the row
        except OSError as e:
            raise StoreError(
                f"Cannot save the recording {audio_file} into {self.recordings}: "
                f"{e.strerror or e}; check the file exists and the disk has space."
            ) from e
        finally:
            # Reached with a path still set only when the save failed, or when Ctrl-C landed
            # between the commit and `final = None`: then the attempt owns the file, keep it.
            for leftover in (temp, final):
                if leftover is not None and not self._committed_audio(leftover):
                    with contextlib.suppress(OSError):
                        leftover.unlink()
        return saved

    def _committed_audio(self, path: Path) -> bool:
        """True when a committed attempt refers to `path` (or when that cannot be known: a
        file kept in doubt is removed by the next open's sweep, a lost one is gone)."""
        if self._conn.in_transaction:
            return False  # the rollback failed; the row is not committed
        try:
            row = self._conn.execute(
                "SELECT 1 FROM attempts WHERE audio_path = ?", (f"{RECORDINGS_DIR}/{path.name}",)
            ).fetchone()
        except sqlite3.Error:
            return True
        return row is not None

    def _copy_in(self, source: Path) -> tuple[Path, str]:
        """Copy `source` to a temp file in recordings/, synced to disk; return it and its sha256."""
        digest = hashlib.sha256()
        # The writer's pid in the name lets the next open remove the copy if this process dies.
        fd, name = tempfile.mkstemp(
            prefix=f"{TMP_PREFIX}{os.getpid()}-", suffix=source.suffix, dir=self.recordings
        )
        temp = Path(name)
        try:
            os.fchmod(fd, FILE_MODE)
            with open(fd, "wb") as out, source.open("rb") as src:
                while chunk := src.read(COPY_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
        return temp, digest.hexdigest()

    def _insert(
        self, analysis: Analysis, created_at: str, session_id: int | None, digest: str | None
    ) -> int:
        """Insert the attempt's row (payload filled in once the id is known); return its id."""
        cursor = self._conn.execute(
            f"INSERT INTO attempts ({_COLUMNS}, audio_sha256, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
            (created_at, *_summary(analysis), session_id, digest),
        )
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def update_payload(self, attempt_id: int | str, analysis: Analysis) -> Analysis:
        """Replace an attempt's analysis (rescoring), keeping its id, time and audio."""
        with self._transaction("update an attempt in"):
            number, created_at = self._locate(attempt_id)
            saved = dataclasses.replace(analysis, id=number, created_at=created_at)
            self._conn.execute(
                "UPDATE attempts SET source = ?, question_id = ?, question_text = ?, "
                "category = ?, engine = ?, model = ?, analyzer_version = ?, duration_s = ?, "
                "overall = ?, structure = ?, delivery = ?, enthusiasm = ?, content = ?, "
                "payload = ? WHERE id = ?",
                (*_summary(analysis), _payload(saved), number),
            )
        return saved

    def delete(self, attempt_id: int | str) -> int:
        """Remove an attempt and its audio; return its number."""
        with self._transaction("delete an attempt from"):
            number, _ = self._locate(attempt_id)
            row = self._conn.execute(
                "SELECT audio_path FROM attempts WHERE id = ?", (number,)
            ).fetchone()
            self._conn.execute("DELETE FROM attempts WHERE id = ?", (number,))
        # Only after the commit: a failed delete must not leave a row whose audio is gone.
        audio = recording_path(self.home, row[0])
        if audio is not None:
            with contextlib.suppress(FileNotFoundError):
                audio.unlink()
        return number

    def start_session(self, kind: str, note: str | None = None) -> int:
        """Record the start of a practice session (an interview run); return its id."""
        with self._transaction("start a session in"):
            cursor = self._conn.execute(
                "INSERT INTO sessions (started_at, kind, note) VALUES (?, ?, ?)",
                (utc_now(), kind, note),
            )
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def sessions(self) -> dict[int, Session]:
        """Every practice session (interview runs), by id."""
        rows = self._query("SELECT id, started_at, kind, note FROM sessions ORDER BY id", ())
        return {
            int(r["id"]): Session(int(r["id"]), r["started_at"], r["kind"], r["note"]) for r in rows
        }

    # -- the outcome journal ---------------------------------------------------------------
    # The values come checked by journey/outcomes (choices, dates, lengths); here they are kept.

    def add_outcome(
        self,
        *,
        date: str,
        company: str,
        role: str,
        stage: str,
        result: str,
        notes: str | None = None,
    ) -> Outcome:
        """Log one step of an application; return it as stored."""
        with self._transaction("log an outcome in"):
            cursor = self._conn.execute(
                "INSERT INTO outcomes (created_at, date, company, role, stage, result, notes) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (utc_now(), date, company, role, stage, result, notes),
            )
        assert cursor.lastrowid is not None
        return self.outcome(int(cursor.lastrowid))

    def outcomes(self, *, oldest_first: bool = False) -> builtins.list[Outcome]:
        """Every logged outcome, newest first (by the date it happened, then the order logged);
        `oldest_first` for the reverse (what `practice export` writes)."""
        order = "date, id" if oldest_first else "date DESC, id DESC"
        return [_to_outcome(r) for r in self._query(f"SELECT * FROM outcomes ORDER BY {order}", ())]

    def outcome(self, outcome_id: int) -> Outcome:
        rows = self._query("SELECT * FROM outcomes WHERE id = ?", (int(outcome_id),))
        if not rows:
            raise _missing_outcome(outcome_id)
        return _to_outcome(rows[0])

    def edit_outcome(self, outcome_id: int, changes: Mapping[str, Any]) -> Outcome:
        """Set some of OUTCOME_FIELDS of one outcome; return it as stored."""
        unknown = sorted(set(changes) - set(OUTCOME_FIELDS))
        if unknown or not changes:
            raise ValueError(f"an outcome's fields are {OUTCOME_FIELDS}, not {unknown}")
        assignments = ", ".join(f"{k} = ?" for k in changes)  # names from OUTCOME_FIELDS only
        with self._transaction("edit an outcome in"):
            cursor = self._conn.execute(
                f"UPDATE outcomes SET {assignments} WHERE id = ?",
                (*changes.values(), int(outcome_id)),
            )
            if cursor.rowcount == 0:
                raise _missing_outcome(outcome_id)
        return self.outcome(outcome_id)

    def delete_outcome(self, outcome_id: int) -> Outcome:
        """Remove an outcome; return what was removed."""
        with self._transaction("delete an outcome from"):
            row = self._conn.execute(
                "SELECT * FROM outcomes WHERE id = ?", (int(outcome_id),)
            ).fetchone()
            if row is None:
                raise _missing_outcome(outcome_id)
            self._conn.execute("DELETE FROM outcomes WHERE id = ?", (int(outcome_id),))
        return _to_outcome(row)

    # -- the story bank --------------------------------------------------------------------
    # Stories come completed and checked by journey/stories (title, skills, sizes).

    def add_story(self, story: Story) -> Story:
        """Keep a new story; return it as stored, with its id and practice record."""
        now = utc_now()
        with self._transaction("add a story to"):
            cursor = self._conn.execute(
                "INSERT INTO stories (created_at, updated_at, title, situation, task, actions, "
                "result, skills, quantified_result, source_attempt_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    now,
                    story.title,
                    story.situation,
                    story.task,
                    story.actions,
                    story.result,
                    json.dumps(list(story.skills)),
                    story.quantified_result,
                    story.source_attempt_id,
                ),
            )
        assert cursor.lastrowid is not None
        return self.story(int(cursor.lastrowid))

    def update_story(self, story: Story) -> Story:
        """Write the editable fields of `story` over the kept story with its id."""
        if story.id is None:
            raise ValueError("only a kept story (one with an id) can be updated")
        with self._transaction("update a story in"):
            self._conn.execute(
                "UPDATE stories SET updated_at = ?, title = ?, situation = ?, task = ?, "
                "actions = ?, result = ?, skills = ?, quantified_result = ? WHERE id = ?",
                (
                    utc_now(),
                    story.title,
                    story.situation,
                    story.task,
                    story.actions,
                    story.result,
                    json.dumps(list(story.skills)),
                    story.quantified_result,
                    story.id,
                ),
            )
        return self.story(story.id)

    def delete_story(self, story_id: int) -> None:
        """Remove a story; the attempts that rehearsed it stay (their story_id is cleared)."""
        with self._transaction("delete a story from"):
            self._conn.execute("DELETE FROM stories WHERE id = ?", (int(story_id),))

    def story(self, story_id: int) -> Story:
        rows = self._query("SELECT * FROM stories WHERE id = ?", (int(story_id),))
        if not rows:
            raise StoreError(f"No story {story_id}; run `practice stories list` to see them.")
        return self._to_story(rows[0])

    def stories(self) -> builtins.list[Story]:
        """Every story, oldest first (ids are stable numbers users refer to)."""
        return [self._to_story(r) for r in self._query("SELECT * FROM stories ORDER BY id", ())]

    def story_record(self, story_id: int, source_attempt_id: int | None = None) -> PracticeRecord:
        """How the story was rehearsed: the attempts that name it, and the one it came from."""
        rows = self._query(
            "SELECT id, overall, created_at FROM attempts WHERE story_id = ? OR id = ? ORDER BY id",
            (story_id, source_attempt_id if source_attempt_id is not None else -1),
        )
        scores = [int(r["overall"]) for r in rows if r["overall"] is not None]
        latest = rows[-1]["overall"] if rows else None
        return PracticeRecord(
            attempts=len(rows),
            best_score=max(scores) if scores else None,
            latest_score=int(latest) if latest is not None else None,
            last_practised=max(str(r["created_at"]) for r in rows) if rows else None,
        )

    def _to_story(self, row: sqlite3.Row) -> Story:
        try:
            skills = tuple(str(s) for s in json.loads(row["skills"] or "[]"))
        except (json.JSONDecodeError, TypeError):
            skills = ()  # a damaged list loses only the skills, never the story
        return Story(
            id=int(row["id"]),
            title=row["title"],
            situation=row["situation"],
            task=row["task"],
            actions=row["actions"],
            result=row["result"],
            skills=skills,
            quantified_result=row["quantified_result"],
            source_attempt_id=row["source_attempt_id"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            record=self.story_record(int(row["id"]), row["source_attempt_id"]),
        )

    # -- reading ---------------------------------------------------------------------------

    def get(self, attempt_id: int | str) -> Attempt:
        """One attempt ("last" for the newest)."""
        number = _attempt_number(attempt_id)
        args: tuple[Any, ...]
        if number is None:
            sql, args = "SELECT * FROM attempts ORDER BY id DESC LIMIT 1", ()
        else:
            sql, args = "SELECT * FROM attempts WHERE id = ?", (number,)
        row = self._query(sql, args)
        if not row:
            raise _missing(number)
        return self._to_attempt(row[0])

    def list(
        self,
        *,
        category: str | None = None,
        question_id: str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        limit: int | None = None,
    ) -> Attempts:
        """Attempts newest first; `since` is inclusive, `until` exclusive."""
        where: list[str] = []
        args: list[Any] = []
        if category is not None:
            where.append("category = ?")
            args.append(category)
        if question_id is not None:
            where.append("question_id = ?")
            args.append(question_id)
        if since is not None:
            where.append("created_at >= ?")
            args.append(_as_utc_iso(since))
        if until is not None:
            where.append("created_at < ?")
            args.append(_as_utc_iso(until))
        sql = "SELECT * FROM attempts"
        if where:
            sql += " WHERE " + " AND ".join(where)
        # Ids follow the order of saving, which is what "newest" and "last" mean here.
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(min(int(limit), MAX_RECORD_NUMBER))  # SQLite takes no larger integer
        return [self._to_attempt(row) for row in self._query(sql, tuple(args))]

    def follow_ups(self, attempt_id: int) -> Attempts:
        """The answers to follow-up questions asked after attempt `attempt_id`, oldest first."""
        rows = self._query(
            "SELECT * FROM attempts WHERE follow_up_of = ? ORDER BY id", (int(attempt_id),)
        )
        return [self._to_attempt(row) for row in rows]

    def previous(self, question: Question | str, before_id: int | None = None) -> Attempt | None:
        """The latest attempt at the same question saved before `before_id`, or None.

        A Question matches on its id when it has one, else on its text; a string matches
        either a question id or a question's text.
        """
        args: list[Any]
        if isinstance(question, Question):
            if question.id is not None:
                match, args = "question_id = ?", [question.id]
            else:
                match, args = "question_text = ?", [question.text]
        else:
            match, args = "(question_id = ? OR question_text = ?)", [question, question]
        sql = f"SELECT * FROM attempts WHERE {match}"
        if before_id is not None:
            sql += " AND id < ?"
            args.append(int(before_id))
        rows = self._query(sql + " ORDER BY id DESC LIMIT 1", tuple(args))
        return self._to_attempt(rows[0]) if rows else None

    def count_by_question(self) -> dict[str, int]:
        """Attempts per question, keyed by question id (or the text for an ad-hoc question)."""
        rows = self._query(
            "SELECT COALESCE(question_id, question_text) AS q, COUNT(*) FROM attempts "
            "WHERE COALESCE(question_id, question_text) IS NOT NULL GROUP BY q ORDER BY q",
            (),
        )
        return {str(q): int(n) for q, n in rows}

    def integrity_check(self) -> str:
        """SQLite's own verdict on the file: "ok" when sound."""
        return str(self._query("PRAGMA integrity_check", ())[0][0])

    def _locate(self, attempt_id: int | str) -> tuple[int, str]:
        number = _attempt_number(attempt_id)
        args: tuple[Any, ...]
        if number is None:
            sql, args = "SELECT id, created_at FROM attempts ORDER BY id DESC LIMIT 1", ()
        else:
            sql, args = "SELECT id, created_at FROM attempts WHERE id = ?", (number,)
        row = self._conn.execute(sql, args).fetchone()
        if row is None:
            raise _missing(number)
        return int(row[0]), str(row[1])

    def _to_attempt(self, row: sqlite3.Row) -> Attempt:
        try:
            analysis = Analysis.from_dict(json.loads(row["payload"]))
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:
            # Not JSON (or nested past the parser), or JSON that is not an analysis (a part
            # missing, a value of the wrong type).
            why = str(e) if isinstance(e, json.JSONDecodeError) else f"{type(e).__name__}: {e}"
            raise StoreError(
                f"Attempt {row['id']} in {self.db_path} is damaged ({why}); "
                f"delete it with `practice delete {row['id']} --yes`."
            ) from e
        # The columns are the truth for what the database itself assigned.
        analysis = dataclasses.replace(analysis, id=row["id"], created_at=row["created_at"])
        return Attempt(
            analysis=analysis,
            # A path outside recordings/ reads as no recording: never played, sent or deleted.
            audio_path=recording_path(self.home, row["audio_path"]),
            audio_sha256=row["audio_sha256"],
            session_id=row["session_id"],
            story_id=row["story_id"],
            follow_up_of=row["follow_up_of"],
        )

    def _query(self, sql: str, args: tuple[Any, ...]) -> builtins.list[sqlite3.Row]:
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.Error as e:
            raise self._error("read", e) from e

    # -- review, backup and restore --------------------------------------------------------

    def attempts_at(self, question: Question | str) -> Attempts:
        """Every attempt at the same question (matched as `previous` matches), oldest first."""
        args: tuple[Any, ...]
        if isinstance(question, Question):
            if question.id is not None:
                match, args = "question_id = ?", (question.id,)
            else:
                match, args = "question_text = ?", (question.text,)
        else:
            match, args = "(question_id = ? OR question_text = ?)", (question, question)
        rows = self._query(f"SELECT * FROM attempts WHERE {match} ORDER BY id", args)
        return [self._to_attempt(row) for row in rows]

    def is_empty(self) -> bool:
        """True when no attempt, outcome or story is kept (what restore may overwrite freely)."""
        for table in ("attempts", "outcomes", "stories"):
            if self._query(f"SELECT 1 FROM {table} LIMIT 1", ()):
                return False
        return True

    def backup(self, dest: Path) -> BackupSummary:
        """Write a zip of the database (a consistent copy through SQLite's backup API, safe while
        another practice writes) and every recording a row refers to."""
        import zipfile

        dest = Path(dest).expanduser()
        rows = self._query(
            "SELECT audio_path, audio_sha256 FROM attempts WHERE audio_path IS NOT NULL", ()
        )
        _check_replaceable(dest)
        work = _work_dir(self.home)
        partial: Path | None = None
        try:
            snapshot = work / DB_NAME
            target = sqlite3.connect(snapshot)
            try:
                self._conn.backup(target)
                # A single file: the zip must not depend on a -wal beside it.
                target.execute("PRAGMA journal_mode = DELETE")
                # The backup API copies pages as they are, damaged ones too: a backup that
                # restore would refuse must fail now, while the user can still act on it.
                verdict = str(target.execute("PRAGMA integrity_check").fetchone()[0])
            except sqlite3.Error as e:
                raise self._error("back up", e) from e
            finally:
                target.close()
            if verdict != "ok":
                raise StoreError(
                    f"The history {self.db_path} is damaged ({verdict}); no backup was written. "
                    "Copy the whole home folder aside as it is before changing anything."
                )
            recordings: dict[str, str | None] = {}
            # A fresh name of our own beside dest (O_EXCL): never a link or pipe left there.
            fd, name = tempfile.mkstemp(
                prefix=f"{TMP_PREFIX}{os.getpid()}-", suffix=".zip", dir=dest.parent
            )
            partial = Path(name)
            with os.fdopen(fd, "w+b") as out, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.write(snapshot, DB_NAME)
                missing = 0
                for relative, digest in rows:
                    path = recording_path(self.home, relative)
                    if path is None or not path.is_file():
                        missing += 1  # deleted by hand: the attempt is still worth keeping
                        continue
                    # Audio is already compressed (flac, ogg) or large (wav): store, don't deflate.
                    zf.write(path, relative, compress_type=zipfile.ZIP_STORED)
                    recordings[relative] = digest
                attempts = int(self._query("SELECT COUNT(*) FROM attempts", ())[0][0])
                manifest = {
                    "format": BACKUP_FORMAT,
                    "created_at": utc_now(),
                    "schema_version": self.schema_version(),
                    "attempts": attempts,
                    "recordings": recordings,
                }
                zf.writestr(BACKUP_MANIFEST, json.dumps(manifest, indent=2))
            os.chmod(partial, FILE_MODE)
            _check_replaceable(dest)  # again: something may have been put there meanwhile
            os.replace(partial, dest)
        except OSError as e:
            raise StoreError(
                f"Cannot write the backup {dest}: {e.strerror or e}; check the folder exists "
                "and the disk has space."
            ) from e
        finally:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
            if partial is not None:
                with contextlib.suppress(OSError):
                    partial.unlink()
        return BackupSummary(
            path=dest,
            attempts=attempts,
            recordings=len(recordings),
            missing_recordings=missing,
            bytes=dest.stat().st_size,
        )

    def restore(self, source: Path, *, force: bool = False) -> BackupSummary:
        """Replace this history with a backup made by `backup`. Its rows are copied into a
        fresh database made by our own migrations (`_rebuild`: never the backup's schema, so no
        trigger or view of its own comes along) and every recording's sha256 is checked before
        anything in the home changes; a backup that fails a check leaves the home as it was.
        Refuses a non-empty history unless `force`."""
        import shutil
        import zipfile

        source = Path(source).expanduser()
        if source.exists() and not source.is_file():
            # A pipe nobody writes to would block the open forever; a device never ends.
            raise StoreError(f"{source} is not a regular file; give the path of a backup zip.")
        if not self.is_empty() and not force:
            count = int(self._query("SELECT COUNT(*) FROM attempts", ())[0][0])
            raise StoreError(
                f"The history {self.db_path} is not empty ({count} attempts); restoring "
                f"{source} would replace it. Back it up first, then add --force."
            )
        work = _work_dir(self.home)
        try:
            try:
                zf = zipfile.ZipFile(source)
            except FileNotFoundError as e:
                raise StoreError(f"No such file: {source}; check the path of the backup.") from e
            except (zipfile.BadZipFile, OSError) as e:
                raise StoreError(f"{source} is not a practice backup (not a zip: {e}).") from e
            with zf:
                manifest = _read_manifest(zf, source)
                recordings: dict[str, str | None] = manifest["recordings"]
                for relative in recordings:
                    if not _safe_recording_name(relative):
                        raise StoreError(f"{source} names an unsafe recording path {relative!r}.")
                members = [zf.getinfo(DB_NAME), *(zf.getinfo(r) for r in recordings)]
                _check_sizes(members, source, self.home)
                for member in members:
                    _extract(zf, member, work, source)
            rebuilt = work / f"rebuilt-{DB_NAME}"
            count = _rebuild(work / DB_NAME, rebuilt, source)
            for relative, digest in recordings.items():
                if digest and _sha256(work / relative) != digest:
                    raise StoreError(
                        f"The recording {relative} in {source} does not match its checksum; "
                        "the backup is damaged."
                    )
                target = self.home / relative
                # Moving it in would change a recording the old rows may still need (should the
                # database copy fail next): only the very same file may stand in for it.
                if target.is_file() and _sha256(target) != _sha256(work / relative):
                    raise StoreError(
                        f"{source} holds a recording {relative} that differs from the one of "
                        "that name in this history; the backup is not one practice made. "
                        "Nothing was restored."
                    )
            # Recordings first: if the database copy then fails, the old rows still find theirs.
            for relative in recordings:
                target = self.home / relative
                os.replace(work / relative, target)
                os.chmod(target, FILE_MODE)
            _fsync_dir(self.recordings)
            src = sqlite3.connect(rebuilt)
            try:
                src.backup(self._conn)
            except sqlite3.Error as e:
                raise self._error("restore", e) from e
            finally:
                src.close()
            self._migrate()
            verdict = self.integrity_check()
            if verdict != "ok":
                raise StoreError(
                    f"The restored history {self.db_path} failed its check: {verdict}."
                )
            kept = {
                str(r[0])
                for r in self._query(
                    "SELECT audio_path FROM attempts WHERE audio_path IS NOT NULL", ()
                )
            }
            for path in self.recordings.iterdir():
                # Audio of attempts the backup does not hold; takes and temp copies stay.
                relative = f"{RECORDINGS_DIR}/{path.name}"
                if path.is_file() and not path.name.startswith(TMP_PREFIX) and relative not in kept:
                    with contextlib.suppress(OSError):
                        path.unlink()
        except OSError as e:
            raise StoreError(
                f"Cannot restore {source} into {self.home}: {e.strerror or e}; check the disk "
                "has space and you can write there."
            ) from e
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return BackupSummary(
            path=source,
            attempts=count,
            recordings=len(recordings),
            missing_recordings=0,
            bytes=source.stat().st_size,
        )

    # -- transactions and errors -----------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self, action: str) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception; sqlite errors as StoreError."""
        try:
            # IMMEDIATE takes the write lock now, so a busy database waits here (busy_timeout)
            # rather than failing halfway when a read would have to turn into a write.
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise self._error(action, e) from e
        try:
            yield
            self._conn.execute("COMMIT")
        except BaseException as e:
            if self._conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise self._error(action, e) from e
            raise

    def _error(self, action: str, e: sqlite3.Error) -> StoreError:
        text = str(e)
        if "not a database" in text or "malformed" in text or "encrypted" in text:
            return StoreError(
                f"{self.db_path} is not a readable history database ({text}); move it aside "
                "(rename it) and practice will start a new history."
            )
        if "locked" in text or "busy" in text:
            return StoreError(
                f"The history {self.db_path} is busy ({text}); another practice is writing to "
                "it: wait for it to finish and try again."
            )
        if "readonly" in text or "read-only" in text or "unable to open" in text:
            return StoreError(
                f"Cannot {action} the history {self.db_path} ({text}); check that you own it "
                "and can write to it."
            )
        if "full" in text:
            return StoreError(
                f"Cannot {action} the history {self.db_path}: the disk is full; free some space."
            )
        return StoreError(f"Cannot {action} the history {self.db_path}: {text}.")


def _summary(analysis: Analysis) -> tuple[Any, ...]:
    """The attempt's searchable columns, in _COLUMNS order after created_at, before session_id."""
    q = analysis.question
    s = analysis.scores
    return (
        analysis.source,
        q.id if q else None,
        q.text if q else None,
        analysis.category,
        analysis.transcript.engine,
        analysis.transcript.model,
        int(analysis.analyzer_version),
        None if analysis.duration_s is None else float(analysis.duration_s),
        int(s.overall),
        int(s.structure.score),
        None if s.delivery is None else int(s.delivery.score),
        int(s.enthusiasm.score),
        int(s.content.score),
    )


OUTCOME_FIELDS = ("date", "company", "role", "stage", "result", "notes")  # what may be edited


def _to_outcome(row: sqlite3.Row) -> Outcome:
    return Outcome(
        id=int(row["id"]),
        created_at=str(row["created_at"]),
        date=str(row["date"]),
        company=str(row["company"]),
        role=str(row["role"]),
        stage=str(row["stage"]),
        result=str(row["result"]),
        notes=row["notes"],
    )


def _missing_outcome(outcome_id: int) -> StoreError:
    return StoreError(f"No outcome {outcome_id}; run `practice outcomes` to list them.")


def _create_private(path: Path) -> None:
    """Create an empty file readable only by its owner, unless it exists already."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    except OSError as e:
        raise HomeError(
            f"Cannot create {path}: {e.strerror}; check that you can write to {path.parent}."
        ) from e
    try:
        os.fchmod(fd, FILE_MODE)  # the mode given to open() is filtered by the umask
    finally:
        os.close(fd)


# -- backups ------------------------------------------------------------------------------------

BACKUP_FORMAT = "practice-backup-1"
BACKUP_MANIFEST = "manifest.json"


@dataclasses.dataclass(frozen=True)
class BackupSummary:
    path: Path
    attempts: int
    recordings: int
    missing_recordings: int  # rows whose audio file was already gone when backing up
    bytes: int


def _check_replaceable(dest: Path) -> None:
    """StoreError unless `dest` is a regular file or nothing: the backup is renamed over it, and
    a rename replaces a symlink, pipe or device itself (as root, /dev/full)."""
    import stat

    try:
        mode = os.lstat(dest).st_mode
    except FileNotFoundError:
        return
    except OSError as e:
        raise StoreError(f"Cannot write the backup {dest}: {e.strerror or e}.") from e
    if not stat.S_ISREG(mode):
        kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
        raise StoreError(
            f"Cannot write the backup to {dest}: it is {kind}; give the path of a new file."
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_recording_name(relative: str) -> bool:
    # Only "recordings/<file>": a crafted zip must not write outside the home.
    parts = relative.split("/")
    return (
        len(parts) == 2
        and parts[0] == RECORDINGS_DIR
        and parts[1] not in ("", ".", "..")
        and "\\" not in relative
        and not parts[1].startswith(TMP_PREFIX)
    )


# A manifest lists one line per recording: 16 MiB is over 100,000 of them. Read no more than
# this, whatever its header declares (a 2 MB zip can hold a 2 GiB manifest).
MAX_MANIFEST_BYTES = 16 << 20
# Deflate shrinks a zero-filled stream over 1000 times; what a backup holds does not come near
# 100 (recordings are stored as they are, the database's text deflates 5-10 times). A member
# past both limits is a zip bomb, refused before a byte of it is written.
MAX_COMPRESSION_RATIO = 100
BOMB_MIN_BYTES = 64 << 20
# Room left free on the disk after a restore, so the home can still write its journal.
FREE_SPACE_MARGIN = 64 << 20


def _read_manifest(zf: Any, source: Path) -> dict[str, Any]:
    """The manifest, checked: a dict of our format whose `recordings` maps member names in the
    zip to a sha256 string (or null). StoreError otherwise."""
    names = set(zf.namelist())
    if BACKUP_MANIFEST not in names or DB_NAME not in names:
        raise StoreError(f"{source} is not a practice backup (no {BACKUP_MANIFEST} or {DB_NAME}).")
    info = zf.getinfo(BACKUP_MANIFEST)
    if info.file_size > MAX_MANIFEST_BYTES:
        raise StoreError(
            f"{source} is not a practice backup: its {BACKUP_MANIFEST} declares "
            f"{info.file_size} bytes (a real one is far under {MAX_MANIFEST_BYTES >> 20} MiB)."
        )
    try:
        with zf.open(info) as f:
            # Bounded even if the declared size lies.
            text = f.read(MAX_MANIFEST_BYTES + 1)
        if len(text) > MAX_MANIFEST_BYTES:
            raise StoreError(
                f"{source} is not a practice backup: its {BACKUP_MANIFEST} is too big."
            )
        manifest = json.loads(text)
    except (ValueError, RecursionError) as e:  # not JSON, or nested past the parser
        raise StoreError(f"{source} is not a practice backup ({BACKUP_MANIFEST}: {e}).") from e
    except _zip_errors() as e:
        raise StoreError(f"{source} is damaged ({BACKUP_MANIFEST}: {e}).") from e
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise StoreError(f"{source} is not a practice backup this version can read.")
    recordings = manifest.get("recordings")
    if recordings is None:
        recordings = {}
    if not isinstance(recordings, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in recordings.items()
    ):
        raise StoreError(
            f"{source} is not a practice backup this version can read: its {BACKUP_MANIFEST} "
            "lists recordings in the wrong form (not names with checksums)."
        )
    missing = [r for r in recordings if r not in names]
    if missing:
        raise StoreError(f"{source} is incomplete: {missing[0]} is missing.")
    return {**manifest, "recordings": recordings}


def _zip_errors() -> tuple[type[Exception], ...]:
    """What reading a damaged member raises: a bad CRC or header, or a broken deflate stream."""
    import zipfile
    import zlib

    return (zipfile.BadZipFile, zlib.error, EOFError)


def _check_sizes(members: builtins.list[Any], source: Path, home: Path) -> None:
    """StoreError for a zip bomb, or when the disk has no room for what would be extracted;
    from the sizes the zip declares, before anything is written (`_extract` holds it to them)."""
    import shutil

    for m in members:
        if m.file_size > BOMB_MIN_BYTES and m.file_size > MAX_COMPRESSION_RATIO * max(
            m.compress_size, 1
        ):
            raise StoreError(
                f"{source} is not a backup practice can trust: {m.filename} would expand from "
                f"{m.compress_size} to {m.file_size} bytes; nothing was restored."
            )
    database = members[0].file_size
    needed = sum(m.file_size for m in members) + database + FREE_SPACE_MARGIN  # + the rebuild
    free = shutil.disk_usage(home).free
    if needed > free:
        raise StoreError(
            f"Not enough room to restore {source} into {home}: it needs {needed >> 20} MiB and "
            f"{free >> 20} MiB are free; free some space and try again. Nothing was restored."
        )


def _extract(zf: Any, member: Any, work: Path, source: Path) -> None:
    """Copy one member into `work`, never writing more than its declared size (zipfile stops
    there too; this holds whatever the zip module does) and checking its CRC."""
    target = work / member.filename
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    try:
        with zf.open(member) as src, open(target, "xb") as out:
            while chunk := src.read(COPY_CHUNK):
                written += len(chunk)
                if written > member.file_size:
                    raise StoreError(
                        f"{source} is damaged: {member.filename} holds more than the "
                        f"{member.file_size} bytes it declares; nothing was restored."
                    )
                out.write(chunk)
    except _zip_errors() as e:  # a CRC mismatch shows at the member's end
        raise StoreError(
            f"{source} is damaged: {member.filename} ({e}); nothing was restored."
        ) from e
    if written != member.file_size:
        raise StoreError(
            f"{source} is damaged: {member.filename} holds {written} of the {member.file_size} "
            "bytes it declares; nothing was restored."
        )


def _rebuild(snapshot: Path, fresh: Path, source: Path) -> int:
    """Copy the backup's rows into `fresh`, a new database made by this module's own migrations:
    only the tables and columns practice creates, never the backup's schema (a trigger or view
    it carries stays behind). Checks the backup's integrity and schema version, that every
    recording its rows name lies in recordings/, and the result's integrity; return the number
    of attempts. Nothing outside `fresh` is written."""
    try:
        old = sqlite3.connect(f"{Path(snapshot).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as e:
        raise StoreError(
            f"The database in {source} cannot be read ({e}); the backup is damaged."
        ) from e
    new = sqlite3.connect(fresh, isolation_level=None)
    try:
        return _copy_rows(old, new, source)
    except sqlite3.Error as e:
        raise StoreError(
            f"The database in {source} cannot be restored ({e}); the backup is damaged."
        ) from e
    finally:
        old.close()
        new.close()


def _columns(conn: sqlite3.Connection, table: str) -> builtins.list[str]:
    # `table` comes from sqlite_master of a database made by MIGRATIONS, or is one of those names.
    return [str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')]


def _copy_rows(old: sqlite3.Connection, new: sqlite3.Connection, source: Path) -> int:
    old.execute("PRAGMA trusted_schema = OFF")  # no function of the backup's schema runs
    old.execute("PRAGMA query_only = ON")
    verdict = str(old.execute("PRAGMA integrity_check").fetchone()[0])
    if verdict != "ok":
        raise StoreError(f"The database in {source} failed its integrity check: {verdict}.")
    version = int(old.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{source} was written by a newer practice (schema {version}; this one knows up to "
            f"{SCHEMA_VERSION}); upgrade practice to restore it."
        )
    if version < 1:
        raise StoreError(
            f"{source} is not a practice backup: its database has schema version {version}, "
            "which no practice writes; nothing was restored."
        )
    old_tables = {
        str(r[0]) for r in old.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    new.execute("PRAGMA foreign_keys = OFF")  # rows arrive table by table, references later
    new.execute("BEGIN")
    for statements in MIGRATIONS[:version]:  # the schema the backup claims, as we made it
        for statement in statements:
            new.execute(statement)
    tables = [
        str(r[0])
        for r in new.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        )
    ]
    for table in tables:
        wanted = _columns(new, table)
        have = set(_columns(old, table)) if table in old_tables else set()
        lacking = [c for c in wanted if c not in have]
        if lacking:
            raise StoreError(
                f"{source} is not a practice backup of schema {version}: its table {table} "
                f"lacks {', '.join(lacking)}; nothing was restored."
            )
        names = ", ".join(f'"{c}"' for c in wanted)
        marks = ", ".join("?" for _ in wanted)
        rows = old.execute(f'SELECT {names} FROM "{table}"')
        new.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
    if "sqlite_sequence" in old_tables:
        # Numbers of deleted attempts stay used: AUTOINCREMENT must not hand them out again.
        for name, seq in old.execute("SELECT name, seq FROM sqlite_sequence"):
            if name in tables and isinstance(seq, int):
                cursor = new.execute(
                    "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?", (seq, name)
                )
                if cursor.rowcount == 0:
                    new.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, seq)
                    )
    for statements in MIGRATIONS[version:]:
        for statement in statements:
            new.execute(statement)
    new.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    new.execute("COMMIT")
    for attempt_id, stored in new.execute(
        "SELECT id, audio_path FROM attempts WHERE audio_path IS NOT NULL"
    ):
        if not _safe_recording_name(str(stored)):
            raise StoreError(
                f"{source} is not a backup practice can trust: attempt {attempt_id} names a "
                f"recording outside the recordings folder ({stored}); nothing was restored."
            )
    verdict = str(new.execute("PRAGMA integrity_check").fetchone()[0])
    if verdict != "ok":
        raise StoreError(f"The database rebuilt from {source} failed its check: {verdict}.")
    return int(new.execute("SELECT COUNT(*) FROM attempts").fetchone()[0])
