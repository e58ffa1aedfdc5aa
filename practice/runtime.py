"""Process-wide settings, made once when the command starts, before numpy loads or any
thread starts (both read them only then), and a quick exit when it ends.

The batch path keeps both cores busy with its own threads, one CTranslate2 worker each, so:
- glibc backs large blocks with huge pages (transparent huge pages, which Debian and Ubuntu
  give to programs that ask). CTranslate2 takes a fresh 72 MB block for the attention scores
  of every encoder layer; in 4 KB pages that was a million page faults on a 2-minute answer,
  2.2 of its 12 seconds of CPU spent in the kernel. With huge pages: 1.2 s, and the answer
  took 6.1-6.3 s instead of 6.9-7.1 s, peak memory the same.
- glibc gets at most four malloc arenas: with one per thread (eight and more here: the
  workers, the loader, the pitch track, onnxruntime's pool), memory one thread freed after
  decoding sat in its arena while another encoded, and a 2-minute answer peaked at 630-760 MB
  against 580-655 MB with four, no slower (two and three were slower or no better).
- numpy's OpenBLAS gets one thread: its idle threads spun after the feature extractor's
  matrix products and took 0.3-0.35 s of CPU from the workers on a 2-minute answer.
glibc reads the first two only as a program starts (GLIBC_TUNABLES), so the `practice`
command starts itself again once with them set: 0.02-0.04 s (`practice --help` took 0.08 s
before, 0.10-0.12 s after).
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import NoReturn

MALLOC_ARENAS = 4
_M_ARENA_MAX = -8  # glibc's mallopt parameter number


def main() -> None:
    """The `practice` command: started again with the settings above, then the CLI."""
    try:
        configure()
        restart_tuned()
        from practice.cli.main import main as cli_main
    except KeyboardInterrupt:  # Ctrl-C while starting: as the commands end on it
        print("Interrupted.", file=sys.stderr)
        raise SystemExit(130) from None
    try:
        cli_main()
    except SystemExit as e:  # click ends every command so, success too
        exit_now(e.code)


def restart_tuned() -> None:
    """Replace this process with the same command under glibc's TUNABLES (returns when they
    are already set, when the C library is not glibc, or when the restart fails)."""
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    if "glibc.malloc.hugetlb" in tunables or not _glibc():
        return
    ours = ["glibc.malloc.hugetlb=1"]
    if "MALLOC_ARENA_MAX" not in os.environ and "arena_max" not in tunables:
        ours.append(f"glibc.malloc.arena_max={MALLOC_ARENAS}")
    os.environ["GLIBC_TUNABLES"] = ":".join([tunables, *ours] if tunables else ours)
    try:
        os.execv(sys.executable, sys.orig_argv)
    except OSError:  # run on as we are: only slower
        pass


def _glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") is not None
    except (ValueError, OSError):  # not a GNU C library
        return False


def configure() -> None:
    """The settings this process can still make for itself; a user's own environment
    variables win."""
    if "numpy" not in sys.modules:  # too late otherwise: it read the variable at import
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if sys.platform.startswith("linux") and "MALLOC_ARENA_MAX" not in os.environ:
        try:
            ctypes.CDLL(None).mallopt(_M_ARENA_MAX, MALLOC_ARENAS)  # the C library's
        except (OSError, AttributeError):  # no mallopt: nothing to limit
            pass


def exit_now(code: object) -> NoReturn:
    """End the process with `code` (a SystemExit's). Once a speech engine is loaded, without
    the interpreter's teardown: freeing the model and the engines' libraries took 0.1 s of a
    2-minute answer's 7 s, after the feedback was already printed; the system frees it all
    in 0.03 s. Everything practice writes is closed before this (the history, the takes)."""
    if not any(m in sys.modules for m in ("ctranslate2", "torch")):
        raise SystemExit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): printed, status 1
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more to say
            pass
    os._exit(status)
