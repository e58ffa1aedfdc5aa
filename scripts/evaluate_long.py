"""Accuracy on long answers assembled from the real clips in ../shared/speech, batch and live.

One clip on its own says little about a two-minute answer: where the stretches are cut, and
whether Whisper stops a window early, changes from answer to answer. So this assembles several
answers from the same clips in shuffled orders, with pauses of 0.5-1.2 s between them, and
prints the word error rate of each, for the batch path (`practice analyze`) and, with --live,
for the live path (the stream `practice ask` feeds while the person speaks), and the filled
pauses found in one answer of all the verbatim clips, counted clip by clip.

    .venv/bin/python scripts/evaluate_long.py [--answers 8] [--live] [--home DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SPEECH = REPO.parent / "shared" / "speech"
sys.path.insert(0, str(REPO / "scripts"))
STOP_SILENCE_S = 2.0  # quiet after the last word before a live take stops
GAP_S = (0.5, 1.2)  # pauses between the clips of an answer
MARGIN_S = 0.4  # a filler this near a clip's edge still belongs to it


def _assemble(
    clips: list[dict], loaded: dict[str, np.ndarray], rng: random.Random | None
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """The clips one after another (shuffled by `rng`), and each clip's (start, end) in s."""
    order = clips[:]
    if rng is not None:
        rng.shuffle(order)
    parts, bounds, at = [], [], 0
    for c in order:
        x = loaded[c["file"]]
        pause = rng.uniform(*GAP_S) if rng is not None else 0.8
        parts += [x, np.zeros(int(16_000 * pause), np.float32)]
        bounds.append((at / 16_000, (at + len(x)) / 16_000))
        at += len(x) + len(parts[-1])
    clips[:] = order
    return np.concatenate(parts), bounds


def _errors(ref: str, hyp: str) -> int:
    import jiwer

    m = jiwer.process_words(ref, hyp)
    return m.substitutions + m.deletions + m.insertions


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--answers", type=int, default=8, help="shuffled answers to assemble")
    ap.add_argument("--live", action="store_true", help="also run the live (streaming) path")
    ap.add_argument("--home", default=None, help="data home (default: a temporary one)")
    args = ap.parse_args()

    from evaluate import words_of

    from practice.core.results import Recording
    from practice.speech import audio, models
    from practice.speech.transcribe import FILLER_PROMPT, transcribe

    home = Path(args.home or tempfile.mkdtemp(prefix="practice-eval-"))
    name, path = models.resolve(home, None, "faster-whisper")
    rows = [json.loads(x) for x in (SPEECH / "manifest.jsonl").read_text().splitlines()]
    spoken = [c for c in rows if c["transcript_kind"] == "exact" or c["style"] == "spontaneous"]
    verbatim = [c for c in rows if c["transcript_kind"].startswith("verbatim")]
    loaded = {c["file"]: audio.load(SPEECH / c["file"]).samples for c in spoken + verbatim}

    print(
        f"{'answer':<8} {'length':>7} {'batch WER':>10}"
        + (f" {'live WER':>9}" if args.live else "")
    )
    totals = {"words": 0, "batch": 0, "live": 0, "batch_s": 0.0}
    for seed in range(args.answers):
        order = spoken[:]
        x, _ = _assemble(order, loaded, random.Random(seed))
        ref = " ".join(words_of(" ".join(c["transcript"] for c in order)))
        started = time.perf_counter()
        batch = _errors(ref, " ".join(words_of(transcribe(Recording(x, "answer"), home=home).text)))
        totals["batch_s"] += time.perf_counter() - started
        n = len(ref.split())
        totals["words"] += n
        totals["batch"] += batch
        line = f"{seed:<8} {len(x) / 16_000:>6.0f}s {batch / n:>10.1%}"
        if args.live:
            from practice.speech.stream import StreamingTranscriber

            stream = StreamingTranscriber(lambda: (name, path), initial_prompt=FILLER_PROMPT)
            for i in range(0, len(x), 480):  # 30 ms blocks, as capture delivers them
                stream.feed(x[i : i + 480])
            # The person has finished: once the worker has caught up, 2 s of quiet go in at
            # the speed they are spoken (the silence rule's wait), time in which the worker
            # transcribes ahead as it does in `practice ask`.
            while not stream.caught_up():
                time.sleep(0.05)
            for _ in range(int(STOP_SILENCE_S / 0.03)):
                stream.feed(np.zeros(480, np.float32))
                time.sleep(0.03)
            _, live_t, _ = stream.finish(source="answer")
            live = _errors(ref, " ".join(words_of(live_t.text)))
            totals["live"] += live
            line += f" {live / n:>9.1%}"
        print(line, flush=True)
    words = totals["words"]
    summary = f"{'all':<8} {words:>5}w  {totals['batch'] / words:>10.2%}"
    if args.live:
        gap = (totals["live"] - totals["batch"]) / words * 100
        summary += f" {totals['live'] / words:>9.2%}   live - batch {gap:+.2f} points"
    print(summary)
    print(f"batch transcription time, all answers: {totals['batch_s']:.1f} s")

    order = verbatim[:]
    x, bounds = _assemble(order, loaded, None)
    t = transcribe(Recording(x, "verbatim"), home=home)
    matched = extra = 0
    for c, (start, end) in zip(order, bounds, strict=True):
        found = sum(1 for w in t.words if w.filler and start - MARGIN_S <= w.start < end + MARGIN_S)
        matched += min(found, c["filler_count"])
        extra += max(0, found - c["filler_count"])
    reference = sum(c["filler_count"] for c in order)
    print(
        f"filled pauses, all {len(order)} verbatim clips as one {len(x) / 16_000:.0f} s answer: "
        f"{matched}/{reference} found in their clip, {extra} more than the clip has"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
