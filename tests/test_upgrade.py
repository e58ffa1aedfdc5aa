"""A history written at schema version 1 opens after the upgrade with every attempt intact."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from practice.core.results import Analysis, Question
from practice.history import store
from practice.history.store import History
from practice.judgment.coach import analyze_text


def v1_history(home: Path) -> list[dict]:
    """A version-1 home built from store.MIGRATIONS[0]: three attempts, two with audio."""
    (home / "recordings").mkdir(parents=True)
    conn = sqlite3.connect(home / store.DB_NAME)
    for statement in store.MIGRATIONS[0]:
        conn.execute(statement)
    q = Question("why-this-job", "Why this job?", "fit")
    payloads = []
    for i, text in enumerate(
        [
            "I love building tools for nurses.",
            "We cut waiting times by 30 percent.",
            "I want to add value to your team from day one.",
        ],
        start=1,
    ):
        a = analyze_text(text, question=q if i != 2 else None, source=f"answer-{i}.wav")
        doc = a.to_dict()
        doc["id"], doc["created_at"] = i, f"2024-0{i}-01T10:00:00.000+00:00"
        audio = f"recordings/{i}-0000000{i}.wav" if i != 3 else None
        if audio:
            (home / audio).write_bytes(b"RIFF....WAVE" + bytes([i]) * 100)
        conn.execute(
            "INSERT INTO attempts (id, created_at, source, question_id, question_text, category, "
            "engine, model, analyzer_version, duration_s, overall, structure, delivery, "
            "enthusiasm, content, audio_path, audio_sha256, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, 'typed', 'none', 1, NULL, ?, ?, NULL, ?, ?, ?, NULL, ?)",
            (
                i,
                doc["created_at"],
                doc["source"],
                doc["question"] and doc["question"]["id"],
                doc["question"] and doc["question"]["text"],
                doc["category"],
                doc["scores"]["overall"],
                doc["scores"]["structure"],
                doc["scores"]["enthusiasm"],
                doc["scores"]["content"],
                audio,
                json.dumps(doc),
            ),
        )
        payloads.append(json.loads(json.dumps(doc)))  # as JSON gives it back: lists
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    return payloads


def test_version_1_history_upgrades_with_attempts_intact(tmp_path: Path) -> None:
    home = tmp_path / "home"
    old = v1_history(home)
    with History.open(home) as h:
        assert h.schema_version() == store.SCHEMA_VERSION > 1
        assert h.integrity_check() == "ok"
        rows = h.list()
        assert [r.id for r in rows] == [3, 2, 1]
        for doc in old:
            got = h.get(doc["id"])
            assert got.analysis == Analysis.from_dict(doc)
            printed = json.loads(json.dumps(got.to_dict()))
            for key in (
                "source",
                "created_at",
                "category",
                "scores",
                "structure",
                "content",
                "transcript",
                "tips",
            ):
                assert printed[key] == doc[key], key
            assert (got.audio_path is None) == (doc["id"] == 3)
            if got.audio_path:
                assert got.audio_path.read_bytes()[-1] == doc["id"]
        # The upgraded schema is usable: the new column and tables exist, and saving works.
        probe = sqlite3.connect(h.db_path)
        try:
            cols = {r[1] for r in probe.execute("PRAGMA table_info(attempts)")}
        finally:
            probe.close()
        assert "story_id" in cols
        assert h.stories() == [] and h.outcomes() == []
        new = h.save(analyze_text("We shipped on time.", question=None), None)
        assert new.id == 4
    with History.open(home) as h:  # a second open does not migrate again
        assert h.schema_version() == store.SCHEMA_VERSION
        assert len(h.list()) == 4


def test_an_attempt_written_before_the_newer_fields_existed_still_loads(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from test_results import without_optional_fields

    from practice.cli.main import cli

    home = tmp_path / "home"
    old = v1_history(home)
    conn = sqlite3.connect(home / store.DB_NAME)
    with conn:  # attempt 1 as an older practice wrote it: no field that has a default
        conn.execute(
            "UPDATE attempts SET payload = ? WHERE id = 1",
            (json.dumps(without_optional_fields(old[0])),),
        )
    conn.close()
    with History.open(home) as h:
        got = h.get(1)
    assert (got.id, got.created_at) == (1, old[0]["created_at"])  # the columns fill them in
    assert got.analysis.question is not None and got.analysis.question.tags == ()
    assert got.analysis.structure.order_ok is True
    assert got.analysis.content.job_terms_used == ()
    assert got.analysis.scores == Analysis.from_dict(old[0]).scores
    assert got.analysis.transcript == Analysis.from_dict(old[0]).transcript
    for args in (
        ["history", "--json"],
        ["review", "1", "--json"],
        ["progress"],
        ["export", "--format", "csv"],
    ):
        r = CliRunner().invoke(cli, ["--home", str(home), *args])
        assert r.exit_code == 0, (args, r.output)
    printed = json.loads(CliRunner().invoke(cli, ["--home", str(home), "history", "--json"]).output)
    assert printed[-1]["structure"]["order_ok"] is True  # shown with the default
