"""Where a user's history, recordings and assembled models live."""

from __future__ import annotations

import os
from pathlib import Path

from practice.core.errors import HomeError

ENV_HOME = "PRACTICE_HOME"


def default_home() -> Path:
    """The platform's per-user data directory (for example ~/.local/share/practice on Linux)."""
    from platformdirs import user_data_path

    return user_data_path("practice", appauthor=False)


def resolve_home(path: str | os.PathLike[str] | None) -> Path:
    """The chosen home: an explicit path, then $PRACTICE_HOME, then the platform default."""
    chosen = path or os.environ.get(ENV_HOME) or default_home()
    return Path(chosen).expanduser().absolute()


def ensure_dir(path: Path) -> Path:
    """Create `path` (and missing parents) readable by the user only; HomeError when that is
    impossible. A folder that already exists keeps its mode: it is the user's choice (a
    `--home` on a shared 1777 folder must not lock others out of it)."""
    try:
        # Each missing level is made here, so each is private (mkdir's parents=True would make
        # the levels above `path` with the umask's mode, e.g. <home>/models 0755 for
        # <home>/models/base). mkdir's mode is filtered by the umask, so it is set outright.
        missing = [p for p in (path, *path.parents) if not p.exists()]
        for level in reversed(missing):
            try:
                level.mkdir(mode=0o700)
            except FileExistsError:
                continue  # made meanwhile by another process: its maker set the mode
            os.chmod(level, 0o700)
        probe = path / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise HomeError(
            f"Cannot write to the data home {path} ({e.strerror or e}); "
            f"choose another with --home DIR or {ENV_HOME}."
        ) from e
    return path


def write_text_atomically(path: Path, text: str, *, mode: int = 0o600) -> None:
    """Write `text` to a sibling temporary file (readable by the user only) and rename it over
    `path`, so a crash mid-write never truncates what was there. OSError on failure."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
