"""Plain text the user hands over in a file: a job posting or a typed answer."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

from practice.core.errors import InputError

PRIVATE_FILE_MODE = 0o600  # what holds the user's words or voice: readable by the user only

MAX_JOB_POSTING_CHARS = 200_000  # a posting is a page or two; anything far longer is a wrong file


def read_text_file(path: str, what: str) -> str:
    """A job posting or typed answer from a file ('-' for stdin is handled by the CLI)."""
    p = Path(path)
    limit = MAX_JOB_POSTING_CHARS * 4  # bytes: four per character at most in UTF-8
    try:
        with p.open("rb") as f:
            # Read one byte past the limit, never the whole file: /dev/zero or a video must not
            # fill the memory before the size check.
            data = f.read(limit + 1)
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
    if len(data) > limit:
        raise InputError(f"{p} is over {limit} bytes, too long for a {what}; give plain text.")
    if b"\x00" in data[:4096]:
        raise InputError(f"{p} is a binary file; save the {what} as plain text and try again.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as e:
            raise InputError(f"{p} is not UTF-8 text; save the {what} as UTF-8.") from e


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
