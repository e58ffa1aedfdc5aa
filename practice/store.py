"""The history: every analysed answer kept in SQLite under the data home, its audio copied in.

Layout under the home: `history.sqlite3` (WAL mode) and `recordings/<id>-<sha256[:8]><ext>`.
Each attempt row holds a few columns to filter and chart on, and `payload`, the full JSON
contract of `Analysis.to_dict()`, which is what readers get back.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import hashlib
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from practice.errors import HomeError, StoreError
from practice.results import Analysis, Question

DB_NAME = "history.sqlite3"
RECORDINGS_DIR = "recordings"
DIR_MODE = 0o700  # recordings are personal: only the owner may list or read them
FILE_MODE = 0o600
BUSY_TIMEOUT_S = 10.0  # how long a writer waits for another practice process to finish
TMP_PREFIX = ".tmp-"  # audio being copied in; never referenced by a row
STALE_TMP_S = 24 * 3600  # seconds: a temp copy this old was left by a process that crashed
HASH_CHARS = 8  # hex digits of the audio's sha256 kept in its file name
COPY_CHUNK = 1 << 20  # bytes

Row = dict[str, Any]
Rows = list[Row]  # an alias: inside History, `list` names the method

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
        "ALTER TABLE attempts ADD COLUMN story_id INTEGER REFERENCES stories(id) ON DELETE SET NULL",
        "CREATE INDEX attempts_story_id ON attempts(story_id)",
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


def _json_default(value: Any) -> Any:
    # numpy scalars (np.float32, np.int64, np.bool_) reach the results from the analysers.
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _payload(analysis: Analysis) -> str:
    return json.dumps(analysis.to_dict(), ensure_ascii=False, default=_json_default)


def _fsync_dir(path: Path) -> None:
    # A rename is durable only once the directory entry itself reaches the disk.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


def _attempt_number(attempt_id: int | str) -> int | None:
    """The attempt's number, or None for "last"."""
    if isinstance(attempt_id, int) and not isinstance(attempt_id, bool):
        return attempt_id
    text = str(attempt_id).strip()
    if text.lower() == "last":
        return None
    if text.isdigit():
        return int(text)
    raise StoreError(f'"{attempt_id}" is not an attempt number; give a number or "last".')


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
        cutoff = time.time() - STALE_TMP_S
        for path in self.recordings.glob(f"{TMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()

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
        self, analysis: Analysis, audio_file: Path | None, *, session_id: int | None = None
    ) -> Analysis:
        """Keep an attempt and a copy of its audio; return it with `id` and `created_at` set.

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
            # Reached with a path still set only when the save failed.
            for leftover in (temp, final):
                if leftover is not None:
                    with contextlib.suppress(OSError):
                        leftover.unlink()
        return saved

    def _copy_in(self, source: Path) -> tuple[Path, str]:
        """Copy `source` to a temp file in recordings/, synced to disk; return it and its sha256."""
        digest = hashlib.sha256()
        fd, name = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=source.suffix, dir=self.recordings)
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
        if row[0]:
            with contextlib.suppress(FileNotFoundError):
                (self.home / row[0]).unlink()
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

    # -- reading ---------------------------------------------------------------------------

    def get(self, attempt_id: int | str) -> Row:
        """The stored JSON contract of one attempt ("last" for the newest), with `audio_path`."""
        number = _attempt_number(attempt_id)
        args: tuple[Any, ...]
        if number is None:
            sql, args = "SELECT * FROM attempts ORDER BY id DESC LIMIT 1", ()
        else:
            sql, args = "SELECT * FROM attempts WHERE id = ?", (number,)
        row = self._query(sql, args)
        if not row:
            raise _missing(number)
        return self._to_result(row[0])

    def list(
        self,
        *,
        category: str | None = None,
        question_id: str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        limit: int | None = None,
    ) -> Rows:
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
            args.append(int(limit))
        return [self._to_result(row) for row in self._query(sql, tuple(args))]

    def previous(self, question: Question | str, before_id: int | None = None) -> Row | None:
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
        return self._to_result(rows[0]) if rows else None

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

    def _to_result(self, row: sqlite3.Row) -> Row:
        try:
            result: Row = json.loads(row["payload"])
        except json.JSONDecodeError as e:
            raise StoreError(
                f"Attempt {row['id']} in {self.db_path} is damaged ({e}); "
                f"delete it with `practice history --delete {row['id']}`."
            ) from e
        # The columns are the truth for what the database itself assigned.
        result["id"] = row["id"]
        result["created_at"] = row["created_at"]
        result["audio_path"] = str(self.home / row["audio_path"]) if row["audio_path"] else None
        return result

    def _query(self, sql: str, args: tuple[Any, ...]) -> builtins.list[sqlite3.Row]:
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.Error as e:
            raise self._error("read", e) from e

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
