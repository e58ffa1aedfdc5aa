"""Read a question aloud: the interviewer's natural Piper voice (practice/speech/voice.py) by
default, or the computer's own voice: espeak-ng (Linux), `say` (macOS) or System.Speech through
PowerShell (Windows). Nothing is sent anywhere.

The `voice` setting chooses: "piper" (the default), "espeak" (the computer's own voice), or the
name of one of the computer's voices (espeak-ng -v, say -v, a Windows voice). When Piper or its
voice is missing or broken, the computer's voice reads the questions instead, said once.

`speak` and `Interviewer.read` return only once the voice has finished, so recording that starts
next does not hear the question.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from practice.core.errors import DeviceError, ModelError, NoVoiceError

SPEAK_TIMEOUT_S = 120  # no interview question takes two minutes to read
# The speech program exits once it has handed its last samples to the sound server, which may
# still be playing them: wait this long more so the microphone does not catch the tail.
SETTLE_S = 0.4
PIPER = "piper"  # the `voice` setting for the natural voice (the default)
SYSTEM = "espeak"  # the `voice` setting for the computer's own voice

# Windows: the text comes on stdin, so no quoting of the question into a command line.
_POWERSHELL_SCRIPT = (
    "Add-Type -AssemblyName System.Speech; "
    "$s = New-Object System.Speech.Synthesis.SpeechSynthesizer; "
    "if ($env:PRACTICE_SPEAK_VOICE) { $s.SelectVoice($env:PRACTICE_SPEAK_VOICE) }; "
    "$s.Speak([Console]::In.ReadToEnd())"
)


@dataclass(frozen=True)
class Voice:
    program: str  # "espeak-ng", "espeak", "say" or "powershell"
    path: str


def find_voice(system: str | None = None) -> Voice | None:
    """The local speech program for this platform, or None when there is none."""
    system = system or platform.system()
    if system == "Darwin":
        candidates = ["say"]
    elif system == "Windows":
        candidates = ["powershell", "pwsh"]
    else:
        candidates = ["espeak-ng", "espeak"]
    for name in candidates:
        path = shutil.which(name)
        if path:
            return Voice("powershell" if name == "pwsh" else name, path)
    return None


def command(voice: Voice, text: str, voice_name: str | None) -> tuple[list[str], str | None]:
    """(argv, stdin text) that make `voice` read `text` aloud and wait until it is done."""
    if voice.program == "powershell":
        return [voice.path, "-NoProfile", "-NonInteractive", "-Command", _POWERSHELL_SCRIPT], text
    argv = [voice.path]
    if voice_name:
        argv += ["-v", voice_name]
    return argv + ["--", text], None


def no_voice_message() -> str:
    if platform.system() == "Linux":
        fix = "install espeak-ng (e.g. `sudo apt install espeak-ng`)"
    elif platform.system() == "Windows":
        fix = "Windows PowerShell with System.Speech is needed"
    else:
        fix = "install espeak-ng"
    return f"No local voice to read the question aloud; {fix}. The question is shown only."


def speak(text: str, *, voice_name: str | None = None, voice: Voice | None = None) -> None:
    """Read `text` aloud and return when the voice has finished; NoVoiceError otherwise."""
    import os

    voice = voice or find_voice()
    if voice is None:
        raise NoVoiceError(no_voice_message())
    argv, stdin = command(voice, text, voice_name)
    env = dict(os.environ)
    if voice.program == "powershell" and voice_name:
        env["PRACTICE_SPEAK_VOICE"] = voice_name
    try:
        done = subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=SPEAK_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise NoVoiceError(
            f"{voice.program} could not read the question ({e}); the question is shown only."
        ) from e
    if done.returncode != 0:
        detail = (done.stderr or done.stdout or "").strip().splitlines()
        why = detail[-1] if detail else f"exit status {done.returncode}"
        fix = (
            "choose another with `practice config set voice NAME`"
            if voice_name
            else "check the sound output"
        )
        raise NoVoiceError(f"{voice.program} could not read the question ({why}); {fix}.")
    # espeak-ng exits 0 when it has no sound output at all, saying so only on stderr.
    failed = [
        line for line in (done.stderr or "").splitlines() if line.lower().startswith("error:")
    ]
    if failed:
        raise NoVoiceError(
            f"{voice.program} could not play the question ({failed[-1]}); check "
            "the sound output. The question is shown only."
        )
    time.sleep(SETTLE_S)


class Speaker(Protocol):
    """A loaded natural voice (practice.speech.voice.PiperSpeaker)."""

    def say(self, text: str) -> float: ...


def _load_piper() -> Speaker:
    from practice.speech import voice

    return voice.load()


class Interviewer:
    """Reads questions aloud with the voice the `voice` setting chooses (None means Piper).

    Piper is loaded (its files checked) when this is made; when it cannot be, `note` is told
    once and the computer's voice reads instead. When that is missing or fails too, `note` is
    told once more and the questions are shown only. `read` never raises for a voice problem.
    """

    def __init__(
        self,
        choice: str | None,
        note: Callable[[str], None],
        *,
        load_piper: Callable[[], Speaker] | None = None,
        system: Callable[[], Voice | None] | None = None,
    ) -> None:
        self._note = note
        self._find_system = system or find_voice
        self.system_name = None if choice in (None, PIPER, SYSTEM) else choice
        self.piper: Speaker | None = None
        self.system: Voice | None = None
        if choice in (None, PIPER):
            try:
                self.piper = (load_piper or _load_piper)()
            except ModelError as e:
                self._fall_back(str(e))
                return
        else:
            self._use_system()

    @property
    def name(self) -> str | None:
        """Who reads: "piper", the system program's name, or None (questions shown only)."""
        if self.piper is not None:
            return PIPER
        return self.system.program if self.system is not None else None

    def _use_system(self) -> None:
        self.system = self._find_system()
        if self.system is None:
            self._note(no_voice_message())

    def _fall_back(self, why: str) -> None:
        self.piper = None
        self.system = self._find_system()
        if self.system is None:
            self._note(f"{why.rstrip('.')}. {no_voice_message()}")
        else:
            self._note(
                f"{why.rstrip('.')}. Until then {self.system.program} reads the questions "
                f"(`practice config set voice {SYSTEM}` chooses it for good)."
            )

    def read(self, text: str) -> None:
        """Read `text` aloud and return once it has been heard (at once when silent)."""
        if self.piper is not None:
            try:
                self.piper.say(text)
            except (DeviceError, ModelError) as e:
                self._fall_back(f"The Piper voice could not read the question: {e}")
            except Exception as e:  # noqa: BLE001 - onnxruntime's own errors: a broken voice
                self._fall_back(f"The Piper voice failed ({type(e).__name__}: {e})")
            else:
                time.sleep(SETTLE_S)
                return
        if self.system is None:
            return
        try:
            speak(text, voice_name=self.system_name, voice=self.system)
        except NoVoiceError as e:
            self._note(str(e))
            self.system = None
