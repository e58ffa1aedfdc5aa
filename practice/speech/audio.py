"""Read any audio file into a Recording: 16 kHz mono float32.

libsndfile (through soundfile) reads wav, flac, ogg and mp3 in blocks; anything else (m4a, aac,
video containers) goes through ffmpeg. Both paths stream and resample block by block, so memory
grows only with the 16 kHz result (about 230 MB for an hour), never with the source format.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

from practice.core.errors import AudioError, NoSpeechError
from practice.core.results import SAMPLE_RATE, Recording

BLOCK_FRAMES = 1 << 16  # frames per read: about 1.5 s at 44.1 kHz
SILENCE_PEAK = 1e-4  # peak amplitude below which a file is digital silence (-80 dBFS)
SUPPORTED = "wav, flac, mp3, ogg or m4a"
# Sample rates a real recording can have: telephone audio is 8 kHz, studio audio 384 kHz at most.
# A header outside them is damaged or crafted (a 32 KB file declaring 1 Hz resamples to hours).
MIN_RATE_HZ = 4_000
MAX_RATE_HZ = 384_000
# An answer runs 1-2 minutes and a whole mock interview under an hour; past this a file is a
# wrong one, and its 16 kHz samples alone would take over 230 MB.
MAX_DURATION_S = 3600


def load(path: str | Path) -> Recording:
    """Decode `path` to a Recording; AudioError with the fix when it cannot be used."""
    p = Path(path)
    try:
        if not p.exists():
            raise AudioError(f"No such file: {p}; check the path.")
        if p.is_dir():
            raise AudioError(f"{p} is a directory; give an audio file ({SUPPORTED}).")
        if not p.is_file():
            # A FIFO without a writer would block here forever; a device never ends.
            raise AudioError(
                f"{p} is not a regular file (a pipe, socket or device); save the audio to a "
                f"{SUPPORTED} file and give that."
            )
        size = p.stat().st_size
        with open(p, "rb"):
            pass
    except PermissionError as e:
        raise AudioError(f"Cannot read {p}: permission denied; check its permissions.") from e
    except OSError as e:  # a name too long, an I/O error: the path cannot be used as given
        raise AudioError(f"Cannot read {p}: {e.strerror or e}; check the path.") from e
    if size == 0:
        raise AudioError(f"{p} is empty (0 bytes); record the answer again or pick another one.")
    try:
        samples = _load_soundfile(p)
    except _Unreadable as first:
        samples = _load_ffmpeg(p, first)
    if samples.size == 0:
        raise AudioError(f"{p} holds no audio samples; record the answer again.")
    bad = ~np.isfinite(samples)
    if bad.any():
        samples[bad] = 0.0  # a few corrupt samples should not poison every later measure
    np.clip(samples, -1.0, 1.0, out=samples)
    if float(np.max(np.abs(samples))) < SILENCE_PEAK:
        raise NoSpeechError(
            f"No speech found in {p}: the file is silent; check the microphone and record again."
        )
    return Recording(samples=samples, source=str(p))


class _Unreadable(Exception):
    pass


def _check_rate(p: Path, rate: int) -> None:
    if not MIN_RATE_HZ <= rate <= MAX_RATE_HZ:
        raise AudioError(
            f"{p} declares a sample rate of {rate} Hz, which no recording has "
            f"({MIN_RATE_HZ}-{MAX_RATE_HZ} Hz); the file is damaged: export the audio again."
        )


def _check_duration(p: Path, seconds: float) -> None:
    if seconds > MAX_DURATION_S:
        raise AudioError(
            f"{p} is longer than {MAX_DURATION_S // 60} minutes ({seconds / 60:.0f} minutes); "
            "give one answer or one interview, cut to under an hour."
        )


def _resampler(rate: int):  # noqa: ANN202 - soxr's stream type
    import soxr

    return soxr.ResampleStream(rate, SAMPLE_RATE, 1, dtype="float32", quality="HQ")


def _load_soundfile(p: Path) -> np.ndarray:
    import soundfile as sf

    try:
        f = sf.SoundFile(p)
    except (sf.LibsndfileError, RuntimeError, TypeError) as e:
        raise _Unreadable(str(e)) from e
    out: list[np.ndarray] = []
    try:
        with f:
            if f.samplerate <= 0:
                raise _Unreadable(f"sample rate {f.samplerate}")
            # Checked on the header, before any decoding or resampling.
            _check_rate(p, f.samplerate)
            _check_duration(p, f.frames / f.samplerate)
            frames = 0
            rs = None if f.samplerate == SAMPLE_RATE else _resampler(f.samplerate)
            while True:
                try:
                    block = f.read(BLOCK_FRAMES, dtype="float32", always_2d=True)
                except (sf.LibsndfileError, RuntimeError) as e:
                    if out:  # a truncated tail: keep what decoded
                        break
                    raise _Unreadable(str(e)) from e
                if not len(block):
                    break
                frames += len(block)
                _check_duration(p, frames / f.samplerate)  # the header may understate it
                # Before the resampler: its filter would spread one NaN over its neighbours,
                # and one NaN in every 1000 samples then makes the whole answer "silent". An
                # infinite sample becomes 0 too: at full scale it would be a click Whisper hears.
                np.nan_to_num(block, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
                mono = block.mean(axis=1, dtype=np.float32)
                out.append(rs.resample_chunk(mono) if rs else mono)
            if rs:
                out.append(rs.resample_chunk(np.zeros(0, np.float32), last=True))
    except _Unreadable:
        raise
    return np.concatenate(out).astype(np.float32, copy=False) if out else np.zeros(0, np.float32)


def _load_ffmpeg(p: Path, why: Exception) -> np.ndarray:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise AudioError(
            f"Cannot read {p} ({why}); if it is audio in another format, install ffmpeg "
            f"(apt install ffmpeg, brew install ffmpeg or winget install ffmpeg), or give a "
            f"{SUPPORTED} file."
        )
    cmd = [
        ffmpeg,
        "-nostdin",
        "-v",
        "error",
        "-i",
        str(p),
        "-vn",
        "-f",
        "f32le",
        "-ac",
        "1",
        "-ar",
        str(SAMPLE_RATE),
        # One second past the limit: enough to know the file is too long, without decoding it all.
        "-t",
        str(MAX_DURATION_S + 1),
        "-",
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, check=False)
    except OSError as e:
        raise AudioError(f"Cannot run ffmpeg to read {p}: {e}") from e
    data = np.frombuffer(proc.stdout, dtype=np.float32).copy()
    _check_duration(p, data.size / SAMPLE_RATE)
    if proc.returncode != 0 and data.size == 0:
        detail = proc.stderr.decode(errors="replace").strip().splitlines()
        reason = detail[-1] if detail else f"ffmpeg exit {proc.returncode}"
        raise AudioError(f"{p} is not audio that can be read ({reason}); give a {SUPPORTED} file.")
    return data


def save_wav(recording: Recording, path: Path) -> None:
    """Write a Recording as 16-bit PCM WAV (what the history keeps until compression)."""
    import soundfile as sf

    sf.write(path, recording.samples, recording.sample_rate, subtype="PCM_16")
