"""Live microphone capture: 16 kHz mono takes written to disk as they arrive.

The PortAudio callback only copies blocks onto a queue; the calling thread writes them to a
16-bit WAV opened before the stream starts (python-sounddevice's rec_unlimited pattern), so a
crash or `kill -9` loses at most the blocks still queued. A take is written as
`<name>.partial.wav` and renamed to `<name>.wav` when it ends cleanly; a leftover partial file is
an orphaned take that `recover` turns back into a readable WAV.

The library never prints: the caller sees progress through `on_level` callbacks.
"""

from __future__ import annotations

import contextlib
import os
import queue
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from practice.core.errors import AudioError, DeviceError
from practice.core.results import SAMPLE_RATE

BLOCK_FRAMES = 800  # frames per PortAudio block at 16 kHz: 50 ms, the meter's refresh period
FRAME_SAMPLES = 480  # samples per level frame: 30 ms at 16 kHz, short enough to see word gaps
CALIBRATION_S = 0.5  # seconds at the start from which the room's noise floor is first estimated
FLOOR_RISE_DB_PER_S = 1.0  # how fast the floor may creep up, so one quiet dip is soon forgotten
SPEECH_ABOVE_FLOOR_DB = 10.0  # a frame this far above the floor is speech; a steady fan is not
MIN_SPEECH_DBFS = -55.0  # never speech below this, however quiet the room (digital silence)
SPEECH_START_S = 0.25  # seconds of speech frames within the last second before speech "starts"
SILENT_DBFS = -60.0  # input below this is nothing at all: a muted or wrong microphone
CLIP_LEVEL = 0.999  # |sample| at or above this is clipped (full scale is 1.0)
DB_FLOOR = -120.0  # dBFS reported for digital silence instead of -inf
FLUSH_EVERY_S = 0.5  # seconds of audio between fsyncs of the partial file
FIRST_BLOCK_TIMEOUT_S = 5.0  # a stream that delivers nothing this long after starting is dead
BLOCK_TIMEOUT_S = 2.0  # ... and once running, this long without a block means the device is gone
PARTIAL_SUFFIX = ".partial.wav"
WAV_HEADER_SEARCH = 4096  # bytes at the start of a partial file searched for the data chunk

StopReason = Literal["enter", "max-seconds", "silence", "interrupt", "device-lost"]

NO_DEVICES = (
    "No microphone found: the audio system lists no input devices; plug one in (or start the "
    "sound server) and run `practice devices`."
)


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    channels: int  # maximum input channels
    default_samplerate: float  # Hz
    is_default: bool


@dataclass(frozen=True)
class Level:
    """The input at one moment of a take, for a live meter (levels in dBFS, RMS of a full-scale
    square wave = 0 dBFS)."""

    elapsed_s: float  # audio captured so far
    rms_dbfs: float  # the latest block
    peak_dbfs: float  # the latest block
    noise_floor_dbfs: float  # the room's estimated background level
    speaking: bool  # the latest frame is speech
    speech_started: bool
    silent_for_s: float  # seconds the input has stayed below SILENT_DBFS (several: wrong device?)
    clipping: bool  # the latest block reached full scale (too loud)


@dataclass(frozen=True)
class Take:
    path: Path
    duration_s: float
    stopped_by: StopReason
    speech_started: bool
    speech_end_s: float | None  # end of the last speech frame, None when no speech started
    device_lost: bool = False
    device: str = ""
    device_samplerate: int = SAMPLE_RATE  # Hz the device ran at (resampled to 16 kHz if not)
    overflows: int = 0  # blocks the device dropped because the computer fell behind


@dataclass(frozen=True)
class MicCheck:
    device: str
    duration_s: float
    peak_dbfs: float
    noise_floor_dbfs: float
    speech_dbfs: float | None  # typical level of the loudest frames, None when nobody spoke
    clipping_fraction: float  # share of samples at full scale, 0-1
    verdict: str


# -- levels and the silence rule (pure: fed arrays, no audio device) ----------------------------


