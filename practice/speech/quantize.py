"""A CTranslate2 Whisper model rewritten with its weights already in int8, as faster-whisper
runs them here.

The packaged models store float16 weights, so CTranslate2 quantized every matrix on every load:
0.26-0.30 s of base's 0.3 s load, with a 325 MB peak (the float16 file and float32 copies)
for a 171 MB model. Loading the int8 file takes 0.02-0.06 s. The rewrite does what the loader
did, row by row with the same scale (127 over the row's largest magnitude, rounded to the
nearest), so the loaded model is the same: on base the encoder output is bit-identical and the
words, times and probabilities of a 2-minute answer are the same. The convolutions stay float,
as the loader keeps them (quantized, the encoder output differed).

The file format (CTranslate2's model.bin, binary version 6): a header (version, spec name,
revision, variable count), then each variable as name, rank, dims, type id, byte count, bytes,
then the aliases as (name, target) pairs. Strings are a uint16 length (with the NUL), the
bytes and a NUL; integers little-endian.
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from practice.core.errors import ModelError

FLOAT32, INT8, FLOAT16 = 0, 1, 4  # CTranslate2's DataType ids
SUPPORTED_VERSION = 6


@dataclass(frozen=True)
class _Variable:
    name: str
    shape: tuple[int, ...]
    dtype: int
    offset: int  # where its bytes start in the source file
    size: int  # bytes


def quantize_int8(source: Path, out: Path) -> None:
    """Write `out` (a new directory) as `source` with int8 weights; the other files copied."""
    src = source / "model.bin"
    out.mkdir(mode=0o700, parents=True)
    for f in source.iterdir():
        if f.is_file() and f.name != "model.bin":
            shutil.copyfile(f, out / f.name)
    try:
        with open(src, "rb") as r, open(out / "model.bin", "wb") as w:
            version, spec, revision, variables, aliases = _read_index(r)
            # Streamed one variable at a time: the largest (base's 52 MB embeddings) sets the
            # memory, not the whole model.
            _put(w, "I", version)
            _put_string(w, spec)
            _put(w, "I", revision)
            _put(w, "I", len(variables) + sum(_quantized(v) for v in variables))
            for v in variables:
                r.seek(v.offset)
                data = r.read(v.size)
                for name, shape, dtype, payload in _converted(v, data):
                    _put_string(w, name)
                    _put(w, "B", len(shape))
                    for dim in shape:
                        _put(w, "I", dim)
                    _put(w, "B", dtype)
                    _put(w, "I", len(payload))
                    w.write(payload)
            _put(w, "I", len(aliases))
            for name, target in aliases:
                _put_string(w, name)
                _put_string(w, target)
    except (struct.error, ValueError, UnicodeDecodeError) as e:
        raise ModelError(
            f"{src} is not a CTranslate2 model file this version can read ({e}); "
            "run 'practice models install NAME --force'."
        ) from e


def _quantized(v: _Variable) -> bool:
    """Whether the loader quantizes `v` for int8: a float16 matrix of weights that is not a
    convolution's kernel (layer norms are named gamma and beta)."""
    return v.name.endswith("weight") and v.dtype == FLOAT16 and len(v.shape) == 2


def _converted(v: _Variable, data: bytes) -> Iterator[tuple[str, tuple[int, ...], int, bytes]]:
    """`v` as written for int8: the weights and their per-row scales, other float16 values as
    float32 (what the loader makes of them), the rest unchanged."""
    if _quantized(v):
        rows = np.frombuffer(data, np.float16).astype(np.float32).reshape(v.shape[0], -1)
        largest = np.abs(rows).max(axis=1)
        largest[largest == 0] = 127.0
        scale = (np.float32(127.0) / largest).astype(np.float32)
        weights = np.rint(rows * scale[:, None]).astype(np.int8)
        yield v.name, v.shape, INT8, weights.tobytes()
        yield f"{v.name}_scale", (v.shape[0],), FLOAT32, scale.tobytes()
    elif v.dtype == FLOAT16:
        yield v.name, v.shape, FLOAT32, np.frombuffer(data, np.float16).astype(np.float32).tobytes()
    else:
        yield v.name, v.shape, v.dtype, data


def _read_index(r: BinaryIO) -> tuple[int, str, int, list[_Variable], list[tuple[str, str]]]:
    version = _get(r, "I")
    if version != SUPPORTED_VERSION:
        raise ValueError(f"binary version {version}, expected {SUPPORTED_VERSION}")
    spec = _get_string(r)
    revision = _get(r, "I")
    variables = []
    for _ in range(_get(r, "I")):
        name = _get_string(r)
        shape = tuple(_get(r, "I") for _ in range(_get(r, "B")))
        dtype = _get(r, "B")
        size = _get(r, "I")
        variables.append(_Variable(name, shape, dtype, r.tell(), size))
        r.seek(size, 1)
    aliases = [(_get_string(r), _get_string(r)) for _ in range(_get(r, "I"))]
    return version, spec, revision, variables, aliases


def _get(r: BinaryIO, fmt: str) -> int:
    size = struct.calcsize("<" + fmt)
    return int(struct.unpack("<" + fmt, r.read(size))[0])


def _get_string(r: BinaryIO) -> str:
    return r.read(_get(r, "H"))[:-1].decode("utf-8")


def _put(w: BinaryIO, fmt: str, value: int) -> None:
    w.write(struct.pack("<" + fmt, value))


def _put_string(w: BinaryIO, text: str) -> None:
    data = text.encode("utf-8")
    _put(w, "H", len(data) + 1)
    w.write(data + b"\0")
