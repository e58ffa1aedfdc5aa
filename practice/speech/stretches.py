"""Where to cut an answer into stretches for Whisper: at pauses, never inside a word.

Whisper given a whole long answer conditions each 30 s window on the text before it; fluent
text before makes it drop later "um"s, and once it skipped a whole 25 s passage here. Giving it
stretches cut at pauses, each with the short filler prompt, kept the fillers and halved the word
error rate on a 163 s answer assembled from the real clips (21.8 % to 11.7 %). The same rule
serves the live path (stream.py), so a take and the same audio analysed from a file agree.
"""

from __future__ import annotations

import numpy as np

from practice.core.results import SAMPLE_RATE

FRAME_S = 0.01  # 10 ms energy frames
QUIET_MARGIN_DB = 10.0  # a frame this close to the room's noise floor is not voice
SPEECH_HEADROOM_DB = 20.0  # ... and a pause sits at least this far under the loud speech
CUT_PAUSE_S = 0.3  # the shortest quiet run worth cutting at
BATCH_MAX_S = 28.0  # a file's stretches fill most of one 30 s Whisper window each
SEARCH_S = 3.0  # with no pause, cut at the quietest moment of the last few seconds
FLOOR_WINDOW_S = 30.0  # the noise floor and the loud speech are judged over the last 30 s
# A stretch is decoded only up to a moment after its last frame within this much of its
# loudest: Whisper read the same words differently with 1.7 s more pause after them ("build"
# for "built"), so a take whose last stretch was transcribed in the pause and the same audio
# from a file disagreed. Appending quieter frames never moves that end, so both paths decode
# the same samples. 35 dB is under any consonant's tail; a noisier room is simply not trimmed.
TRIM_BELOW_PEAK_DB = 35.0
TRIM_KEEP_S = 0.3  # of the pause after the last loud frame, kept (a word's decay)


def frame_levels_db(samples: np.ndarray, *, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Mean-square level of each FRAME_S frame in dB, shape (len(samples) // hop,)."""
    hop = int(FRAME_S * sample_rate)
    n = len(samples) // hop
    out = np.empty(n)
    block = 100_000  # frames per step keeps the float64 working copy small
    for i in range(0, n, block):
        frames = samples[i * hop : min(n, i + block) * hop].astype(np.float64).reshape(-1, hop)
        out[i : i + len(frames)] = 10 * np.log10(np.maximum(np.mean(frames**2, axis=1), 1e-10))
    return out


def quiet_limit_db(floor_db: float, loud_db: float) -> float:
    """Frames below this level are pause, not voice: near the room's noise floor, and well under
    the loud speech (with no pause yet, the floor estimate is speech itself)."""
    return min(floor_db + QUIET_MARGIN_DB, loud_db - SPEECH_HEADROOM_DB)


def plan(
    samples: np.ndarray, *, max_s: float = BATCH_MAX_S, sample_rate: int = SAMPLE_RATE
) -> list[tuple[int, int]]:
    """(start, end) sample ranges covering `samples`, each at most `max_s` long, cut in the
    middle of the longest pause in the last two thirds before the limit (or at its quietest
    frame when there is none)."""
    n = len(samples)
    hop = int(FRAME_S * sample_rate)
    levels = frame_levels_db(samples, sample_rate=sample_rate)
    if n <= max_s * sample_rate or not len(levels):
        return [(0, n)]
    limit = int(max_s / FRAME_S)
    spans, start = [], 0  # in frames
    while len(levels) - start > limit:
        end = start + cut(levels, start, start + limit)
        spans.append((start * hop, end * hop))
        start = end
    spans.append((start * hop, n))
    return spans


def cut(levels: np.ndarray, start: int, end: int) -> int:
    """Where to end a stretch that holds frames [start, end): frames from `start` to the
    middle of the longest pause in the stretch's last two thirds, else to its quietest moment
    in the last SEARCH_S.

    What counts as a pause is judged from the FLOOR_WINDOW_S of levels before `end`, which is
    all the live path (stream.py) has when it cuts; so a take and the same audio analysed
    from a file are cut in the same places."""
    recent = levels[max(0, end - int(FLOOR_WINDOW_S / FRAME_S)) : end]
    floor, loud = np.percentile(recent, (10, 95))
    window = levels[start:end]
    quiet = window < quiet_limit_db(float(floor), float(loud))
    middle = longest_pause_middle(quiet, int(CUT_PAUSE_S / FRAME_S), not_before=len(window) // 3)
    if middle is not None:
        return middle
    tail = window[-int(SEARCH_S / FRAME_S) :]
    return len(window) - len(tail) + int(np.argmin(tail))


def decoded_end(
    levels: np.ndarray, start: int, end: int, *, hop: int = int(FRAME_S * SAMPLE_RATE)
) -> int:
    """Sample where the decoding of the stretch [start, end) (samples; `start` on a frame
    boundary, `levels` the take's frame levels) ends: TRIM_KEEP_S after its last frame within
    TRIM_BELOW_PEAK_DB of its loudest, or `end` when that would reach it."""
    first, last = start // hop, min(end // hop, len(levels))
    window = levels[first:last]
    if not len(window):
        return end
    loud = np.flatnonzero(window >= window.max() - TRIM_BELOW_PEAK_DB)
    frames = int(loud[-1]) + 1 + round(TRIM_KEEP_S / FRAME_S)
    return end if first + frames >= last else (first + frames) * hop


def longest_pause_middle(quiet: np.ndarray, min_run: int, *, not_before: int = 0) -> int | None:
    """Middle of the longest run of at least `min_run` True values that ends after
    `not_before` (the latest such run on a tie), or None. The longest pause is the likeliest
    end of a sentence: a cut at a short pause inside one let Whisper finish the sentence on
    both sides of the cut."""
    edges = np.diff(np.concatenate(([0], quiet.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    runs = [
        (e - s, s, e)
        for s, e in zip(starts, ends, strict=True)
        if e - s >= min_run and (s + e) // 2 >= not_before
    ]
    if not runs:
        return None
    _, s, e = max(runs)
    return int((s + e) // 2)
