"""Two processes writing to one history at once: nothing lost, nothing duplicated."""

from __future__ import annotations

import subprocess
import sys
import textwrap
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
)

from practice.history.store import History

SAVES_PER_WRITER = 100

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path

    from practice.judgment.coach import analyze_text
    from practice.history.store import History

    home, audio, tag, go = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
    answers = [analyze_text(f"I led team {tag} and we cut costs by {i} percent.", question=None,
                            source=f"{tag}-{i}") for i in range(int(sys.argv[5]))]
    while not go.exists():  # start together
        time.sleep(0.005)
    for a in answers:
        with History.open(home) as history:  # a fresh open each time, as separate commands do
            history.save(a, audio)
""")


@pytest.mark.model
def test_two_processes_write_one_history(model_home: Path, tmp_path: Path) -> None:
    home = home_with_model(model_home, tmp_path / "home")
    audio = tmp_path / "take.wav"
    sf.write(audio, 0.1 * np.sin(np.arange(8_000) / 4.0), 16_000, subtype="PCM_16")
    go = tmp_path / "go"
    env = child_env()
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WRITER,
                str(home),
                str(audio),
                tag,
                str(go),
                str(SAVES_PER_WRITER),
            ],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("A", "B")
    ]
    clip = tmp_path / "answer.flac"
    clip.write_bytes(TINY_CLIP.read_bytes())
    analyzers = [
        subprocess.Popen(
            [*PRACTICE, "--home", str(home), "analyze", str(clip), "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    go.touch()
    for p in writers + analyzers:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-3000:]
    with History.open(home) as h:
        rows = h.list()
        assert h.integrity_check() == "ok"
    sources = Counter(r.analysis.source for r in rows)
    expected = {f"{t}-{i}" for t in "AB" for i in range(SAVES_PER_WRITER)}
    assert {s for s in sources if s in expected} == expected, "an attempt was lost"
    assert all(n == 1 for s, n in sources.items() if s in expected), "an attempt was duplicated"
    assert sources[str(clip)] == 2
    assert len(rows) == 2 * SAVES_PER_WRITER + 2
    ids = [r.id for r in rows]
    assert len(set(ids)) == len(ids)
    assert not consistency_problems(home)
    assert len(history_state(home).recordings) == len(rows)
    print(
        f"\nconcurrent writes: {len(rows)} rows from 2 writers x {SAVES_PER_WRITER} saves + "
        "2 analyze runs; none lost or duplicated"
    )
