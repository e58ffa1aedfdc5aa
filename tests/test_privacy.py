"""Privacy: analyze and score run with no network at all, write only inside the chosen home,
and keep it readable by the user only, whatever the umask."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from reliability import PRACTICE, TINY_CLIP, child_env, home_with_model

from practice.cli.main import cli

GUARD = """
import socket

class NetworkUsed(RuntimeError):
    pass

def _refuse(*args, **kwargs):
    raise NetworkUsed(f"practice tried to use the network: {args!r}")

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
"""


def offline_env(tmp_path: Path) -> dict[str, str]:
    """A socket guard loaded by every Python started with this environment (sitecustomize),
    no Hugging Face settings, and HOME and TMPDIR pointing at empty folders to watch."""
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(GUARD)
    env = {
        k: v
        for k, v in child_env().items()
        if not k.startswith(
            ("HF_", "HUGGINGFACE", "TRANSFORMERS", "http_", "https_", "HTTP_", "HTTPS_")
        )
    }
    env["PYTHONPATH"] = os.pathsep.join([str(shim), env["PYTHONPATH"]])
    for name in ("fakehome", "faketmp"):
        (tmp_path / name).mkdir()
    env["HOME"] = str(tmp_path / "fakehome")
    env["TMPDIR"] = str(tmp_path / "faketmp")
    return env


def offline(cmd: list[str], env: dict[str, str], **kw) -> subprocess.CompletedProcess[str]:  # noqa: ANN003
    """Run in a new network namespace (no interfaces but a down loopback) under umask 000."""
    return subprocess.run(
        ["unshare", "-n", *cmd],
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.umask(0),
        timeout=600,
        **kw,
    )


def test_network_namespace_is_available() -> None:
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is missing: the offline tests cannot run")
    r = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True)
    assert r.returncode == 0, f"unshare -n does not work here (needs root): {r.stderr}"


def test_socket_guard_refuses_connections(tmp_path: Path) -> None:
    env = offline_env(tmp_path)
    probe = "import socket; socket.create_connection(('127.0.0.1', 9))"
    r = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert r.returncode != 0 and "NetworkUsed" in r.stderr


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.mark.model
def test_analyze_and_score_offline_private_and_inside_the_home(
    model_home: Path, tmp_path: Path
) -> None:
    env = offline_env(tmp_path)
    # The home is given with "..": it must land where that path resolves, nowhere else.
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    home = work / "data" / "home"
    given = str(work / "sub" / ".." / "data" / "home")
    home_with_model(model_home, home)
    shutil.rmtree(home / "models")  # start from a missing home apart from the model link
    home_with_model(model_home, home)
    # A folder that already exists is the user's choice: practice leaves its mode (issue 20:
    # a shared 1777 folder must not become 0700) and makes private what it creates inside.
    os.chmod(home, 0o755)
    clip = tmp_path / "answer.flac"
    shutil.copy(TINY_CLIP, clip)
    before_root = sorted(os.listdir(Path.home()))
    r = offline([*PRACTICE, "--home", given, "analyze", str(clip), "--json"], env)
    assert r.returncode == 0, r.stderr[-3000:]
    doc = json.loads(r.stdout)
    assert doc["id"] == 1 and doc["transcript"]["words"]
    answer = tmp_path / "answer.txt"
    answer.write_text("I led the team and we cut costs by 20 percent.")
    s = offline(
        [*PRACTICE, "--home", given, "score", str(answer), "--question-text", "Why?", "--json"], env
    )
    assert s.returncode == 0, s.stderr[-3000:]
    assert json.loads(s.stdout)["scores"]["overall"] >= 0
    # Private even under umask 000.
    assert mode(home) == 0o755
    assert mode(home / "recordings") == 0o700
    recordings = list((home / "recordings").iterdir())
    assert len(recordings) == 1 and mode(recordings[0]) == 0o600
    for name in ("history.sqlite3", "history.sqlite3-wal", "history.sqlite3-shm"):
        if (home / name).exists():
            assert mode(home / name) == 0o600, name
    # Nothing written outside the home: not beside it, not in HOME or TMPDIR.
    assert sorted(p.name for p in work.iterdir()) == ["data", "sub"]
    assert list((work / "sub").iterdir()) == []
    assert sorted(p.name for p in (work / "data").iterdir()) == ["home"]
    assert sorted(os.listdir(Path.home())) == before_root
    print("\nnetwork namespace run: analyze and score succeeded offline with the socket guard")
    # Before engine_faster.no_telemetry, onnxruntime's 1DS telemetry (loaded for faster-whisper's
    # VAD) wrote $HOME/.cache/Microsoft/DeveloperTools/.onnxruntime/{deviceid,onnxruntime.db}
    # and a world-writable $TMPDIR/.ses. Directories count too: an empty .cache is a write.
    assert written_under(tmp_path, "fakehome", "faketmp") == []


def written_under(root: Path, *names: str) -> list[str]:
    return sorted(str(p.relative_to(root)) for d in names for p in (root / d).rglob("*"))


def test_the_vad_runs_without_onnxruntime_telemetry(tmp_path: Path) -> None:
    """No model needed: faster-whisper's Silero VAD through onnxruntime, after no_telemetry,
    leaves HOME and TMPDIR empty (onnxruntime writes its telemetry files when imported)."""
    env = offline_env(tmp_path)
    env.pop("ORT_DISABLE_TELEMETRY", None)  # the engine must set it, not the caller
    probe = (
        "import numpy as np\n"
        "from practice.speech import engine_faster\n"
        "engine_faster.no_telemetry()\n"
        "from faster_whisper.vad import get_speech_timestamps\n"
        "get_speech_timestamps(np.zeros(32000, dtype=np.float32))\n"
        "import sys; assert 'onnxruntime' in sys.modules\n"
    )
    r = offline([sys.executable, "-c", probe], env)
    assert r.returncode == 0, r.stderr[-3000:]
    assert written_under(tmp_path, "fakehome", "faketmp") == []


def test_a_question_bank_that_looks_like_code_is_only_text(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "questions").mkdir(parents=True)
    marker = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {marker}')"
    (home / "questions" / "evil.toml").write_text(
        '[[question]]\nid = "evil"\ncategory = "fit"\n'
        f'text = "{payload}"\n'
        f"guidance = '''$(touch {marker}) `touch {marker}` {{{{ {payload} }}}}'''\n"
    )
    r = CliRunner().invoke(cli, ["--home", str(home), "questions", "list", "--json"])
    assert r.exit_code == 0, r.output
    evil = next(q for q in json.loads(r.stdout) if q["id"] == "evil")
    assert evil["text"] == payload
    assert evil["guidance"].startswith("$(touch")
    r = CliRunner().invoke(cli, ["--home", str(home), "questions", "show", "evil"])
    # Printed as text (wrapped between words at the terminal's width), never run.
    assert r.exit_code == 0 and payload in " ".join(r.stdout.split())
    assert not marker.exists()
