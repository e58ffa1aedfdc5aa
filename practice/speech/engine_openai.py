"""The openai-whisper engine: runs a checkpoint made by `speech.convert` on the CPU in float32."""

from __future__ import annotations

import base64
import gzip
import hashlib
import importlib
import pickle
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from practice.core.errors import InputError, ModelError
from practice.core.results import SAMPLE_RATE, Word

if TYPE_CHECKING:
    from whisper.model import Whisper

Progress = Callable[[float, float], None]  # (seconds transcribed, seconds in total)

HOP_SECONDS = 160 / SAMPLE_RATE  # 0.01 s: one mel frame, the unit of whisper's progress bar

# Loaded models by resolved checkpoint path: a mock interview transcribes many answers and
# loading base takes about a second.
_MODELS: dict[Path, Whisper] = {}
# whisper.transcribe's progress bar is a module-level name; one transcription swaps it at a time.
_PROGRESS_LOCK = threading.Lock()


def _heads_dump(pairs: list[list[int]], n_layers: int, n_heads: int) -> bytes:
    """Encode (layer, head) pairs the way `Whisper.set_alignment_heads` expects."""
    mask = np.zeros((n_layers, n_heads), dtype=bool)
    for layer, head in pairs:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes()))


def _official_heads(path: Path) -> bytes | None:
    """The alignment heads of an official openai-whisper checkpoint, known by its sha256."""
    import whisper

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    # whisper's download URLs embed each official file's sha256.
    urls: dict[str, str] = getattr(whisper, "_MODELS", {})
    heads: dict[str, bytes] = getattr(whisper, "_ALIGNMENT_HEADS", {})
    for name, url in urls.items():
        if f"/{digest.hexdigest()}/" in url and name in heads:
            return heads[name]
    return None


def load(checkpoint: Path) -> Whisper:
    """The Whisper model in `checkpoint` (from `speech.convert`), float32 on the CPU, cached."""
    key = Path(checkpoint).resolve()
    model = _MODELS.get(key)
    if model is not None:
        return model

    import torch
    from whisper.model import ModelDimensions, Whisper

    try:
        ckpt = torch.load(key, map_location="cpu", weights_only=True)
        dims = ModelDimensions(**ckpt["dims"])
        state = ckpt["model_state_dict"]
        pairs = ckpt.get("alignment_heads")
    except FileNotFoundError as e:
        raise ModelError(
            f"No openai-whisper checkpoint at {key}; install the model with "
            "'practice models install'."
        ) from e
    except (
        OSError,
        RuntimeError,
        pickle.UnpicklingError,
        EOFError,
        KeyError,
        TypeError,
        AttributeError,
        ValueError,
    ) as e:
        raise ModelError(
            f"The openai-whisper checkpoint {key} is corrupt ({e}); delete it and "
            "convert the model again."
        ) from e
    heads = _heads_dump(pairs, dims.n_text_layer, dims.n_text_head) if pairs else None
    heads = heads or _official_heads(key)
    if heads is None:
        # Whisper's fallback heads give drifting word times and, through seeking, looping text.
        raise ModelError(
            f"The checkpoint {key} carries no alignment heads; convert the model "
            "with practice so word timestamps are right."
        )
    model = Whisper(dims)
    try:
        # Copies the float16 tensors into the float32 parameters.
        model.load_state_dict(state)
        model.set_alignment_heads(heads)
    except (RuntimeError, IndexError, TypeError, ValueError) as e:
        raise ModelError(
            f"The checkpoint {key} does not fit its own dimensions ({e}); delete it "
            "and convert the model again."
        ) from e
    model = model.float().eval()
    _MODELS[key] = model
    return model


class _FrameProgress:
    """Stands in for `tqdm.tqdm` in whisper.transcribe, passing mel frames on as seconds."""

    def __init__(self, callback: Progress, total_s: float, **_: Any) -> None:
        self.callback = callback
        self.total_s = total_s
        self.frames = 0

    def __enter__(self) -> _FrameProgress:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def update(self, n: int = 1) -> None:
        self.frames += n
        self.callback(min(self.frames * HOP_SECONDS, self.total_s), self.total_s)


@contextmanager
def _progress_reported(progress: Progress | None, total_s: float) -> Iterator[None]:
    """Route whisper.transcribe's progress bar (its only hook) to `progress` for one call."""
    module = importlib.import_module("whisper.transcribe")
    if progress is None or not hasattr(module, "tqdm"):
        yield
        return
    with _PROGRESS_LOCK:
        saved = module.tqdm  # type: ignore[attr-defined]
        bar = types.SimpleNamespace(tqdm=lambda **kw: _FrameProgress(progress, total_s, **kw))
        module.tqdm = bar  # type: ignore[attr-defined]
        try:
            yield
        finally:
            module.tqdm = saved  # type: ignore[attr-defined]


def _language_code(language: str) -> str:
    from whisper.tokenizer import LANGUAGES, TO_LANGUAGE_CODE

    code = language.strip().lower()
    code = TO_LANGUAGE_CODE.get(code, code)
    if code not in LANGUAGES:
        raise InputError(f'Unknown language "{language}"; give a code such as "en" or "de".')
    return code


def transcribe(
    samples: np.ndarray,
    checkpoint: Path,
    *,
    initial_prompt: str | None,
    language: str | None,
    progress: Progress | None = None,
) -> tuple[list[Word], str, float]:
    """Words with times in seconds, the language code and its probability (0-1).

    `samples`: 16 kHz mono float32, shape (n,). Greedy decoding with whisper's temperature
    fallback; `language` None detects it from the first 30 s. `progress(done_s, total_s)` is
    called as each 30-s window completes. Words come back with filler=False.
    """
    import whisper
    from whisper.audio import N_FRAMES, N_SAMPLES, log_mel_spectrogram, pad_or_trim

    audio = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
    model = load(checkpoint)
    total_s = len(audio) / SAMPLE_RATE

    probability = 1.0
    if language is not None:
        language = _language_code(language)
        if not model.is_multilingual and language != "en":
            raise ModelError(
                f"The model {checkpoint} is English-only and cannot transcribe "
                f'"{language}"; choose a multilingual model such as base.'
            )
    elif not model.is_multilingual:
        language = "en"
    else:
        # The same mel whisper.transcribe makes (its normalisation depends on the whole clip),
        # so the detected language is the one it would pick; done here to keep the probability.
        mel = log_mel_spectrogram(audio, model.dims.n_mels, padding=N_SAMPLES)
        _, probs = model.detect_language(pad_or_trim(mel, N_FRAMES))
        language = max(probs, key=probs.get)
        probability = float(probs[language])

    reported = [0.0]  # the last done_s passed on, so the closing report is not a repeat

    def report(done_s: float, of_s: float) -> None:
        reported[0] = done_s
        if progress is not None:
            progress(done_s, of_s)

    with _progress_reported(report if progress else None, total_s):
        result = whisper.transcribe(
            model,
            audio,
            verbose=None,
            word_timestamps=True,
            fp16=False,
            language=language,
            initial_prompt=initial_prompt,
        )
    words = [
        Word(
            text=w["word"].strip(),
            start=float(w["start"]),
            end=float(w["end"]),
            probability=float(w["probability"]),
        )
        for segment in result["segments"]
        for w in segment.get("words", ())
        if w["word"].strip()
    ]
    if progress is not None and reported[0] < total_s:
        progress(total_s, total_s)
    return words, str(result["language"]), probability
