"""Faults: SIGKILL and SIGINT at random moments of `practice analyze` and of History.save.

After every trial the history must be sound: SQLite's integrity check passes, every attempt has
its audio, no recording lacks an attempt once the next History.open has run, every attempt a
writer reported saved is there; and the next run works. The seed is printed so that a failing
sequence can be replayed with FAULT_SEED=<seed>.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from reliability import (
    PRACTICE,
    TINY_CLIP,
    child_env,
    consistency_problems,
    history_state,
    home_with_model,
    run_practice,
)

from practice.history.store import History

ANALYZE_TRIALS = 14
SAVE_TRIALS = 40  # 54 trials in all


def seeded() -> random.Random:
    seed = int(os.environ.get("FAULT_SEED", time.time_ns() % 2**32))
    print(f"\nFAULT_SEED={seed}")
    return random.Random(seed)


def after_crash(home: Path) -> list[str]:
    """The problems left once the next process has opened the history (which cleans up)."""
    History.open(home).close()
    return consistency_problems(home)


@pytest.mark.model
def test_kill_or_interrupt_analyze_at_random_moments(model_home: Path, tmp_path: Path) -> None:
    home = home_with_model(model_home, tmp_path / "home")
    clip = tmp_path / "answer.flac"
    shutil.copy(TINY_CLIP, clip)
    cmd = [*PRACTICE, "--home", str(home), "analyze", str(clip), "--json"]
    env = child_env()
    started = time.monotonic()
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    typical_s = time.monotonic() - started
    assert first.returncode == 0, first.stderr
    rng = seeded()
    outcomes: Counter[str] = Counter()
    for trial in range(ANALYZE_TRIALS):
        sig = rng.choice((signal.SIGKILL, signal.SIGINT))
        delay = rng.uniform(0, typical_s)
        before = history_state(home).count
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        time.sleep(delay)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
        saved = history_state(home).count - before
        outcomes[f"{sig.name} exit {proc.returncode} saved {saved}"] += 1
        assert saved in (0, 1)
        if proc.returncode == 0:
            assert saved == 1, "finished but not saved"
        if sig == signal.SIGINT and proc.returncode != 0:
            # Ctrl-C: "Interrupted." (130) inside a command, click's "Aborted!" (1) around it,
            # or Python's own default before practice has started; never a traceback once it has.
            if "Traceback" in err:
                assert "KeyboardInterrupt" in err and "practice/cli/main.py" not in err, err[-2000:]
        problems = after_crash(home)
        assert not problems, f"trial {trial} ({sig.name} after {delay:.2f} s): {problems}"
    print(f"analyze trials: {ANALYZE_TRIALS}, typical run {typical_s:.1f} s, outcomes:")
    for outcome, n in sorted(outcomes.items()):
        print(f"  {n:3d}  {outcome}")
    # The next run works and everything kept is readable.
    final = run_practice(home, "analyze", str(clip), "--json")
    assert final.returncode == 0, final.stderr
    listed = run_practice(home, "history", "--json")
    assert listed.returncode == 0, listed.stderr
    with History.open(home) as h:
        assert h.integrity_check() == "ok"
        assert len(h.list()) == history_state(home).count


SAVER = textwrap.dedent("""
    import sys
    from pathlib import Path

    from practice.judgment.coach import analyze_text
    from practice.history.store import History

    home, audio = Path(sys.argv[1]), Path(sys.argv[2])
    analysis = analyze_text("I led the team and we cut costs by 20 percent.", question=None)
    with History.open(home) as history:
        print("ready", flush=True)
        while True:
            print(history.save(analysis, audio).id, flush=True)
""")


def test_kill_or_interrupt_history_save_at_random_moments(tmp_path: Path) -> None:
    home = tmp_path / "home"
    audio = tmp_path / "take.wav"
    sf.write(audio, 0.1 * np.sin(np.arange(16_000) / 5.0), 16_000, subtype="PCM_16")
    rng = seeded()
    env = child_env()
    reported: set[int] = set()
    outcomes: Counter[str] = Counter()
    for trial in range(SAVE_TRIALS):
        sig = rng.choice((signal.SIGKILL, signal.SIGINT))
        proc = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(home), str(audio)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
        time.sleep(rng.uniform(0, 0.3))
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=60)
        ids = {int(line) for line in out.split()}
        reported |= ids
        outcomes[sig.name] += 1
        outcomes["saves"] += len(ids)
        problems = after_crash(home)
        assert not problems, f"trial {trial} ({sig.name}): {problems}"
        kept = {row[0] for row in history_state(home).rows}
        assert reported <= kept, f"reported saved but missing: {sorted(reported - kept)}"
    state = history_state(home)
    print(
        f"save trials: {SAVE_TRIALS} ({outcomes['SIGKILL']} SIGKILL, {outcomes['SIGINT']} "
        f"SIGINT), {outcomes['saves']} saves reported, {state.count} rows kept"
    )
    assert state.count >= len(reported)
    # The next run works: a save, a read of everything, a clean check.
    with History.open(home) as h:
        from practice.judgment.coach import analyze_text

        saved = h.save(analyze_text("We shipped it on time.", question=None), audio)
        assert saved.id == max(row[0] for row in history_state(home).rows)
        assert len(h.list()) == state.count + 1
        assert h.integrity_check() == "ok"
    assert not consistency_problems(home)


def test_a_fresh_temp_copy_of_a_live_writer_is_kept(tmp_path: Path) -> None:
    """The clean-up after a crash must not take the copy another process is saving right now."""
    home = tmp_path / "home"
    History.open(home).close()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        mine = home / "recordings" / f".tmp-{live.pid}-abc.wav"
        mine.write_bytes(b"RIFF")
        dead = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            capture_output=True,
            text=True,
            check=True,
        )
        orphan = home / "recordings" / f".tmp-{int(dead.stdout)}-def.wav"
        orphan.write_bytes(b"RIFF")
        History.open(home).close()
        assert mine.exists()
        assert not orphan.exists()
    finally:
        live.kill()
        live.wait()


# -- a take on a full disk ---------------------------------------------------------------------


def test_take_on_a_full_disk_keeps_the_audio_so_far(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A 200 KB tmpfs fills after about 6 s of 16 kHz 16-bit audio while 10 s arrive."""
    capture = pytest.importorskip("practice.speech.capture")
    if not hasattr(capture, "record") or not hasattr(capture, "recover"):
        pytest.skip("practice.speech.capture has no record/recover")
    mnt = tmp_path / "small"
    mnt.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.fail(f"cannot mount a small tmpfs (needs root): {mounted.stderr.strip()}")
    try:
        _record_until_full(capture, mnt, monkeypatch)
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _record_until_full(capture, mnt: Path, monkeypatch) -> None:  # noqa: ANN001
    from practice.core.errors import PracticeError

    block = (0.2 * np.sin(np.arange(capture.BLOCK_FRAMES) / 3.0)).astype(np.float32)

    class FakeStream:
        samplerate = 16_000
        overflows = 0

        def __init__(self, device: object) -> None:
            self.left = 200  # 200 blocks of 50 ms: 10 s

        def __enter__(self) -> FakeStream:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def read(self, timeout: float) -> np.ndarray | None:
            if self.left == 0:
                raise KeyboardInterrupt  # the person presses Ctrl-C at the end
            self.left -= 1
            return block

        def drain(self):  # noqa: ANN202
            return iter(())

    device = capture.InputDevice(0, "fake", 1, 16_000.0, True)
    monkeypatch.setattr(capture, "_Stream", FakeStream)
    target = mnt / "take.wav"
    partial = capture.partial_path(target)
    failure: BaseException | None = None
    try:
        take = capture.record(target, device=device)
    except Exception as e:
        failure = e
    if failure is None:  # it stopped cleanly when the disk filled: the take says how long
        data, rate = sf.read(take.path)
        assert rate == 16_000 and len(data) / rate > 3.0
        return
    # The audio so far must survive: the partial take recovers to several seconds (on a disk
    # with room: recovering writes a new file, which fails cleanly on the full one).
    if partial.exists():
        spare = mnt.parent / partial.name
        shutil.copy(partial, spare)
        source = capture.recover(spare)
    else:
        source = target
    data, rate = sf.read(source)
    kept_s = len(data) / rate
    print(f"\nfull disk: {type(failure).__name__}: {failure}; {kept_s:.2f} s kept")
    assert rate == 16_000 and kept_s > 3.0, kept_s
    assert isinstance(failure, PracticeError), repr(failure)  # one line in the CLI, exit 1
    message = str(failure)
    assert "\n" not in message and len(message) < 300 and "disk" in message.lower(), message