def dbfs(value: float) -> float:
    """An amplitude (RMS or peak, full scale 1.0) in dBFS; DB_FLOOR for silence."""
    return DB_FLOOR if value <= 10 ** (DB_FLOOR / 20) else float(20 * np.log10(value))


def block_levels(block: np.ndarray) -> tuple[float, float]:
    """(RMS dBFS, peak dBFS) of float samples, shape (n,)."""
    if block.size == 0:
        return DB_FLOOR, DB_FLOOR
    x = block.astype(np.float64, copy=False)
    return dbfs(float(np.sqrt(np.mean(x * x)))), dbfs(float(np.max(np.abs(x))))


class SilenceDetector:
    """Decides, frame by frame, whether the speaker has started and whether they have finished.

    The noise floor is the median frame level of the first CALIBRATION_S, then a running minimum
    that creeps up by FLOOR_RISE_DB_PER_S: a steady fan sets the floor and never counts as
    speech, and a speaker who starts at once lowers the floor at their first pause.
    """

    def __init__(
        self, *, stop_after_silence_s: float | None = None, sample_rate: int = SAMPLE_RATE
    ) -> None:
        self.stop_after_silence_s = stop_after_silence_s
        self.sample_rate = sample_rate
        self.frame = FRAME_SAMPLES * sample_rate // SAMPLE_RATE
        self._frame_s = self.frame / sample_rate
        self._carry = np.zeros(0, np.float32)
        self._calibration: list[float] = []
        self._recent: deque[bool] = deque(maxlen=max(1, round(1.0 / self._frame_s)))
        self.samples = 0
        self.noise_floor_dbfs: float | None = None
        self.speaking = False
        self.speech_started = False
        self.speech_end_s: float | None = None
        self.silent_for_s = 0.0
        self.clipped_samples = 0

    @property
    def elapsed_s(self) -> float:
        return self.samples / self.sample_rate

    @property
    def should_stop(self) -> bool:
        """Speech started and has been followed by stop_after_silence_s of silence."""
        if self.stop_after_silence_s is None or not self.speech_started:
            return False
        assert self.speech_end_s is not None
        return self.elapsed_s - self.speech_end_s >= self.stop_after_silence_s

    def feed(self, block: np.ndarray) -> Level:
        """Take the next mono float samples, shape (n,); return the level after them."""
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        self.clipped_samples += int(np.count_nonzero(np.abs(block) >= CLIP_LEVEL))
        data = np.concatenate([self._carry, block]) if self._carry.size else block
        whole = len(data) // self.frame * self.frame
        for start in range(0, whole, self.frame):
            self._frame(data[start : start + self.frame])
        self._carry = data[whole:].copy()
        rms, peak = block_levels(block)
        return Level(
            elapsed_s=self.elapsed_s + len(self._carry) / self.sample_rate,
            rms_dbfs=rms,
            peak_dbfs=peak,
            noise_floor_dbfs=self.noise_floor_dbfs if self.noise_floor_dbfs is not None else rms,
            speaking=self.speaking,
            speech_started=self.speech_started,
            silent_for_s=self.silent_for_s,
            clipping=peak >= dbfs(CLIP_LEVEL),
        )

    def _frame(self, frame: np.ndarray) -> None:
        level, _ = block_levels(frame)
        self.samples += len(frame)
        now = self.elapsed_s
        self.silent_for_s = self.silent_for_s + self._frame_s if level < SILENT_DBFS else 0.0
        if self.noise_floor_dbfs is None:
            self._calibration.append(level)
            if now + 1e-9 < CALIBRATION_S:
                self.speaking = False
                self._recent.append(False)
                return
            self.noise_floor_dbfs = float(np.median(self._calibration))
        floor = min(level, self.noise_floor_dbfs + FLOOR_RISE_DB_PER_S * self._frame_s)
        self.noise_floor_dbfs = max(floor, DB_FLOOR)
        threshold = max(self.noise_floor_dbfs + SPEECH_ABOVE_FLOOR_DB, MIN_SPEECH_DBFS)
        self.speaking = level > threshold
        self._recent.append(self.speaking)
        if not self.speech_started and sum(self._recent) * self._frame_s >= SPEECH_START_S:
            self.speech_started = True
        if self.speaking:
            self.speech_end_s = now


