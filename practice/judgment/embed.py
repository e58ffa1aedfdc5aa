"""Sentence embeddings with all-MiniLM-L6-v2, run in numpy: no torch on the live path.

The model is a 6-layer BERT (384 hidden, 12 heads, GELU, LayerNorm eps 1e-12); a text's vector
is the mean of its last hidden states over the attention mask, L2-normalised, as
sentence-transformers computes it for this model. Weights and tokenizer come from the pinned
package's zip, extracted and checked once into the data home (judgment/packaged).
"""

from __future__ import annotations

import json
import struct
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from practice.core.errors import ModelError
from practice.core.home import resolve_home
from practice.judgment.packaged import extracted, language_model

if TYPE_CHECKING:
    import numpy as np

MODEL = "all-MiniLM-L6-v2"  # the catalogue name (models/catalogue.toml)
DIMENSIONS = 384
MAX_TOKENS = 256  # sentence_bert_config.json's max_seq_length, [CLS] and [SEP] included
LAYERS = 6
HEADS = 12
LAYER_NORM_EPS = 1e-12
BATCH_TEXTS = 32  # texts per forward pass: bounds memory at 32 x 256 tokens


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a .safetensors file: an 8-byte little-endian header length, a JSON header
    of name -> dtype, shape, byte offsets, then the raw little-endian data."""
    import numpy as np

    dtypes = {"F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4"}
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    body = memoryview(data)[8 + n :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        array = np.frombuffer(body[begin:end], dtype=dtypes[info["dtype"]])
        tensors[name] = array.reshape(info["shape"])
    return tensors


def _erf(x: np.ndarray) -> np.ndarray:
    """erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7), numpy has none."""
    import numpy as np

    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x * 0.7071067811865476))  # BERT's exact GELU, not tanh's


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    import numpy as np

    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + LAYER_NORM_EPS) * weight + bias


class Encoder:
    """all-MiniLM-L6-v2 from a directory holding model.safetensors and tokenizer.json."""

    def __init__(self, directory: Path) -> None:
        import numpy as np
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()  # the shipped file pads every text to 128: padded per batch
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        try:
            from safetensors.numpy import load_file

            raw = load_file(str(directory / "model.safetensors"))
        except ImportError:
            raw = read_safetensors(directory / "model.safetensors")
        w = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in raw.items() if "ids" not in k}
        del raw
        # Only the embedding tables are kept as they are: the layers below hold their own
        # fused, transposed copies, and keeping both cost 85 MB of a 2-minute analysis's peak.
        self.embeddings = {k: v for k, v in w.items() if k.startswith("embeddings.")}
        self.layers: list[dict[str, Any]] = []
        for n in range(LAYERS):
            p = f"encoder.layer.{n}."
            q, k, v = (w[f"{p}attention.self.{x}.weight"] for x in ("query", "key", "value"))
            qb, kb, vb = (w[f"{p}attention.self.{x}.bias"] for x in ("query", "key", "value"))
            self.layers.append(
                {  # Linear weights stored transposed once, so a layer is x @ W + b
                    "qkv": np.ascontiguousarray(np.concatenate([q, k, v]).T),
                    "qkv_b": np.concatenate([qb, kb, vb]),
                    "out": np.ascontiguousarray(w[f"{p}attention.output.dense.weight"].T),
                    "out_b": w[f"{p}attention.output.dense.bias"],
                    "ln1": (
                        w[f"{p}attention.output.LayerNorm.weight"],
                        w[f"{p}attention.output.LayerNorm.bias"],
                    ),
                    "up": np.ascontiguousarray(w[f"{p}intermediate.dense.weight"].T),
                    "up_b": w[f"{p}intermediate.dense.bias"],
                    "down": np.ascontiguousarray(w[f"{p}output.dense.weight"].T),
                    "down_b": w[f"{p}output.dense.bias"],
                    "ln2": (w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"]),
                }
            )
        del w

    def token_ids(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(ids, mask), both (n, longest) int64, padded with 0 on the right."""
        import numpy as np

        encodings = self.tokenizer.encode_batch(list(texts))
        longest = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), longest), dtype=np.int64)
        mask = np.zeros((len(texts), longest), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        return ids, mask

    def hidden_states(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Last hidden states, (n, tokens, 384) float32."""
        import numpy as np

        e = self.embeddings
        n, length = ids.shape
        x = (
            e["embeddings.word_embeddings.weight"][ids]
            + e["embeddings.position_embeddings.weight"][:length]
            + e["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, e["embeddings.LayerNorm.weight"], e["embeddings.LayerNorm.bias"])
        head = DIMENSIONS // HEADS
        # padding is never attended to: its scores get the lowest float, as transformers does
        bias = np.where(mask[:, None, None, :] == 1, 0.0, np.finfo(np.float32).min)
        bias = bias.astype(np.float32)
        for layer in self.layers:
            qkv = x @ layer["qkv"] + layer["qkv_b"]  # (n, tokens, 3 * 384)
            qkv = qkv.reshape(n, length, 3, HEADS, head).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]  # (n, heads, tokens, 32)
            scores = (q @ k.transpose(0, 1, 3, 2)) / np.float32(np.sqrt(head)) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, DIMENSIONS)
            x = _layer_norm(context @ layer["out"] + layer["out_b"] + x, *layer["ln1"])
            up = _gelu(x @ layer["up"] + layer["up_b"])
            x = _layer_norm(up @ layer["down"] + layer["down_b"] + x, *layer["ln2"])
        return x.astype(np.float32)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        from threadpoolctl import threadpool_limits

        # One BLAS thread: on a busy machine (Whisper decoding beside it) OpenBLAS's waiting
        # threads cost ten times the work itself; alone, one thread is nearly as fast.
        with threadpool_limits(limits=1, user_api="blas"):
            return self._embedded(texts)

    def _embedded(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        # similar lengths share a batch, so little of each pass is padding
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH_TEXTS):
            rows = order[start : start + BATCH_TEXTS]
            ids, mask = self.token_ids([texts[i] for i in rows])
            states = self.hidden_states(ids, mask)
            m = mask[:, :, None].astype(np.float32)
            pooled = (states * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[rows] = pooled / np.clip(norms, 1e-12, None)
        return out


_lock = threading.Lock()
_encoders: dict[Path, Encoder] = {}


def load(home: Path | None = None) -> Encoder:
    """The encoder, extracted into `home` (the data home by default) on first use; one per
    process and home."""
    home = resolve_home(home)
    with _lock:
        if home not in _encoders:
            directory = extracted(home, language_model(MODEL))
            try:
                _encoders[home] = Encoder(directory)
            except (OSError, ValueError, KeyError) as err:
                raise ModelError(
                    f"Could not load {MODEL} from {directory}: {err}; delete that folder and "
                    "it is extracted again from the installed package on next use."
                ) from err
        return _encoders[home]


CACHED_TEXTS = 4096  # about 6 MB of vectors: every sentence of a long session
_cache: dict[tuple[Path, str], np.ndarray] = {}


def embed(texts: Sequence[str], *, home: Path | None = None) -> np.ndarray:
    """(len(texts), 384) float32 unit vectors: the dot product of two is their cosine.

    Vectors are remembered by text: the sentences of a take are embedded while the person
    speaks (app.rehearse.prepare_judgment_while_speaking), so after the take only the last
    sentence or two are new."""
    import numpy as np

    if isinstance(texts, str):
        raise TypeError("embed() takes a sequence of texts; wrap a single text in a list")
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    if not texts:
        return out
    where = resolve_home(home)
    with _lock:
        known = {i: _cache.get((where, t)) for i, t in enumerate(texts)}
    missing = sorted({t for i, t in enumerate(texts) if known[i] is None})
    if missing:
        vectors = load(where)(missing)
        with _lock:
            if len(_cache) + len(missing) > CACHED_TEXTS:
                _cache.clear()
            for t, v in zip(missing, vectors, strict=True):
                _cache[(where, t)] = v
        fresh = dict(zip(missing, vectors, strict=True))
    for i, t in enumerate(texts):
        v = known[i]
        out[i] = v if v is not None else fresh[t]
    return out
