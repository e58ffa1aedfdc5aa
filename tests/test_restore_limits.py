"""Backups and restores under attack (issue 20): damaged databases, what sits where the backup
goes, zip bombs, huge or ill-typed manifests, homes with URI characters in their path, restores
killed halfway, and a property test over random archives. Every archive is built by the test."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_restore import _files
from test_review import fill_history, invoke

from practice.history.store import DB_NAME


def _one_line_error(r) -> None:  # noqa: ANN001 - click's Result
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1, r.output


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


# -- backup: a damaged database, and what may sit at FILE --------------------------------------


def _damage_an_index(home: Path) -> None:
    """Overwrite the attempts_created_at index's page with garbage: the table still reads, only
    SQLite's integrity check finds the damage (the case a plain page copy let through)."""
    import sqlite3

    conn = sqlite3.connect(home / DB_NAME)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'attempts_created_at'"
        ).fetchone()[0]
    finally:
        conn.close()
    with open(home / DB_NAME, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * page_size)


def test_backup_of_a_damaged_database_fails(home: Path, tmp_path: Path) -> None:
    fill_history(home, tmp_path, [40, 50, 60])
    _damage_an_index(home)
    out = tmp_path / "backup.zip"
    r = invoke(home, "backup", str(out))
    _one_line_error(r)
    assert "damaged" in r.output
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


def _symlink(at: Path, tmp_path: Path) -> Path:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    at.symlink_to(victim)
    return victim


