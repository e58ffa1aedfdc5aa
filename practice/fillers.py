"""Filled pauses checked against the audio: the ones Whisper merged or left out are added.

Whisper, even prompted with fillers, writes several filled pauses in a row as fewer tokens ("uh
um uh" as "um, um") and leaves some out; it also places its filler tokens loosely in time. A
filled pause has a plain acoustic signature: a voiced sound, steady in pitch and in spectrum (one
held vowel or nasal), lasting typically 0.2-1 s. Words change their spectrum every 50-150 ms;
breaths and most noise are unvoiced; laughter jumps in pitch. So each steady voiced stretch of
the recording is matched to the filler tokens around it, and a stretch that no token explains and
no word covers becomes a filler of its own. A filler token with no voice anywhere near it is
dropped: there was nothing to hear.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from practice.analysis.prosody import HOP_S, energy_envelope_db, track_f0
from practice.results import Recording, Word

STEADY_WINDOW_S = 0.2  # s: a held sound stays steady at least this long; phones last 50-150 ms
MIN_FILLER_S = 0.2  # s of steady voice no word covers, the least heard as a filled pause
MAX_FILLER_S = 2.5  # s: a longer steady tone is a hum or a held note, not a hesitation
VOICED_APERIODICITY = 0.45  # looser than prosody's 0.35: hesitations are often breathy or creaky
VOICED_SHARE = 0.8  # of a window's frames voiced, or the window is not a held sound
PITCH_RANGE_SEMITONES = 2.0  # 10-90 percentile range of F0 in a window: fillers are level
SPECTRUM_STD_DB = 3.0  # mean over bands of each band's std within a window: one vowel or nasal
BANDS_HZ = (100.0, 5_000.0)  # where vowels and nasals differ; 12 log-spaced bands
N_BANDS = 12
SPECTRUM_FRAME_S = 0.032  # s per spectrum frame: two periods of a low voice
NOISE_PERCENTILE = 10  # the quietest tenth of frames estimates the noise floor
NOISE_MARGIN_DB = 10.0  # voice sits at least this far above the floor ...
DYNAMIC_RANGE_DB = 40.0  # ... and within this of the loud speech (99th percentile)
SPEECH_HEADROOM_DB = 20.0  # but a frame this close to the loud speech always counts
MATCH_TOLERANCE_S = 0.15  # s: Whisper's filler tokens sit this loosely around the sound
WORD_EDGE_TOLERANCE_S = 0.05  # s a held sound may start before the previous word's stated end
SUPPORT_PAD_S = 0.2  # s around a filler token searched for any voice at all
MIN_SUPPORT_S = 0.05  # s of voice (outside other words) a filler token needs to be kept
ADDED_FILLER_TEXT = "uh"


@dataclass(frozen=True)
class Segment:
    """A steady voiced stretch of the recording, in seconds."""

    start: float
    end: float


def refine_fillers(words: Sequence[Word], recording: Recording) -> list[Word]:
    """`words` (filler flags set) with unheard filler tokens dropped and held voiced sounds that
    no token explains added as fillers, in time order."""
    if not words or recording.samples.size == 0:
        return list(words)
    frames = _Frames.of(recording)
    segments = steady_segments(recording, frames=frames)
    kept = [w for w in words if not w.filler or _voiced_near(w, words, frames)]
    fillers = [w for w in kept if w.filler]
    content = [w for w in kept if not w.filler]
    explained = _explained(segments, fillers)
    added = []
    for i, seg in enumerate(segments):
        if i in explained or not _free(seg, content):
            continue
        start, end = round(seg.start, 3), round(seg.end, 3)
        added.append(Word(ADDED_FILLER_TEXT, start, end, 0.0, filler=True))
    return sorted(kept + added, key=lambda w: (w.start, w.end))


def steady_segments(recording: Recording, *, frames: _Frames | None = None) -> list[Segment]:
    """Stretches of at least MIN_FILLER_S (and at most MAX_FILLER_S) of voice held steady in
    pitch and spectrum: the candidates for filled pauses, whether or not a word covers them."""
    f = frames or _Frames.of(recording)
    win = max(2, round(STEADY_WINDOW_S / HOP_S))
    n = f.voiced.size
    if n < win:
        return []
    steady = np.zeros(n, dtype=bool)
    semitones = 12.0 * np.log2(np.maximum(f.f0_hz, 1.0) / 100.0)
    counts = np.convolve(f.voiced.astype(np.int32), np.ones(win, dtype=np.int32), "valid")
    for i in np.flatnonzero(counts >= VOICED_SHARE * win):
        sl = slice(i, i + win)
        v = f.voiced[sl]
        st = semitones[sl][v]
        st = st - np.median(st)
        st -= 12.0 * np.round(st / 12.0)  # an octave error is the same pitch to a listener
        low, high = np.percentile(st, [10, 90])
        if high - low > PITCH_RANGE_SEMITONES:
            continue
        if float(f.shape[sl][v].std(axis=0).mean()) > SPECTRUM_STD_DB:
            continue
        steady[sl] = True
    out = []
    for a, b in _runs(steady):
        start, end = a * HOP_S, b * HOP_S
        if MIN_FILLER_S <= end - start <= MAX_FILLER_S:
            out.append(Segment(start, end))
    return out


@dataclass(frozen=True)
class _Frames:
    voiced: np.ndarray  # bool (n,): periodic and loud enough to be voice
    f0_hz: np.ndarray  # (n,)
    shape: np.ndarray  # (n, N_BANDS): band levels in dB minus the frame's mean level

    @classmethod
    def of(cls, recording: Recording) -> _Frames:
        samples = np.asarray(recording.samples, dtype=np.float32).reshape(-1)
        sr = recording.sample_rate
        energy = energy_envelope_db(samples, sample_rate=sr, hop_s=HOP_S)
        f0, aperiodicity = track_f0(samples, sample_rate=sr, hop_s=HOP_S)
        n = min(energy.size, f0.size)
        loud = float(np.percentile(energy, 99))
        threshold = max(float(np.percentile(energy, NOISE_PERCENTILE)) + NOISE_MARGIN_DB,
                        loud - DYNAMIC_RANGE_DB)
        threshold = min(threshold, loud - SPEECH_HEADROOM_DB)
        voiced = (energy[:n] > threshold) & (aperiodicity[:n] < VOICED_APERIODICITY)
        return cls(voiced, f0[:n], _band_shape(samples, sr, n))


def _band_shape(samples: np.ndarray, sample_rate: int, n_frames: int) -> np.ndarray:
    """Log band levels per frame (shape (n_frames, N_BANDS)), each frame's mean removed so that
    loudness drops out and only the spectrum's shape (the vowel or nasal) is left."""
    hop = max(1, round(HOP_S * sample_rate))
    frame = round(SPECTRUM_FRAME_S * sample_rate)
    n_fft = 1 << (frame - 1).bit_length()
    padded = np.pad(samples, (frame // 2, frame + n_frames * hop))
    windows = np.lib.stride_tricks.sliding_window_view(padded, frame)[::hop][:n_frames]
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    edges = np.geomspace(BANDS_HZ[0], BANDS_HZ[1], N_BANDS + 1)
    band_of = np.digitize(freqs, edges) - 1  # -1 and N_BANDS fall outside the bands
    inside = (band_of >= 0) & (band_of < N_BANDS)
    taper = np.hanning(frame).astype(np.float32)
    out = np.empty((n_frames, N_BANDS))
    chunk = 4096  # frames per FFT batch: bounds memory on long answers
    for c in range(0, n_frames, chunk):
        power = np.abs(np.fft.rfft(windows[c : c + chunk] * taper, n_fft, axis=1)) ** 2
        bands = np.zeros((power.shape[0], N_BANDS))
        for b in range(N_BANDS):
            bands[:, b] = power[:, inside & (band_of == b)].sum(axis=1)
        out[c : c + chunk] = 10.0 * np.log10(bands + 1e-12)
    return out - out.mean(axis=1, keepdims=True)


def _explained(segments: Sequence[Segment], fillers: Sequence[Word]) -> set[int]:
    """Indices of segments a filler token accounts for: each token takes the one segment it
    overlaps most (or lies nearest, within MATCH_TOLERANCE_S), so a token Whisper wrote once for
    two sounds explains only one of them."""
    taken: set[int] = set()
    for w in fillers:
        best, best_score = None, -MATCH_TOLERANCE_S
        for i, seg in enumerate(segments):
            if i in taken:
                continue
            score = min(w.end, seg.end) - max(w.start, seg.start)  # overlap, or minus the gap
            if score >= best_score:
                best, best_score = i, score
        if best is not None:
            taken.add(best)
    return taken


def _free(seg: Segment, content: Sequence[Word]) -> bool:
    """Whether a steady stretch is a sound of its own: it does not begin inside a word (a drawn-
    out word end is the word) and at least MIN_FILLER_S of it lies outside every word."""
    covered = 0.0
    for w in content:
        if w.start < seg.start < w.end - WORD_EDGE_TOLERANCE_S:
            return False
        covered += max(0.0, min(w.end, seg.end) - max(w.start, seg.start))
    return seg.end - seg.start - covered >= MIN_FILLER_S


def _voiced_near(w: Word, words: Sequence[Word], frames: _Frames) -> bool:
    """Whether any voice outside the other words lies within SUPPORT_PAD_S of a filler token."""
    lo = max(0, int((w.start - SUPPORT_PAD_S) / HOP_S))
    hi = min(frames.voiced.size, int(np.ceil((w.end + SUPPORT_PAD_S) / HOP_S)))
    mask = frames.voiced[lo:hi].copy()
    for other in words:
        if other is w or other.filler:
            continue
        a = max(lo, int(other.start / HOP_S))
        b = min(hi, int(np.ceil(other.end / HOP_S)))
        if b > a:
            mask[a - lo : b - lo] = False
    return int(mask.sum()) * HOP_S >= MIN_SUPPORT_S


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) frame indices of each run of True."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))
