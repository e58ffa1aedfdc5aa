"""Microphone capture: the silence rule and levels on synthetic blocks, recovery of killed takes,
and real capture through the virtual microphone (tests marked `mic`)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from practice.core.errors import AudioError, DeviceError
from practice.speech import capture
from practice.speech.capture import (
    DB_FLOOR,
    InputDevice,
    Level,
    SilenceDetector,
    block_levels,
    find_orphans,
    judge_levels,
    recover,
)

SR = 16_000
ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
VMIC = SHARED / "tools" / "virtual_mic.sh"
JFK = SHARED / "speech" / "clips" / "fw__jfk.flac"
SHORT_CLIP = SHARED / "speech" / "clips" / "mfa__english_fast.wav"  # 4.8 s: "The red fox has..."
PYTHON = sys.executable


def noise(seconds: float, dbfs: float, seed: int = 0) -> np.ndarray:
    """White noise whose RMS is `dbfs`."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(int(seconds * SR))
    return (x / np.sqrt(np.mean(x**2)) * 10 ** (dbfs / 20)).astype(np.float32)


def syllables(seconds: float, dbfs: float, seed: int = 1) -> np.ndarray:
    """Speech-like bursts: 200 ms on, 100 ms at a tenth of the level, RMS of the 'on' parts
    at `dbfs`."""
    x = noise(seconds, dbfs, seed)
    on = np.arange(len(x)) % (3 * SR // 10) < 2 * SR // 10
    return (x * np.where(on, 1.0, 0.1)).astype(np.float32)


def feed(detector: SilenceDetector, signal_: np.ndarray, block: int = 800) -> list[Level]:
    """Feed in blocks until the detector says stop; the levels seen."""
    levels = []
    for start in range(0, len(signal_), block):
        levels.append(detector.feed(signal_[start : start + block]))
        if detector.should_stop:
            break
    return levels


# -- levels ----------------------------------------------------------------------------------


def test_block_levels_of_a_sine_and_of_silence() -> None:
    t = np.arange(SR) / SR
    sine = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    rms, peak = block_levels(sine)
    assert rms == pytest.approx(20 * np.log10(0.5 / np.sqrt(2)), abs=0.05)  # -9.03 dBFS
    assert peak == pytest.approx(20 * np.log10(0.5), abs=0.05)  # -6.02 dBFS
    assert block_levels(np.zeros(800, np.float32)) == (DB_FLOOR, DB_FLOOR)


def test_level_warns_of_long_silence_and_of_clipping() -> None:
    d = SilenceDetector()
    levels = feed(d, np.zeros(4 * SR, np.float32))
    assert levels[-1].silent_for_s == pytest.approx(4.0, abs=0.05)
    level = d.feed(noise(0.1, -20))
    assert level.silent_for_s == 0.0
    assert not level.clipping
    loud = np.clip(noise(0.1, 0, seed=3) * 4, -1, 1)
    assert d.feed(loud).clipping


# -- the silence rule ------------------------------------------------------------------------


def test_stops_after_silence_following_speech_over_a_steady_fan() -> None:
    fan = -45.0
    answer = np.concatenate(
        [
            noise(1.0, fan, 1),
            syllables(3.0, -20) + noise(3.0, fan, 2),
            noise(5.0, fan, 3),
        ]
    )
    d = SilenceDetector(stop_after_silence_s=1.5)
    levels = feed(d, answer)
    assert d.speech_started
    # The last syllable sounds from 3.7 to 3.9 s (1.0 s of fan, then 2.7-2.9 s of speech).
    assert d.speech_end_s == pytest.approx(3.9, abs=0.05)
    assert levels[-1].elapsed_s == pytest.approx(3.9 + 1.5, abs=0.05)
    assert levels[-1].noise_floor_dbfs == pytest.approx(fan, abs=3)


def test_a_steady_fan_alone_never_starts_speech_nor_stops() -> None:
    for fan in (-60.0, -35.0, -20.0):  # quiet, loud and very loud, but steady
        d = SilenceDetector(stop_after_silence_s=1.0)
        levels = feed(d, noise(8.0, fan, 4))
        assert not d.speech_started, fan
        assert not d.should_stop
        assert len(levels) == 8 * SR // 800  # fed to the end


def test_speech_from_the_first_moment_is_caught_at_the_first_pause() -> None:
    # The calibration window holds speech, so the floor starts high; the pauses between
    # syllables pull it down and the speech is then seen.
    answer = np.concatenate([syllables(4.0, -18) + noise(4.0, -50, 5), noise(4.0, -50, 6)])
    d = SilenceDetector(stop_after_silence_s=2.0)
    levels = feed(d, answer)
    assert d.speech_started
    assert d.should_stop
    assert d.speech_end_s == pytest.approx(4.0, abs=0.05)  # the last syllable: 3.9-4.0 s
    assert levels[-1].elapsed_s == pytest.approx(4.0 + 2.0, abs=0.05)


def test_a_click_does_not_start_speech() -> None:
    answer = noise(3.0, -55, 7)
    answer[SR : SR + 480] += noise(0.03, -6, 8)  # one 30 ms knock on the desk
    d = SilenceDetector(stop_after_silence_s=0.5)
    feed(d, answer)
    assert not d.speech_started
    assert not d.should_stop


def test_block_size_does_not_change_the_decision() -> None:
    answer = np.concatenate(
        [noise(1.0, -50, 1), syllables(2.0, -15) + noise(2.0, -50, 2), noise(3.0, -50, 3)]
    )
    stops = []
    for block in (800, 333, 4096):
        d = SilenceDetector(stop_after_silence_s=1.0)
        feed(d, answer, block)
        stops.append(d.speech_end_s)
        assert d.should_stop
    assert stops[0] == stops[1] == stops[2]


def test_no_stop_rule_without_stop_after_silence() -> None:
    d = SilenceDetector()
    feed(d, np.concatenate([syllables(2.0, -15), np.zeros(5 * SR, np.float32)]))
    assert d.speech_started
    assert not d.should_stop


# -- mic check verdicts ----------------------------------------------------------------------


def test_mic_check_verdicts() -> None:
    silent = judge_levels(np.zeros(3 * SR, np.float32))
    assert silent.verdict.startswith("No sound")
    assert silent.speech_dbfs is None

    good = judge_levels(np.concatenate([noise(1.0, -65), syllables(2.0, -20)]))
    assert good.verdict.startswith("Good")
    assert good.noise_floor_dbfs < -60
    assert good.speech_dbfs is not None and -25 < good.speech_dbfs < -15

    clipped = judge_levels(np.clip(syllables(3.0, 0) * 3, -1, 1))
    assert clipped.verdict.startswith("Too loud")
    assert clipped.clipping_fraction > 0.01

    hum = judge_levels(noise(3.0, -40))
    assert hum.verdict.startswith("Only background noise")

    quiet = judge_levels(np.concatenate([noise(1.0, -80), syllables(2.0, -47)]))
    assert "quiet" in quiet.verdict


# -- choosing a device -----------------------------------------------------------------------

DEVICES = [
    InputDevice(0, "HDA Intel PCH: ALC257 Analog (hw:0,0)", 2, 48000.0, False),
    InputDevice(4, "Blue Yeti USB Microphone", 2, 48000.0, True),
]


def test_choose_device_by_index_name_or_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(capture, "list_devices", lambda: DEVICES)
    assert capture.choose_device(None).index == 4
    assert capture.choose_device("0").index == 0
    assert capture.choose_device("usb").index == 4  # case-insensitive substring
    assert capture.choose_device("alc257").index == 0
    with pytest.raises(DeviceError) as e:
        capture.choose_device("focusrite")
    assert str(e.value) == (
        'No input device matches "focusrite"; run `practice devices` to list them.'
    )
    with pytest.raises(DeviceError, match="index 7"):
        capture.choose_device("7")
    monkeypatch.setattr(capture, "list_devices", lambda: [])
    with pytest.raises(DeviceError, match="No microphone found"):
        capture.choose_device(None)


# -- orphaned takes --------------------------------------------------------------------------


def _write_partial(path: Path, samples: np.ndarray) -> None:
    import soundfile as sf

    sf.write(path, samples, SR, subtype="PCM_16", format="WAV")


def test_recover_a_truncated_partial_with_a_corrupt_header(tmp_path: Path) -> None:
    import soundfile as sf

    rng = np.random.default_rng(9)
    ints = rng.integers(-20000, 20000, size=3 * SR, dtype=np.int16)
    partial = tmp_path / "take-1.partial.wav"
    _write_partial(partial, ints.astype(np.float32) / 32768)
    raw = bytearray(partial.read_bytes())
    data_at = raw.index(b"data") + 8
    raw[4:8] = struct.pack("<I", 0xFFFFFFF0)  # RIFF size: nonsense
    raw[data_at - 4 : data_at] = struct.pack("<I", 0)  # data size as a killed writer leaves it
    cut = data_at + 2 * 20_000 + 1  # mid-sample: 20000 whole samples and one stray byte
    partial.write_bytes(bytes(raw[:cut]))

    final = recover(partial)

    assert final == tmp_path / "take-1.wav"
    assert not partial.exists()
    got, rate = sf.read(final, dtype="int16")
    assert rate == SR
    np.testing.assert_array_equal(got, ints[:20_000])


def test_recover_refuses_empty_or_foreign_files(tmp_path: Path) -> None:
    empty = tmp_path / "a.partial.wav"
    _write_partial(empty, np.zeros(0, np.float32))
    with pytest.raises(AudioError, match="no audio"):
        recover(empty)
    foreign = tmp_path / "b.partial.wav"
    foreign.write_bytes(b"ID3\x03" + bytes(2000))
    with pytest.raises(AudioError, match="not a WAV take"):
        recover(foreign)


def test_find_orphans_skips_finished_takes_and_live_ones(tmp_path: Path) -> None:
    for name in ("take-a.partial.wav", "take-b.partial.wav", "take-c.wav"):
        _write_partial(tmp_path / name, np.zeros(160, np.float32))
    live = os.open(tmp_path / "take-b.partial.wav", os.O_RDONLY)
    try:
        assert capture._lock(live)  # as a recording process holds it
        assert [p.name for p in find_orphans(tmp_path)] == ["take-a.partial.wav"]
    finally:
        os.close(live)
    assert {p.name for p in find_orphans(tmp_path)} == {"take-a.partial.wav", "take-b.partial.wav"}
    assert find_orphans(tmp_path / "missing") == []


# -- retry comparison ------------------------------------------------------------------------


def test_changes_between_attempts() -> None:
    from dataclasses import replace

    from test_review import make_attempt

    from practice.app.rehearse import changes
    from practice.cli.rehearse import _change_lines
    from practice.core.results import DimensionScore, Scores

    def scores(
        overall: int, structure: int, delivery: int, enthusiasm: int, content: int
    ) -> Scores:
        return Scores(
            overall,
            *(DimensionScore(s, "", None) for s in (structure, delivery, enthusiasm, content)),
        )

    spoken = make_attempt(55)
    assert spoken.delivery is not None
    before = replace(
        spoken,
        id=3,
        scores=scores(55, 40, 70, 60, 50),
        delivery=replace(spoken.delivery, words_per_minute=182.4, filler_count=6),
    )
    after = replace(make_attempt(63), id=4, scores=scores(63, 60, 70, 58, 50), delivery=None)
    diff = changes(before, after)
    assert diff["compared_with"] == 3
    assert diff["overall"] == [55, 63]
    assert diff["enthusiasm"] == [60, 58]
    assert diff["words_per_minute"] == [182.4, None]
    text = "\n".join(_change_lines(diff))
    assert "Overall" in text and "(+8)" in text and "(-2)" in text and "(same)" in text
    assert "Pace" not in text  # no delivery on the new attempt: nothing to compare


# -- no audio server -------------------------------------------------------------------------


def test_the_transcriber_gets_the_very_samples_the_file_keeps(tmp_path: Path) -> None:
    from practice.core.results import SAMPLE_RATE
    from practice.speech import audio

    rng = np.random.default_rng(5)
    x = rng.uniform(-1.05, 1.05, SAMPLE_RATE).astype(np.float32)  # a little clipped, too
    heard: list[np.ndarray] = []
    writer = capture.TakeWriter(tmp_path / "take.wav", on_block=heard.append)
    for i in range(0, len(x), 1000):
        writer.write(x[i : i + 1000])
    saved = audio.load(writer.close()).samples
    assert np.array_equal(np.concatenate(heard), saved)  # to the bit
    assert np.abs(saved - np.clip(x, -1, 1)).max() <= 1 / 32768


def test_no_audio_server_is_one_clear_line(tmp_path: Path) -> None:
    env = os.environ | {"PULSE_SERVER": f"unix:{tmp_path}/none", "PRACTICE_HOME": str(tmp_path)}
    listed = subprocess.run(
        [PYTHON, "-m", "practice", "devices", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if listed.returncode == 0 and json.loads(listed.stdout):
        pytest.skip("this machine has sound hardware besides the sound server")
    for args in (["devices"], ["ask", "--no-input", "--question-text", "Why us?"]):
        r = subprocess.run(
            [PYTHON, "-m", "practice", *args], env=env, capture_output=True, text=True, timeout=60
        )
        assert r.returncode == 1, r.stderr
        assert "Traceback" not in r.stderr
        assert "No microphone found" in r.stderr


# -- through the virtual microphone ------------------------------------------------------------


def _start_vmic(directory: Path) -> dict[str, str]:
    env = os.environ | {"VMIC_DIR": str(directory)}
    out = subprocess.run(
        [str(VMIC), "start"], env=env, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    exports = {}
    for line in out.splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export ") :].partition("=")
            exports[key] = value
    return exports | {"VMIC_DIR": str(directory)}


def _stop_vmic(directory: Path) -> None:
    subprocess.run(
        [str(VMIC), "stop"],
        env=os.environ | {"VMIC_DIR": str(directory)},
        capture_output=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def vmic(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    if shutil.which("pulseaudio") is None:
        pytest.skip("pulseaudio is not installed")
    directory = tmp_path_factory.mktemp("vmic")
    exports = _start_vmic(directory)
    saved = {k: os.environ.get(k) for k in exports}
    os.environ.update(exports)  # before sounddevice is imported: PortAudio reads it once
    if "sounddevice" in sys.modules:  # imported earlier in this session: let PortAudio look again
        sd = sys.modules["sounddevice"]
        sd._terminate()
        sd._initialize()
    try:
        yield exports
    finally:
        _stop_vmic(directory)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clip") / "jfk.wav"
    subprocess.run(["sox", str(JFK), str(out)], check=True, timeout=60)
    return out


def _play(clip: Path) -> subprocess.Popen:
    return subprocess.Popen(["paplay", f"--device={os.environ['VMIC_SINK']}", str(clip)])


def _correlation(captured: np.ndarray, source: np.ndarray) -> tuple[float, int]:
    """Peak normalised cross-correlation of `source` within `captured`, and its lag (samples)."""
    n = len(captured) + len(source)
    size = 1 << (n - 1).bit_length()
    xc = np.fft.irfft(np.fft.rfft(captured, size) * np.conj(np.fft.rfft(source, size)), size)
    lag = int(np.argmax(xc[: len(captured)]))
    seg = captured[lag : lag + len(source)]
    src = source[: len(seg)]
    return float(np.dot(seg, src) / (np.linalg.norm(seg) * np.linalg.norm(src))), lag


@pytest.mark.mic
def test_record_stops_after_the_speech_and_matches_the_source(vmic, clip, tmp_path) -> None:  # noqa: ANN001
    import soundfile as sf

    from practice.speech.audio import load

    player: list[subprocess.Popen] = []

    def start_playing(level: Level) -> None:
        if not player:
            player.append(_play(clip))

    take = capture.record(
        tmp_path / "take.wav", stop_after_silence_s=1.5, max_seconds=40, on_level=start_playing
    )
    player[0].wait(timeout=30)
    source = load(clip).samples
    assert take.stopped_by == "silence"
    assert take.speech_started and not take.device_lost
    assert take.path.exists() and not capture.partial_path(take.path).exists()
    captured, rate = sf.read(take.path, dtype="float32")
    assert rate == SR
    assert len(captured) / SR == pytest.approx(take.duration_s)
    assert take.duration_s >= len(source) / SR
    r, lag = _correlation(captured, source)
    assert r > 0.8
    # The rule fired 1.5 s (one frame's rounding) after the speech ended, inside the clip.
    assert 1.5 <= take.duration_s - take.speech_end_s <= 1.6
    frame_s = capture.FRAME_SAMPLES / SR  # speech ends on a frame boundary
    assert lag / SR + 9.5 < take.speech_end_s <= lag / SR + len(source) / SR + frame_s


@pytest.mark.mic
def test_a_device_refusing_16_khz_is_resampled(vmic, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    import sounddevice as sd
    import soundfile as sf

    from practice.speech.audio import load

    real_check = sd.check_input_settings

    def refuse_16k(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if kwargs.get("samplerate") == SR:
            raise sd.PortAudioError("Invalid sample rate")
        return real_check(*args, **kwargs)

    monkeypatch.setattr(sd, "check_input_settings", refuse_16k)
    player: list[subprocess.Popen] = []

    def start_playing(level: Level) -> None:
        if not player:
            player.append(_play(SHORT_CLIP))

    take = capture.record(
        tmp_path / "resampled.wav", stop_after_silence_s=1.0, max_seconds=20, on_level=start_playing
    )
    player[0].wait(timeout=30)
    assert take.device_samplerate == 44100  # the virtual device's own rate
    assert take.stopped_by == "silence"
    captured, rate = sf.read(take.path, dtype="float32")
    assert rate == SR
    r, _ = _correlation(captured, load(SHORT_CLIP).samples)
    assert r > 0.8


@pytest.mark.mic
def test_enter_and_ctrl_c_end_the_take_and_keep_it(vmic, tmp_path) -> None:  # noqa: ANN001
    import soundfile as sf

    stop = threading.Event()

    def press_enter(level: Level) -> None:
        if level.elapsed_s >= 1.0:
            stop.set()

    take = capture.record(
        tmp_path / "enter.wav", stop_event=stop, max_seconds=20, on_level=press_enter
    )
    assert take.stopped_by == "enter"
    assert 1.0 <= take.duration_s < 1.5
    assert sf.info(take.path).frames == round(take.duration_s * SR)
    assert not take.speech_started  # the virtual mic was silent

    def ctrl_c(level: Level) -> None:
        if level.elapsed_s >= 0.5:
            raise KeyboardInterrupt

    take = capture.record(tmp_path / "interrupt.wav", max_seconds=20, on_level=ctrl_c)
    assert take.stopped_by == "interrupt"
    assert take.duration_s >= 0.5
    assert sf.info(take.path).frames == round(take.duration_s * SR)


RECORD_SCRIPT = """
import dataclasses, json, sys
from pathlib import Path
from practice.speech import capture
started = []
def level(l):
    if not started:
        started.append(1)
        print("started", flush=True)
take = capture.record(Path(sys.argv[1]), max_seconds=60, on_level=level)
print(json.dumps(dataclasses.asdict(take), default=str), flush=True)
"""


def _spawn_recorder(path: Path, env: dict[str, str]) -> subprocess.Popen:
    proc = subprocess.Popen(
        [PYTHON, "-c", RECORD_SCRIPT, str(path)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "started", proc.stderr.read() if proc.stderr else ""
    return proc


@pytest.mark.mic
def test_kill_9_mid_take_leaves_a_partial_that_recovers(vmic, tmp_path) -> None:  # noqa: ANN001
    import soundfile as sf

    path = tmp_path / "killed.wav"
    proc = _spawn_recorder(path, dict(os.environ))
    t0 = time.monotonic()
    time.sleep(3.0)
    elapsed = time.monotonic() - t0
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)  # also closes the pipes
    assert proc.returncode == -signal.SIGKILL
    partial = capture.partial_path(path)
    assert not path.exists()
    assert find_orphans(tmp_path) == [partial]
    final = recover(partial)
    assert final == path
    assert sf.info(final).duration >= elapsed - 1.0


@pytest.mark.mic
def test_losing_the_device_ends_the_take_with_audio_kept(vmic, tmp_path) -> None:  # noqa: ANN001
    import soundfile as sf

    # A second, private server, so stopping it does not disturb the other tests.
    directory = tmp_path / "vmic2"
    directory.mkdir()
    env = dict(os.environ) | _start_vmic(directory)
    try:
        path = tmp_path / "lost.wav"
        proc = _spawn_recorder(path, env)
        time.sleep(1.5)
        _stop_vmic(directory)
        out, err = proc.communicate(timeout=30)
    finally:
        _stop_vmic(directory)
    assert proc.returncode == 0, err
    take = json.loads(out.strip().splitlines()[-1])
    assert take["stopped_by"] == "device-lost"
    assert take["device_lost"] is True
    assert take["duration_s"] > 0.5
    assert sf.info(path).frames == round(take["duration_s"] * SR)
    assert not capture.partial_path(path).exists()


def _ask(args: list[str], home: Path, clip: Path) -> tuple[dict, str]:
    """Run `practice ask --no-input` in a subprocess, playing the clip once recording starts."""
    env = dict(os.environ) | {"PRACTICE_HOME": str(home)}
    proc = subprocess.Popen(
        [PYTHON, "-m", "practice", "ask", "--no-input", *args],
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None and proc.stdout is not None
    err_lines = []
    player = None
    for line in proc.stderr:
        err_lines.append(line)
        if line.startswith("Recording from"):
            player = _play(clip)
            break
    out_text, rest = proc.communicate(timeout=120)
    err_lines.append(rest)
    if player is not None:
        player.wait(timeout=30)
    err = "".join(err_lines)
    assert proc.returncode == 0, err
    assert player is not None, err
    return json.loads(out_text), err


@pytest.mark.mic
@pytest.mark.model
def test_ask_end_to_end_then_retry(vmic, clip, tmp_path) -> None:  # noqa: ANN001
    home = tmp_path / "home"
    question = "Why do you want to work in public service?"
    args = ["--stop-after-silence", "1.5", "--max-seconds", "30", "--json"]
    first, err = _ask([*args, "--question-text", question], home, clip)
    assert "ask not what your country" in first["transcript"]["text"].lower()
    assert first["id"] == 1
    assert first["question"]["text"] == question
    assert first["audio"]["duration_s"] >= 11.0
    assert "Take ended (silence)" in err
    takes = home / "recordings" / "takes"
    assert list(takes.iterdir()) == []  # the take moved into the history
    assert (takes.stat().st_mode & 0o777) == 0o700

    # A take killed in an earlier run is mentioned, not touched, with --no-input.
    orphan = takes / "take-old.partial.wav"
    _write_partial(orphan, np.zeros(SR, np.float32))
    second, err = _ask([*args, "--retry", "last"], home, SHORT_CLIP)
    assert "red fox" in second["transcript"]["text"].lower()
    assert "1 unfinished take(s)" in err
    assert orphan.exists()
    assert second["id"] == 2
    assert second["question"]["text"] == question
    assert second["changes"]["compared_with"] == 1
    assert second["changes"]["overall"][0] == first["scores"]["overall"]
    assert second["changes"]["overall"][1] == second["scores"]["overall"]
