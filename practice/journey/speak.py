"""Read a question aloud with the computer's own voice: espeak-ng (Linux), `say` (macOS) or
System.Speech through PowerShell (Windows). Nothing is sent anywhere.

`speak` returns only once the voice has finished, so recording that starts next does not hear
the question.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import time
from dataclasses import dataclass

from practice.core.errors import NoVoiceError

SPEAK_TIMEOUT_S = 120  # no interview question takes two minutes to read
# The speech program exits once it has handed its last samples to the sound server, which may
# still be playing them: wait this long more so the microphone does not catch the tail.
SETTLE_S = 0.4

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