# -- devices ---------------------------------------------------------------------------------


def _sounddevice() -> Any:
    try:
        import sounddevice as sd
    except OSError as e:  # the PortAudio shared library is missing
        raise DeviceError(
            f"Cannot use the microphone: the PortAudio library is missing ({e}); install it "
            "(apt install libportaudio2, brew install portaudio)."
        ) from e
    return sd


def list_devices() -> list[InputDevice]:
    """Every input device PortAudio sees (empty when there is no microphone or sound server)."""
    sd = _sounddevice()
    try:
        devices = sd.query_devices()
        default = sd.default.device[0]
    except sd.PortAudioError as e:
        raise DeviceError(f"Cannot list the audio devices ({e}); check the sound system.") from e
    if default is None or default < 0:
        try:
            default = int(sd.query_hostapis(0)["default_input_device"])
        except (sd.PortAudioError, IndexError, KeyError, TypeError):
            default = -1
    inputs = [d for d in devices if int(d["max_input_channels"]) > 0]
    if inputs and not any(int(d["index"]) == default for d in inputs):
        default = int(inputs[0]["index"])  # no default from the system: the first one will do
    return [
        InputDevice(
            index=int(d["index"]),
            name=str(d["name"]),
            channels=int(d["max_input_channels"]),
            default_samplerate=float(d["default_samplerate"]),
            is_default=int(d["index"]) == default,
        )
        for d in inputs
    ]


def choose_device(spec: str | int | None) -> InputDevice:
    """The input device at index `spec`, or whose name contains `spec` (case-insensitive),
    or the default one for None."""
    devices = list_devices()
    if not devices:
        raise DeviceError(NO_DEVICES)
    if spec is None or str(spec).strip() == "":
        return next(d for d in devices if d.is_default)
    text = str(spec).strip()
    if text.isdigit():
        for d in devices:
            if d.index == int(text):
                return d
        raise DeviceError(f"No input device has index {text}; run `practice devices` to list them.")
    wanted = text.lower()
    exact = [d for d in devices if d.name.lower() == wanted]
    matches = exact or [d for d in devices if wanted in d.name.lower()]
    if not matches:
        raise DeviceError(f'No input device matches "{text}"; run `practice devices` to list them.')
    return matches[0]


# -- the stream ------------------------------------------------------------------------------


class _DeviceLost(Exception):
    pass


