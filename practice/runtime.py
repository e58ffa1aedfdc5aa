"""Process-wide settings, made once when the command starts, before numpy loads or any
thread starts (both read them only then).

The batch path keeps both cores busy with its own threads, one CTranslate2 worker each, so:
- numpy's OpenBLAS gets one thread: its idle threads spun after the feature extractor's
  matrix products and took 0.3-0.35 s of CPU from the workers on a 2-minute answer.
- glibc gets at most four malloc arenas: with one per thread (eight and more here: the
  workers, the loader, the pitch track, onnxruntime's pool), memory one thread freed after
  decoding sat in its arena while another encoded, and a 2-minute answer peaked at 630-760 MB
  against 580-655 MB with four, no slower (two and three were slower or no better).
"""

from __future__ import annotations

import ctypes
import os
import sys

MALLOC_ARENAS = 4
_M_ARENA_MAX = -8  # glibc's mallopt parameter number


def configure() -> None:
    """Apply the settings above; a user's own environment variables win."""
    if "numpy" not in sys.modules:  # too late otherwise: it read the variable at import
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if sys.platform.startswith("linux") and "MALLOC_ARENA_MAX" not in os.environ:
        try:
            ctypes.CDLL(None).mallopt(_M_ARENA_MAX, MALLOC_ARENAS)  # the C library's
        except (OSError, AttributeError):  # no mallopt: nothing to limit
            pass