@pytest.mark.parametrize("kind", ["symlink", "dangling-symlink", "fifo", "directory", "device"])
def test_backup_never_renames_over_anything_but_a_regular_file(
    home: Path, tmp_path: Path, kind: str
) -> None:
    fill_history(home, tmp_path, [40])
    # Never a real /dev path: run as root on unfixed code, the rename would replace it.
    dest = tmp_path / "backup.zip"
    if kind == "device":
        try:  # a private copy of /dev/null (character device 1:3); making one needs root
            os.mknod(dest, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("making a device node needs root")
    else:
        if kind == "symlink":
            _symlink(dest, tmp_path)
        elif kind == "dangling-symlink":
            dest.symlink_to(tmp_path / "nowhere.zip")
        elif kind == "fifo":
            os.mkfifo(dest)
        else:
            dest.mkdir()
    before = os.lstat(dest)
    r = invoke(home, "backup", str(dest))
    if kind == "directory":
        assert r.exit_code == 2 and "is a directory" in r.output  # click's own usage check
    else:
        _one_line_error(r)
        assert "regular file" in r.output or "symbolic link" in r.output
    after = os.lstat(dest)
    assert (after.st_ino, stat.S_IFMT(after.st_mode)) == (
        before.st_ino,
        stat.S_IFMT(before.st_mode),
    )
    if kind == "symlink":
        assert (tmp_path / "victim.txt").read_text() == "keep me"
    assert not (tmp_path / "nowhere.zip").exists()


def test_backup_replaces_an_old_backup_file(home: Path, tmp_path: Path) -> None:
    fill_history(home, tmp_path, [40])
    dest = tmp_path / "backup.zip"
    dest.write_bytes(b"an older backup")
    r = invoke(home, "backup", str(dest))
    assert r.exit_code == 0, r.output
    assert zipfile.is_zipfile(dest)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600


# -- restore: sizes checked before and while extracting ----------------------------------------


def _real_backup(home: Path, tmp_path: Path) -> Path:
    fill_history(home, tmp_path, [40, 50])
    backup = tmp_path / "real.zip"
    r = invoke(home, "backup", str(backup))
    assert r.exit_code == 0, r.output
    return backup


def _rewrite(backup: Path, out: Path, replace: dict[str, bytes], *, stored: str = "") -> Path:
    """`backup` with the members in `replace` given new contents (added when new); the member
    named `stored` is written as its bytes are, uncompressed."""
    with zipfile.ZipFile(backup) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename not in replace:
                dst.writestr(item, src.read(item))
        for name, data in replace.items():
            method = zipfile.ZIP_STORED if name == stored else zipfile.ZIP_DEFLATED
            dst.writestr(name, data, compress_type=method)
    return out


def _patch(path: Path, name: str, **fields: int) -> None:
    """Rewrite header fields of member `name` in both its local and its central header, as a
    crafted zip could declare them: method, crc, compressed or uncompressed size."""
    import struct

    local = {"method": (8, "<H"), "crc": (14, "<I"), "csize": (18, "<I"), "usize": (22, "<I")}
    central = {"method": (10, "<H"), "crc": (16, "<I"), "csize": (20, "<I"), "usize": (24, "<I")}
    data = bytearray(path.read_bytes())
    raw = name.encode()
    for signature, offsets, name_at in ((b"PK\x03\x04", local, 30), (b"PK\x01\x02", central, 46)):
        at = data.find(signature)
        found = False
        while at != -1:
            if data[at + name_at : at + name_at + len(raw)] == raw:
                for field, value in fields.items():
                    offset, fmt = offsets[field]
                    struct.pack_into(fmt, data, at + offset, value)
                found = True
            at = data.find(signature, at + 4)
        assert found, (signature, name)
    path.write_bytes(bytes(data))


def _bomb(backup: Path, out: Path, gib: int = 2) -> Path:
    """`backup` with a recording that deflates from about 2 MB to `gib` GiB of zeros, declared
    honestly. Built from one self-contained deflate block repeated (no GiB ever in memory)."""
    import hashlib
    import zlib

    mib = bytes(1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)  # decodes alone to 1 MiB of zeros
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block
    count = gib << 10
    stream = block * count + end
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(mib, crc)
    name = "recordings/9-0123abcd.wav"
    digest = hashlib.sha256(b"").hexdigest()  # never reached: refused before
    with zipfile.ZipFile(backup) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    manifest["recordings"][name] = digest
    _rewrite(
        backup, out, {"manifest.json": json.dumps(manifest).encode(), name: stream}, stored=name
    )
    # Stored as raw bytes above; now declare them as what they are: deflate, and their size.
    _patch(out, name, method=zipfile.ZIP_DEFLATED, crc=crc, usize=count << 20)
    return out


def _restore_refused(home: Path, archive: Path, *expected: str) -> None:
    before = _files(home)
    r = invoke(home, "restore", str(archive), "--force")
    _one_line_error(r)
    assert any(e in r.output for e in expected), r.output
    assert _files(home) == before
    assert not [p for p in home.iterdir() if p.name.startswith(".tmp-")]


def test_a_zip_bomb_is_refused_before_anything_is_written(home: Path, tmp_path: Path) -> None:
    import time

    backup = _real_backup(tmp_path / "source", tmp_path)
    bomb = _bomb(backup, tmp_path / "bomb.zip")
    assert bomb.stat().st_size < 4 << 20
    with zipfile.ZipFile(bomb) as zf:  # the archive really is what it says
        with zf.open("recordings/9-0123abcd.wav") as f:
            assert f.read(1 << 20) == bytes(1 << 20)
    fill_history(home, tmp_path, [70])
    started = time.monotonic()
    _restore_refused(home, bomb, "would expand")
    assert time.monotonic() - started < 5


def test_a_member_longer_than_it_declares_is_refused(home: Path, tmp_path: Path) -> None:
    backup = _real_backup(tmp_path / "source", tmp_path)
    with zipfile.ZipFile(backup) as zf:
        name = next(n for n in zf.namelist() if n.startswith("recordings/"))
        size = zf.getinfo(name).file_size
    lying = tmp_path / "lying.zip"
    lying.write_bytes(backup.read_bytes())
    _patch(lying, name, usize=size // 10)  # declares a tenth of what it holds
    fill_history(home, tmp_path, [70])
    _restore_refused(home, lying, "damaged")


def test_a_huge_manifest_is_never_read(home: Path, tmp_path: Path) -> None:
    backup = _real_backup(tmp_path / "source", tmp_path)
    fill_history(home, tmp_path, [70])
    # Declared as 2 GiB: refused from the header alone.
    declared = tmp_path / "declared.zip"
    declared.write_bytes(backup.read_bytes())
    _patch(declared, "manifest.json", usize=2**31)
    _restore_refused(home, declared, "declares")
    # Really 17 MiB (of spaces, valid JSON around them) but declared small: the read stops at
    # the declared size and the check sum fails.
    with zipfile.ZipFile(backup) as zf:
        manifest = zf.read("manifest.json")
    padded = _rewrite(
        backup, tmp_path / "padded.zip", {"manifest.json": manifest + b" " * (17 << 20)}
    )
    _restore_refused(home, padded, "declares", "too big")
    _patch(padded, "manifest.json", usize=len(manifest))
    _restore_refused(home, padded, "damaged")


@pytest.mark.parametrize(
    "recordings",
    [
        5,
        [],
        ["recordings/1-0123abcd.wav"],
        "recordings/x",
        {"recordings/1-0123abcd.wav": 5},
        {"a": []},
    ],
    ids=["int", "empty-list", "list", "string", "int-digest", "list-digest"],
)
def test_a_manifest_listing_recordings_in_the_wrong_form_is_one_line(
    home: Path, tmp_path: Path, recordings: object
) -> None:
    backup = _real_backup(tmp_path / "source", tmp_path)
    with zipfile.ZipFile(backup) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    manifest["recordings"] = recordings
    crafted = _rewrite(
        backup, tmp_path / "typed.zip", {"manifest.json": json.dumps(manifest).encode()}
    )
    fill_history(home, tmp_path, [70])
    _restore_refused(home, crafted, "wrong form")


def test_restore_checks_the_free_space_first(home: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import shutil

    backup = _real_backup(tmp_path / "source", tmp_path)
    fill_history(home, tmp_path, [70])
    real = shutil.disk_usage

    def tight(path):  # noqa: ANN001, ANN202
        return real(path)._replace(free=10 << 20)

    monkeypatch.setattr(shutil, "disk_usage", tight)
    _restore_refused(home, backup, "Not enough room")
    monkeypatch.setattr(shutil, "disk_usage", real)
    r = invoke(home, "restore", str(backup), "--force")
    assert r.exit_code == 0, r.output


# -- a killed restore leaves nothing behind for long -------------------------------------------

KILL_MID_RESTORE = """
import os, signal, sys
from pathlib import Path
from practice.history import store

def die(*args, **kwargs):  # the moment the backup is unpacked in the home's work folder
    os.kill(os.getpid(), signal.SIGKILL)

store._rebuild = die
with store.History.open(Path(sys.argv[1])) as h:
    h.restore(Path(sys.argv[2]), force=True)
"""


def test_a_killed_restore_leaves_no_work_folder_after_the_next_start(
    home: Path, tmp_path: Path
) -> None:
    import subprocess
    import sys

    backup = _real_backup(tmp_path / "source", tmp_path)
    fill_history(home, tmp_path, [70])
    before = _files(home)
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, "-c", KILL_MID_RESTORE, str(home), str(backup)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        check=False,
    )
    assert proc.returncode == -9, proc.stderr
    left = [p for p in home.iterdir() if p.name.startswith(".tmp-")]
    assert any((p / DB_NAME).is_file() for p in left)  # the killed run's unpacked backup
    r = invoke(home, "history")
    assert r.exit_code == 0, r.output
    assert not [p for p in home.iterdir() if p.name.startswith(".tmp-")]
    assert _files(home) == before


def test_a_live_work_folder_is_left_alone_and_an_old_one_removed(
    home: Path, tmp_path: Path
) -> None:
    fill_history(home, tmp_path, [70])
    live = home / f".tmp-{os.getpid()}-live"  # this process: alive
    live.mkdir()
    unknown = home / ".tmp-nopid"  # no pid: left until it is a day old
    unknown.mkdir()
    old = home / ".tmp-oldrun"
    old.mkdir()
    (old / "x").write_bytes(b"x")
    os.utime(old, (0, 0))
    assert invoke(home, "history").exit_code == 0
    assert live.is_dir() and unknown.is_dir() and not old.exists()


# -- a home whose path reads as URI syntax ------------------------------------------------------


@pytest.mark.parametrize("name", ["a#b", "a?mode=rwc", "a%20b", "a%b", "q?x#y%z&w"])
def test_backup_and_restore_in_a_home_with_uri_characters(tmp_path: Path, name: str) -> None:
    source = tmp_path / f"src-{name}"
    ids = fill_history(source, tmp_path, [40, 50])
    backup = tmp_path / f"b-{name}.zip"
    assert invoke(source, "backup", str(backup)).exit_code == 0
    target = tmp_path / f"dst-{name}"
    outside = {p for p in tmp_path.rglob("*") if not p.is_relative_to(target)}
    r = invoke(target, "restore", str(backup))
    assert r.exit_code == 0, r.output
    r = invoke(target, "history", "--json")
    assert r.exit_code == 0, r.output
    assert sorted(a["id"] for a in json.loads(r.output)) == sorted(ids)
    # Nothing new outside the home (an unquoted URI made empty files beside it).
    assert {p for p in tmp_path.rglob("*") if not p.is_relative_to(target)} == outside


# -- the property: any archive either restores inside the home or changes nothing ---------------

GOOD_RECORDING = "recordings/1-0123abcd.wav"
NAMES = st.one_of(
    st.sampled_from(
        [
            GOOD_RECORDING,
            "recordings/2-89abcdef.flac",
            "../evil.wav",
            "/tmp/practice-evil.wav",
            "recordings/../../evil.wav",
            "recordings/../history.sqlite3",
            "recordings/.tmp-1-x",
            "recordings/",
            "recordings/sub/x.wav",
            "recordings\\..\\..\\evil.wav",
            "history.sqlite3",
            "manifest.json",
            "./recordings/3-aaaaaaaa.wav",
        ]
    ),
    st.text(alphabet="ab./\\-_", min_size=1, max_size=12),
)
DIGESTS = st.one_of(
    st.none(), st.just("right"), st.text(max_size=8), st.integers(), st.lists(st.none())
)
RECORDINGS = st.one_of(
    st.dictionaries(NAMES, DIGESTS, max_size=4),
    st.integers(),
    st.lists(NAMES, max_size=3),
    st.none(),
    st.text(max_size=5),
)


GOOD_NAMES = st.sampled_from([GOOD_RECORDING, "recordings/2-89abcdef.flac", "recordings/x.ogg"])


@st.composite
def archives(draw: st.DrawFn) -> dict:
    if draw(st.booleans()):  # a sound backup carrying hostile members the manifest does not list
        return {
            "format": "practice-backup-1",
            "recordings": draw(st.dictionaries(GOOD_NAMES, st.sampled_from(["right", None]))),
            "database": "real",
            "contents": draw(st.lists(st.binary(max_size=3000), min_size=1, max_size=3)),
            "extra": draw(st.lists(st.tuples(NAMES, st.binary(max_size=500)), max_size=3)),
            "manifest_raw": None,
        }
    return {
        "format": draw(st.sampled_from(["practice-backup-1", "practice-backup-1", "other", None])),
        "recordings": draw(RECORDINGS),
        "database": draw(
            st.sampled_from(["real", "real", "outside-row", "random", "truncated", "missing"])
        ),
        "contents": draw(st.lists(st.binary(max_size=3000), min_size=1, max_size=4)),
        "extra": draw(st.lists(st.tuples(NAMES, st.binary(max_size=500)), max_size=3)),
        "manifest_raw": draw(st.sampled_from([None, None, None, b"", b"[]", b"\xff", b"{" * 5000])),
    }


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A home to restore over, and database images to build archives from."""
    import shutil
    import sqlite3

    root = tmp_path_factory.mktemp("property")
    old = root / "old"
    fill_history(old, root, [55, 65])
    source = root / "source"
    fill_history(source, root, [40])
    backup = root / "real.zip"
    assert invoke(source, "backup", str(backup)).exit_code == 0
    with zipfile.ZipFile(backup) as zf:
        real = zf.read(DB_NAME)
    outside = root / "outside-row.sqlite3"
    outside.write_bytes(real)
    conn = sqlite3.connect(outside)
    conn.execute("UPDATE attempts SET audio_path = '../evil.wav'")
    conn.commit()
    conn.close()
    images = {"real": real, "random": os.urandom(4096), "truncated": real[: len(real) // 2]}
    for name, data in images.items():
        (root / f"{name}.sqlite3").write_bytes(data)
    shutil.rmtree(source)
    # Paths, not bytes: hypothesis prints the arguments of a failing example.
    return {"old": old, "images": root}


def _build(spec: dict, images: Path, path: Path) -> None:
    import hashlib
    import warnings

    recordings = spec["recordings"]
    warnings.simplefilter("ignore", UserWarning)  # a duplicate member name is part of the test
    with zipfile.ZipFile(path, "w") as zf:
        if isinstance(recordings, dict):
            for i, name in enumerate(recordings):
                data = spec["contents"][i % len(spec["contents"])]
                if recordings[name] == "right":
                    recordings = {**recordings, name: hashlib.sha256(data).hexdigest()}
                zf.writestr(zipfile.ZipInfo(name), data)
        for name, data in spec["extra"]:
            zf.writestr(zipfile.ZipInfo(name), data)
        if spec["database"] != "missing":
            zf.write(images / f"{spec['database']}.sqlite3", DB_NAME)
        manifest = {"format": spec["format"], "recordings": recordings}
        raw = spec["manifest_raw"]
        zf.writestr("manifest.json", json.dumps(manifest).encode() if raw is None else raw)


def _tree(root: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(root)): None if p.is_dir() else p.read_bytes()
        for p in root.rglob("*")
        if not p.is_symlink()
    }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=archives())
def test_any_archive_restores_inside_the_home_or_changes_nothing(
    sources: dict, tmp_path: Path, spec: dict
) -> None:
    import shutil
    import tempfile

    from practice.core.errors import PracticeError
    from practice.history.store import History

    sandbox = Path(tempfile.mkdtemp(dir=tmp_path))
    try:
        home = sandbox / "home"
        shutil.copytree(sources["old"], home)
        archive = sandbox / "archive.zip"
        _build(spec, sources["images"], archive)
        before_home, before_all = _files(home), _tree(sandbox)
        try:
            with History.open(home) as h:
                h.restore(archive, force=True)
        except PracticeError as e:
            event(f"refused: {type(e).__name__}")
            assert "\n" not in str(e)
            assert _files(home) == before_home  # byte for byte
        else:
            event("restored")
            for p in home.rglob("*"):
                assert p.resolve().is_relative_to(home.resolve()), p
            with History.open(home) as h:
                for attempt in h.list():
                    path = attempt.audio_path
                    assert path is None or path.resolve().parent == (home / "recordings").resolve()
        # Outside the home nothing appeared or changed, whatever the outcome.
        after_all = _tree(sandbox)
        outside = {k: v for k, v in after_all.items() if not k.startswith("home")}
        assert outside == {k: v for k, v in before_all.items() if not k.startswith("home")}
        assert not Path("/tmp/practice-evil.wav").exists()
        assert not [p for p in home.iterdir() if p.name.startswith(".tmp-")]
    finally:
        shutil.rmtree(sandbox, ignore_errors=True)


def test_restore_from_a_pipe_is_refused_without_hanging(home: Path, tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "backup.zip"
    os.mkfifo(fifo)

    def unblock() -> None:  # should the open block after all: end it, so the test fails, not hangs
        if not done.wait(10):
            with open(fifo, "wb"):
                pass

    done = threading.Event()
    threading.Thread(target=unblock, daemon=True).start()
    r = invoke(home, "restore", str(fifo))
    done.set()
    _one_line_error(r)
    assert "not a regular file" in r.output


def test_restore_never_changes_a_recording_the_old_rows_use(home: Path, tmp_path: Path) -> None:
    import hashlib

    fill_history(home, tmp_path, [70])
    name = next(p.name for p in (home / "recordings").iterdir())
    backup = _real_backup(tmp_path / "source", tmp_path)
    with zipfile.ZipFile(backup) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    other = b"RIFF other audio under the same name"
    manifest["recordings"][f"recordings/{name}"] = hashlib.sha256(other).hexdigest()
    crafted = _rewrite(
        backup,
        tmp_path / "same-name.zip",
        {"manifest.json": json.dumps(manifest).encode(), f"recordings/{name}": other},
    )
    _restore_refused(home, crafted, "differs")
    # The same file under the same name (a home restored from its own backup) is fine.
    own = tmp_path / "own.zip"
    assert invoke(home, "backup", str(own)).exit_code == 0
    r = invoke(home, "restore", str(own), "--force")
    assert r.exit_code == 0, r.output