class _Stream:
    """An open input stream delivering 16 kHz mono float32 blocks (resampled if need be)."""

    def __init__(self, device: InputDevice) -> None:
        sd = _sounddevice()
        self.device = device
        self.blocks: queue.Queue[np.ndarray] = queue.Queue()
        self.overflows = 0
        self._started_at: float | None = None
        self._got_block = False
        self._last_block_at = 0.0
        rate, channels = self._settings(sd)
        self.samplerate = rate
        self._channels = channels
        self._resampler = None
        if rate != SAMPLE_RATE:
            import soxr

            self._resampler = soxr.ResampleStream(
                rate, SAMPLE_RATE, 1, dtype="float32", quality="HQ"
            )
        try:
            self._stream = sd.InputStream(
                samplerate=rate,
                channels=channels,
                dtype="float32",
                device=device.index,
                blocksize=BLOCK_FRAMES * rate // SAMPLE_RATE,
                callback=self._callback,
            )
        except (sd.PortAudioError, ValueError) as e:
            raise DeviceError(
                f'Cannot open the microphone "{device.name}" ({e}); check it is plugged in and '
                "not used by another program, or choose another with --device."
            ) from e

    def _settings(self, sd: Any) -> tuple[int, int]:
        """(sample rate, channels) the device accepts: 16 kHz mono if it can."""
        rates = [SAMPLE_RATE]
        if int(self.device.default_samplerate) not in rates:
            rates.append(int(self.device.default_samplerate))
        # Some hardware refuses mono; take two channels and average them.
        channel_options = [1] + ([2] if self.device.channels >= 2 else [])
        last: Exception | None = None
        for rate in rates:
            for channels in channel_options:
                try:
                    sd.check_input_settings(
                        device=self.device.index,
                        channels=channels,
                        dtype="float32",
                        samplerate=rate,
                    )
                    return rate, channels
                except (sd.PortAudioError, ValueError) as e:
                    last = e
        raise DeviceError(
            f'The microphone "{self.device.name}" accepts neither {SAMPLE_RATE} Hz nor its own '
            f"{self.device.default_samplerate:.0f} Hz ({last}); choose another with --device."
        )

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        # Runs on PortAudio's thread: copy and hand over, nothing that could block.
        if status and status.input_overflow:
            self.overflows += 1
        self.blocks.put(indata.copy())

    def __enter__(self) -> _Stream:
        sd = _sounddevice()
        try:
            self._stream.start()
        except sd.PortAudioError as e:
            self._stream.close(ignore_errors=True)
            raise DeviceError(
                f'Cannot start the microphone "{self.device.name}" ({e}); check it is not used '
                "by another program, or choose another with --device."
            ) from e
        self._started_at = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            self._stream.abort(ignore_errors=True)
        with contextlib.suppress(Exception):
            self._stream.close(ignore_errors=True)

    def read(self, timeout: float) -> np.ndarray | None:
        """The next 16 kHz mono block, or None after `timeout` s; _DeviceLost when it died."""
        try:
            block = self.blocks.get(timeout=timeout)
        except queue.Empty:
            self._check_alive()
            return None
        self._got_block = True
        self._last_block_at = time.monotonic()
        mono = block[:, 0] if block.shape[1] == 1 else block.mean(axis=1, dtype=np.float32)
        if self._resampler is not None:
            mono = self._resampler.resample_chunk(mono)
        return mono.astype(np.float32, copy=False)

    def _check_alive(self) -> None:
        if not self._stream.active:
            raise _DeviceLost()
        now = time.monotonic()
        if self._got_block:
            if now - self._last_block_at > BLOCK_TIMEOUT_S:
                raise _DeviceLost()
        elif self._started_at is not None and now - self._started_at > FIRST_BLOCK_TIMEOUT_S:
            raise _DeviceLost()

    def drain(self) -> Iterator[np.ndarray]:
        """Blocks still queued after the stream stopped, then the resampler's tail."""
        while True:
            try:
                block = self.blocks.get_nowait()
            except queue.Empty:
                break
            mono = block[:, 0] if block.shape[1] == 1 else block.mean(axis=1, dtype=np.float32)
            yield (self._resampler.resample_chunk(mono) if self._resampler else mono).astype(
                np.float32, copy=False
            )
        if self._resampler is not None:
            yield self._resampler.resample_chunk(np.zeros(0, np.float32), last=True)


# -- recording -------------------------------------------------------------------------------


def partial_path(path: Path) -> Path:
    """Where the take for `path` is written while it is being recorded."""
    return path.with_name(f"{path.stem}{PARTIAL_SUFFIX}")


def _resolve_device(device: str | int | InputDevice | None) -> InputDevice:
    return device if isinstance(device, InputDevice) else choose_device(device)


