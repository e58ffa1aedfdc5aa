"""Plain text the user hands over in a file: a job posting or a typed answer."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import IO, Any

from practice.core.errors import InputError

PRIVATE_FILE_MODE = 0o600  # what holds the user's words or voice: readable by the user only

MAX_JOB_POSTING_CHARS = 200_000  # a posting is a page or two; anything far longer is a wrong file
MAX_TEXT_BYTES = MAX_JOB_POSTING_CHARS * 4  # four bytes per character at most in UTF-8
PIPE_WAIT_S = 5.0  # seconds a named pipe may take to send its first bytes


def read_text_file(path: str, what: str) -> str:
    """A job posting or typed answer from a plain file, or from standard input for "-", read
    no further than the size limit (so /dev/zero or a video never fills the memory)."""
    if path == "-":
        return _decode(_read_capped(sys.stdin.buffer), "standard input", what)
    p = Path(path)
    try:
        kind = p.stat().st_mode
        if stat.S_ISDIR(kind):
            raise IsADirectoryError(path)
        if stat.S_ISFIFO(kind):  # `--job <(command)`; a pipe nobody writes to must not hang
            data = _read_pipe(p, what)
        else:
            with p.open("rb") as f:
                data = _read_capped(f)
    except FileNotFoundError as e:
        raise InputError(f"No such file: {p}; check the path of the {what}.") from e
    except IsADirectoryError as e:
        raise InputError(f"{p} is a directory; give the {what} as a plain text file.") from e
    except PermissionError as e:
        raise InputError(f"Cannot read {p}: permission denied.") from e
    except OSError as e:  # an I/O error, a name too long
        raise InputError(
            f"Cannot read {p}: {e.strerror or e}; check the path of the {what}."
        ) from e
    return _decode(data, str(p), what)


def _read_pipe(p: Path, what: str) -> bytes:
    """A named pipe's text: opened without waiting for a writer, then given PIPE_WAIT_S for
    the first bytes to come."""
    import select

    fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not select.select([fd], [], [], PIPE_WAIT_S)[0]:
            raise InputError(
                f"Nothing came through the pipe {p} in {PIPE_WAIT_S:g} s; give the {what} as "
                "a plain text file, or '-' to read standard input."
            )
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as f:
            fd = -1  # the file object closes it now
            return _read_capped(f)
    finally:
        if fd >= 0:
            os.close(fd)


def _read_capped(f: IO[bytes]) -> bytes:
    # One byte past the limit, never the whole input, so the size check can tell.
    return f.read(MAX_TEXT_BYTES + 1)


def _decode(data: bytes, label: str, what: str) -> str:
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(
            f"{label} is over {MAX_TEXT_BYTES} bytes, too long for a {what}; give plain text."
        )
    if b"\x00" in data[:4096]:
        raise InputError(f"{label} is a binary file; save the {what} as plain text and try again.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as e:
            raise InputError(f"{label} is not UTF-8 text; save the {what} as UTF-8.") from e


def open_private(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> IO[Any]:
    """Open `path` for writing ("w" or "wb"), created or truncated readable by the user only
    whatever the umask (an existing file's mode is narrowed too). OSError as `open` raises it."""
    if mode not in ("w", "wb"):
        raise ValueError(f"open_private writes only, not {mode!r}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise
