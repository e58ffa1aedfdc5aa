"""A question read aloud as a WAV file, for a page to play: the same voices as `--speak`
(the `voice` setting: the natural Piper voice by default, espeak-ng when Piper cannot read or
is not chosen), synthesised on this machine and kept in memory by the text's hash, so asking
again costs nothing. Nothing here plays sound, prints or sends anything anywhere.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from practice.core.errors import NoVoiceError

MAX_CACHED = 64  # questions kept as WAV: an interview's worth and more, about 200 kB each
SYNTH_TIMEOUT_S = 60  # espeak-ng writes a question's WAV in well under a second

_cache: OrderedDict[str, bytes] = OrderedDict()
_lock = threading.Lock()  # one synthesis at a time: Piper's session is not shared
_piper: dict[str, Any] = {}  # the loaded Piper voice ("speaker"), or why it failed ("failed")


def question_wav(home: Path, text: str) -> bytes:
    """`text` spoken by the chosen voice, as a 16-bit mono WAV file's bytes; NoVoiceError (one
    line, with the fix) when no voice on this machine can read it."""
    from practice.core import config
    from practice.journey import speak

    choice = config.load(home)["voice"] or speak.PIPER
    key = hashlib.sha256(f"{choice}\0{text}".encode()).hexdigest()
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        wav = _synthesize(choice, text)
        _cache[key] = wav
        while len(_cache) > MAX_CACHED:
            _cache.popitem(last=False)
        return wav


def _synthesize(choice: str, text: str) -> bytes:
    from practice.journey import speak

    why = ""
    if choice == speak.PIPER:
        try:
            return _piper_wav(text)
        except Exception as e:  # noqa: BLE001 - a missing, changed or broken voice: fall back
            why = f"{str(e).rstrip('.')}. "
    system = speak.find_voice()
    if system is None or not system.program.startswith("espeak"):
        raise NoVoiceError(f"{why}{speak.no_voice_message()}")
    name = None if choice in (speak.PIPER, speak.SYSTEM) else choice
    return _espeak_wav(system.path, text, name)


def _piper_wav(text: str) -> bytes:
    """The Piper voice's WAV; the voice is checked and loaded once, and a failure is kept so
    every later question goes straight to espeak-ng."""
    from practice.speech import voice

    if "failed" in _piper:
        raise _piper["failed"]
    if "speaker" not in _piper:
        try:
            _piper["speaker"] = voice.load()
        except Exception as e:
            _piper["failed"] = e
            raise
    speech = _piper["speaker"].synthesize(text)
    return wav_bytes(speech.samples, speech.sample_rate)


def _espeak_wav(program: str, text: str, voice_name: str | None) -> bytes:
    argv = [program, "--stdout"] + (["-v", voice_name] if voice_name else []) + ["--", text]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=SYNTH_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise NoVoiceError(f"espeak-ng could not read the question ({e}).") from e
    if done.returncode != 0 or not done.stdout.startswith(b"RIFF"):
        detail = done.stderr.decode(errors="replace").strip().splitlines()
        why = detail[-1] if detail else f"exit status {done.returncode}"
        raise NoVoiceError(
            f"espeak-ng could not read the question ({why}); choose another voice with "
            "`practice config set voice NAME`."
        )
    # espeak-ng's streamed WAV has unknown lengths in its header: written again, it plays
    # (and seeks) in every browser.
    import numpy as np
    import soundfile as sf

    samples, rate = sf.read(io.BytesIO(done.stdout), dtype="float32")
    return wav_bytes(np.asarray(samples, dtype=np.float32), int(rate))


def wav_bytes(samples: Any, sample_rate: int) -> bytes:
    """Float samples in [-1, 1], shape (n,), as a 16-bit PCM WAV file's bytes."""
    import soundfile as sf

    out = io.BytesIO()
    sf.write(out, samples, sample_rate, format="WAV", subtype="PCM_16")
    return out.getvalue()