def _lock(fd: int) -> bool:
    """Hold an exclusive advisory lock on an open partial file, so that `find_orphans` in another
    process does not take a live take for an orphan; False when another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks, every partial file counts as an orphan
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class TakeWriter:
    """A take being written as it arrives: 16 kHz mono 16-bit WAV at `partial_path(path)`,
    locked against `find_orphans`, made durable every FLUSH_EVERY_S, renamed to `path` on
    `close()`. Blocks come from anywhere (a PortAudio stream, a browser over a websocket).

    AudioError when the file cannot be created or written (what reached the disk is kept)."""

    def __init__(
        self,
        path: Path,
        *,
        max_seconds: float | None = None,
        stop_after_silence_s: float | None = None,
        on_block: Callable[[np.ndarray], None] | None = None,
    ) -> None:
        import soundfile as sf

        self.path = Path(path)
        self.partial = partial_path(self.path)
        self.detector = SilenceDetector(stop_after_silence_s=stop_after_silence_s)
        self.max_samples = None if max_seconds is None else int(round(max_seconds * SAMPLE_RATE))
        self.written = 0  # samples
        self._on_block = on_block
        self._next_flush = FLUSH_EVERY_S * SAMPLE_RATE
        self._closed = False
        try:
            self._out = sf.SoundFile(
                self.partial,
                "w",
                samplerate=SAMPLE_RATE,
                channels=1,
                subtype="PCM_16",
                format="WAV",
            )
        except (sf.LibsndfileError, OSError) as e:
            raise AudioError(f"Cannot write the take {self.partial} ({e}); check the disk.") from e
        self._lock_fd = os.open(self.partial, os.O_RDONLY)
        _lock(self._lock_fd)
        with contextlib.suppress(OSError):
            os.chmod(self.partial, 0o600)  # a take is personal

    @property
    def duration_s(self) -> float:
        return self.written / SAMPLE_RATE

    @property
    def full(self) -> bool:
        """The take has reached max_seconds."""
        return self.max_samples is not None and self.written >= self.max_samples

    def write(self, block: np.ndarray) -> Level | None:
        """Append 16 kHz mono float32 samples, shape (n,); the level after them, or None when
        nothing was written (the take is full). AudioError when the disk refuses it."""
        import soundfile as sf

        if self.max_samples is not None:
            block = block[: max(0, self.max_samples - self.written)]
        if not block.size:
            return None
        # On the 16-bit grid first, so the live transcript reads the very samples the file
        # keeps, to the bit: Whisper's reading of a borderline word can turn on less.
        block = (np.clip(np.round(block * 32768.0), -32768, 32767) / 32768.0).astype(np.float32)
        try:
            self._out.write(block)
        except (sf.LibsndfileError, OSError) as e:
            # What reached the disk is kept (the partial file is recoverable); say why the
            # take ended rather than show a libsndfile traceback.
            raise AudioError(
                f"The take could not be written further ({e}): the disk is probably full. "
                f"The {self.duration_s:.0f} s recorded so far are kept in {self.partial}; "
                "free some space and run 'practice ask' again to analyse them."
            ) from e
        self.written += len(block)
        if self._on_block is not None:
            self._on_block(block)
        if self.written >= self._next_flush:
            self._out.flush()  # the data is already in the kernel; this makes it durable too
            self._next_flush = self.written + FLUSH_EVERY_S * SAMPLE_RATE
        return self.detector.feed(block)

    def abandon(self) -> None:
        """Close the file but leave it partial (an orphan `recover` can read)."""
        if not self._closed:
            self._closed = True
            self._out.close()
            os.close(self._lock_fd)

    def close(self) -> Path:
        """Finish the WAV and give it its final name."""
        self.abandon()
        if self.partial.exists():
            os.replace(self.partial, self.path)
        return self.path


def record(
    path: Path,
    *,
    device: str | int | InputDevice | None = None,
    max_seconds: float | None = None,
    stop_after_silence_s: float | None = None,
    stop_event: threading.Event | None = None,
    on_level: Callable[[Level], None] | None = None,
    on_block: Callable[[np.ndarray], None] | None = None,
) -> Take:
    """Record a 16 kHz mono 16-bit WAV to `path` until Enter (`stop_event`), `max_seconds` of
    audio, `stop_after_silence_s` of silence after speech, Ctrl-C, or the device going away.

    Ctrl-C (KeyboardInterrupt) ends the take and keeps it. DeviceError when no microphone can be
    opened; then nothing is left on disk. `on_block` receives each 16 kHz float32 block after
    it is written (a transcriber can work while the person is still speaking).
    """
    path = Path(path)
    chosen = _resolve_device(device)
    stream = _Stream(chosen)  # opened (not started) before any file exists: a bad device
    stopped_by: StopReason | None = None  # leaves nothing behind
    try:
        writer = TakeWriter(
            path,
            max_seconds=max_seconds,
            stop_after_silence_s=stop_after_silence_s,
            on_block=on_block,
        )
    except AudioError:
        stream.__exit__()
        raise
    try:
        with stream:
            try:
                while stopped_by is None:
                    if stop_event is not None and stop_event.is_set():
                        stopped_by = "enter"
                        break
                    try:
                        block = stream.read(timeout=0.1)
                    except _DeviceLost:
                        stopped_by = "device-lost"
                        break
                    if block is None:
                        continue
                    level = writer.write(block)
                    if level is not None and on_level is not None:
                        on_level(level)
                    if writer.full:
                        stopped_by = "max-seconds"
                    elif writer.detector.should_stop:
                        stopped_by = "silence"
            except KeyboardInterrupt:
                stopped_by = "interrupt"
        # The stream is stopped: keep what it had already delivered.
        for block in stream.drain():
            writer.write(block)
    finally:
        writer.abandon()
    writer.close()
    detector = writer.detector
    return Take(
        path=path,
        duration_s=writer.duration_s,
        stopped_by=stopped_by or "enter",
        speech_started=detector.speech_started,
        speech_end_s=detector.speech_end_s if detector.speech_started else None,
        device_lost=stopped_by == "device-lost",
        device=chosen.name,
        device_samplerate=stream.samplerate,
        overflows=stream.overflows,
    )


# -- orphaned takes --------------------------------------------------------------------------


def find_orphans(directory: Path) -> list[Path]:
    """Partial takes left in `directory` by a run that crashed or was killed, oldest first.
    A take another process is still recording is not an orphan."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    found = []
    for p in directory.glob(f"*{PARTIAL_SUFFIX}"):
        try:
            fd = os.open(p, os.O_RDONLY)
        except OSError:
            continue
        try:
            if _lock(fd):
                found.append(p)
        finally:
            os.close(fd)  # closing drops the probe's lock
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def recovered_path(partial: Path) -> Path:
    """The finished name for a partial take: `x.partial.wav` -> `x.wav`."""
    name = partial.name
    stem = name[: -len(PARTIAL_SUFFIX)] if name.endswith(PARTIAL_SUFFIX) else partial.stem
    return partial.with_name(f"{stem}.wav")


def recover(partial: Path) -> Path:
    """Turn an orphaned partial take into a WAV with a correct header; return its path.

    A killed writer leaves the RIFF and data sizes as they were when the file was opened, so
    readers see no audio; the samples after the header are rewritten under a fresh header, cut to
    whole frames. AudioError when the file holds no audio.
    """
    partial = Path(partial)
    try:
        raw = partial.read_bytes()
    except OSError as e:
        raise AudioError(f"Cannot read the unfinished take {partial} ({e.strerror or e}).") from e
    fmt, offset, declared = _parse_wav_header(raw, partial)
    channels, rate, bits = fmt
    frame_bytes = channels * bits // 8
    data = raw[offset:]
    if 0 < declared <= len(data) - 8 and data[declared : declared + 4].isascii():
        data = data[:declared]  # a complete data chunk followed by another chunk: trust it
    data = data[: len(data) // frame_bytes * frame_bytes]
    if not data:
        raise AudioError(f"The unfinished take {partial} holds no audio; delete it.")
    final = recovered_path(partial)
    if final.exists():
        final = final.with_name(f"{final.stem}-recovered.wav")
    temp = final.with_name(f".{final.name}.tmp")
    header = _wav_header(channels, rate, bits, len(data))
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(header)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, final)
    except OSError as e:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise AudioError(f"Cannot write the recovered take {final} ({e.strerror or e}).") from e
    partial.unlink()
    return final


def _parse_wav_header(raw: bytes, path: Path) -> tuple[tuple[int, int, int], int, int]:
    """((channels, rate, bits), offset of the PCM data, declared data size) of a WAV's header,
    read chunk by chunk without trusting the RIFF size."""
    bad = AudioError(f"{path} is not a WAV take that can be recovered; delete it.")
    if len(raw) < 12 or raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise bad
    pos = 12
    fmt: tuple[int, int, int] | None = None
    while pos + 8 <= min(len(raw), WAV_HEADER_SEARCH):
        chunk, size = raw[pos : pos + 4], struct.unpack("<I", raw[pos + 4 : pos + 8])[0]
        if chunk == b"fmt ":
            tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", raw[pos + 8 : pos + 24])
            if tag not in (1, 0xFFFE) or bits != 16 or channels < 1 or rate <= 0:
                raise bad  # only the 16-bit PCM that `record` writes
            fmt = (channels, rate, bits)
        elif chunk == b"data":
            if fmt is None:
                raise bad
            return fmt, pos + 8, size
        pos += 8 + size + (size & 1)
    raise bad


def _wav_header(channels: int, rate: int, bits: int, data_bytes: int) -> bytes:
    block_align = channels * bits // 8
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block_align, block_align, bits)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


# -- mic check -------------------------------------------------------------------------------

QUIET_SPEECH_DBFS = -40.0  # speech RMS below this is hard to transcribe: raise the gain
MIN_SNR_DB = 15.0  # voice this far above the room keeps transcription reliable
MAX_CLIPPING_FRACTION = 0.001  # more clipped samples than this distort the voice audibly


def mic_check(seconds: float = 3.0, device: str | int | InputDevice | None = None) -> MicCheck:
    """Listen for `seconds` and judge the level, the room's noise and clipping."""
    chosen = _resolve_device(device)
    blocks: list[np.ndarray] = []
    want = int(seconds * SAMPLE_RATE)
    have = 0
    lost = False
    stream = _Stream(chosen)
    with stream:
        try:
            while have < want:
                try:
                    block = stream.read(timeout=0.1)
                except _DeviceLost:
                    lost = True
                    break
                if block is not None:
                    blocks.append(block)
                    have += len(block)
        except KeyboardInterrupt:
            pass
    blocks.extend(stream.drain())
    samples = np.concatenate(blocks)[:want] if blocks else np.zeros(0, np.float32)
    if lost and samples.size == 0:
        raise DeviceError(
            f'The microphone "{chosen.name}" delivered no sound; check it is plugged in, or '
            "choose another with --device."
        )
    return judge_levels(samples, device=chosen.name)


def judge_levels(samples: np.ndarray, *, device: str = "") -> MicCheck:
    """The mic check's figures and verdict for 16 kHz mono float samples, shape (n,)."""
    n = len(samples) // FRAME_SAMPLES
    frames = samples[: n * FRAME_SAMPLES].reshape(n, FRAME_SAMPLES) if n else samples[None, :]
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)) if frames.size else np.zeros(1)
    levels = np.array([dbfs(float(r)) for r in rms])
    floor = float(np.percentile(levels, 10))
    loud = float(np.percentile(levels, 90))
    speech = loud if loud > max(floor + SPEECH_ABOVE_FLOOR_DB, MIN_SPEECH_DBFS) else None
    peak = dbfs(float(np.max(np.abs(samples)))) if samples.size else DB_FLOOR
    clipped = float(np.mean(np.abs(samples) >= CLIP_LEVEL)) if samples.size else 0.0
    if peak < SILENT_DBFS:
        verdict = (
            "No sound reached the microphone: check it is plugged in, unmuted and the one "
            "chosen (run `practice devices`)."
        )
    elif clipped > MAX_CLIPPING_FRACTION:
        verdict = (
            f"Too loud: {clipped:.1%} of the samples clip; lower the input gain or move "
            "back from the microphone."
        )
    elif speech is None:
        verdict = (
            "Only background noise was heard; speak during the check, or raise the input gain."
        )
    elif speech < QUIET_SPEECH_DBFS:
        verdict = (
            f"Your voice is quiet ({speech:.0f} dBFS); raise the input gain or move closer "
            "to the microphone."
        )
    elif speech - floor < MIN_SNR_DB:
        verdict = (
            f"The room is noisy: your voice is only {speech - floor:.0f} dB above it; find "
            "a quieter place or move closer to the microphone."
        )
    else:
        verdict = f"Good: your voice is {speech - floor:.0f} dB above the room's noise."
    return MicCheck(
        device=device,
        duration_s=len(samples) / SAMPLE_RATE,
        peak_dbfs=round(peak, 1),
        noise_floor_dbfs=round(floor, 1),
        speech_dbfs=None if speech is None else round(speech, 1),
        clipping_fraction=round(clipped, 5),
        verdict=verdict,
    )
