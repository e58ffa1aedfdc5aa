"""Pitch and energy variation of an answer, from the audio: does the speaker sound monotone?

F0 comes from a vectorised YIN (de Cheveigné & Kawahara 2002) run at 8 kHz, which also yields
each frame's aperiodicity for the voicing decision. librosa.pyin measured 7.2 s per minute of
audio here (2.1 s at a 20 ms hop) against a feedback budget of about 2 s for a 5-minute answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from practice.analysis.thresholds import (
    MIN_VOICED_S,
    MONOTONE_SEMITONES,
    OCTAVE_FOLD_SEMITONES,
)
from practice.results import Prosody, Recording, Word

HOP_S = 0.01  # s between analysis frames, for pitch and energy alike
F0_MIN_HZ = 60.0  # a low male voice; lower candidates are mostly creak or rumble
F0_MAX_HZ = 400.0  # a high female voice in conversation; above it sits mostly first-formant energy
F0_SAMPLE_RATE = 8_000  # Hz: pitch tracking needs nothing above 4 kHz, and this halves the cost
YIN_WINDOW_S = 0.032  # s integrated per lag: longer than two periods of the lowest F0
YIN_PICK = 0.15  # cumulative-mean-normalised difference below which the first dip is the period
VOICED_APERIODICITY = 0.3  # frames whose best dip stays above this are unvoiced or noise
MIN_VOICED_RUN = 3  # frames: shorter voiced blips are usually tracker noise at onsets
WORD_PAD_S = 0.1  # s around each word: engine timestamps are a little loose at both ends
SILENCE_DB = -100.0  # dBFS given to frames of digital silence (log of zero)
NOISE_PERCENTILE = 10  # the quietest tenth of frames estimates the room's noise floor
NOISE_MARGIN_DB = 10.0  # speech frames sit at least this far above the noise floor ...
DYNAMIC_RANGE_DB = 40.0  # ... and within this of the loud speech (the 99th percentile)
SPREAD_LOW, SPREAD_HIGH = 10, 90  # percentiles whose half-range measures spread
GAUSS_10_90 = 2.5631  # (P90 - P10) of a unit normal: turns the range into a std equivalent


def energy_envelope_db(
    samples: np.ndarray, *, sample_rate: int, hop_s: float = HOP_S, frame_s: float = 0.025
) -> np.ndarray:
    """Frame RMS in dBFS (a full-scale square wave is 0 dB), shape (n_frames,).

    Frame i is centred on i * hop_s seconds and spans max(frame_s, hop_s); n_frames is
    len(samples) // hop + 1, or 0 for empty input. Digital silence reads SILENCE_DB.
    """
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    if x.size == 0:
        return np.zeros(0)
    hop = max(1, round(hop_s * sample_rate))
    frame = max(hop, round(frame_s * sample_rate))
    n_frames = x.size // hop + 1
    # A running sum of squares makes every frame O(1), whatever the frame length.
    squares = np.concatenate(([0.0], np.cumsum(x * x)))
    centres = np.arange(n_frames) * hop
    lo = np.clip(centres - frame // 2, 0, x.size)
    hi = np.clip(centres - frame // 2 + frame, 0, x.size)
    mean_square = (squares[hi] - squares[lo]) / frame  # zero padding beyond the ends
    floor = 10.0 ** (SILENCE_DB / 10.0)
    return 10.0 * np.log10(np.maximum(mean_square, floor))


def analyze_prosody(recording: Recording, words: Sequence[Word] = ()) -> Prosody:
    """Pitch spread (semitones), energy spread (dB) and the monotone verdict of one answer.

    With `words`, only frames within (a little around) a word count; otherwise frames loud
    enough above the noise floor. A field is None when under MIN_VOICED_S of speech backs it.
    """
    samples = np.asarray(recording.samples, dtype=np.float32).reshape(-1)
    sr = recording.sample_rate
    energy_db = energy_envelope_db(samples, sample_rate=sr, hop_s=HOP_S)
    speech = _speech_frames(energy_db, words)
    min_frames = round(MIN_VOICED_S / HOP_S)

    energy_variation = None
    if np.count_nonzero(speech) >= min_frames:
        energy_variation = _robust_spread(energy_db[speech])

    pitch_variation = None
    if energy_variation is not None:
        f0_hz, aperiodicity = track_f0(samples, sample_rate=sr)
        n = min(f0_hz.size, speech.size)  # both are centred frames; guard an off-by-one anyway
        voiced = speech[:n] & (aperiodicity[:n] < VOICED_APERIODICITY)
        voiced = _drop_short_runs(voiced, MIN_VOICED_RUN)
        if np.count_nonzero(voiced) >= min_frames:
            pitch_variation = pitch_spread_semitones(f0_hz[:n][voiced])

    monotone = None if pitch_variation is None else bool(pitch_variation < MONOTONE_SEMITONES)
    return Prosody(
        pitch_variation_semitones=None if pitch_variation is None else round(pitch_variation, 2),
        energy_variation_db=None if energy_variation is None else round(energy_variation, 2),
        monotone=monotone,
    )


def pitch_spread_semitones(f0_hz: np.ndarray) -> float:
    """Spread of voiced F0 (Hz, shape (n,)) around its median, in semitones, octave-error proof.

    Trackers jump by an octave (x2, x0.5) on creak, breath and strong harmonics, and a plain
    standard deviation then reads 8-15 semitones on ordinary speech. A jump lands about 12
    semitones from the true pitch, so values further than OCTAVE_FOLD_SEMITONES from the median
    are folded back by whole octaves: that restores the true pitch of an octave error, where
    dropping it would bias against the speaker's real high and low notes.
    """
    f0 = np.asarray(f0_hz, dtype=np.float64)
    semitones = 12.0 * np.log2(f0 / np.median(f0))
    far = np.abs(semitones) > OCTAVE_FOLD_SEMITONES
    semitones[far] -= 12.0 * np.round(semitones[far] / 12.0)
    return _robust_spread(semitones)


def track_f0(
    samples: np.ndarray, *, sample_rate: int, hop_s: float = HOP_S
) -> tuple[np.ndarray, np.ndarray]:
    """YIN fundamental frequency (Hz) and aperiodicity (0 periodic .. ~1 noise) per frame.

    Frames are centred on i * hop_s like `energy_envelope_db`; both arrays have shape
    (len(samples) // hop + 1,) with hop counted at `sample_rate`.
    """
    from scipy import fft
    from scipy.signal import resample_poly

    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    n_frames = x.size // max(1, round(hop_s * sample_rate)) + 1
    if sample_rate != F0_SAMPLE_RATE:
        x = resample_poly(x, F0_SAMPLE_RATE, sample_rate)
    sr = F0_SAMPLE_RATE
    hop = round(hop_s * sr)
    window = round(YIN_WINDOW_S * sr)
    min_lag = int(np.floor(sr / F0_MAX_HZ))
    max_lag = int(np.ceil(sr / F0_MIN_HZ))
    length = window + max_lag + 1
    pad = length // 2
    x = np.pad(x, (pad, pad + hop))
    nfft = fft.next_fast_len(length + window)

    f0 = np.zeros(n_frames)
    aperiodicity = np.ones(n_frames)
    starts_all = np.arange(n_frames) * hop
    chunk = 2048  # frames per FFT batch: bounds memory (about 30 MB) on a 5-minute answer
    lags = np.arange(max_lag + 1)
    for c0 in range(0, n_frames, chunk):
        starts = starts_all[c0 : c0 + chunk]
        frames = x[starts[:, None] + np.arange(length)]  # (m, length)
        head = frames[:, :window]
        # d(tau) = E(head) + E(x[tau:tau+W]) - 2 r(tau): the difference function via one FFT.
        spec = fft.rfft(frames, nfft, axis=1) * np.conj(fft.rfft(head, nfft, axis=1))
        r = fft.irfft(spec, nfft, axis=1)[:, : max_lag + 1]
        squares = np.concatenate((np.zeros((len(starts), 1)), np.cumsum(frames**2, axis=1)), 1)
        e_lag = squares[:, lags + window] - squares[:, lags]
        diff = np.maximum(e_lag[:, :1] + e_lag - 2.0 * r, 0.0)
        # Cumulative-mean normalisation (YIN step 3) makes the dip depth scale-free.
        cum = np.cumsum(diff[:, 1:], axis=1)
        cmnd = np.ones_like(diff)
        with np.errstate(divide="ignore", invalid="ignore"):
            cmnd[:, 1:] = np.where(cum > 0, diff[:, 1:] * lags[1:] / cum, 1.0)
        search = cmnd[:, min_lag : max_lag + 1]
        # YIN step 4: the first dip under the threshold, at its local minimum, beats the
        # global minimum, which often sits at twice the period (an octave too low).
        inner = search[:, 1:-1]
        dips = (inner < YIN_PICK) & (inner <= search[:, :-2]) & (inner <= search[:, 2:])
        first = np.argmax(dips, axis=1) + 1
        best = np.where(dips.any(axis=1), first, np.argmin(search, axis=1))
        best = np.clip(best, 1, search.shape[1] - 2)
        rows = np.arange(len(starts))
        left, mid, right = search[rows, best - 1], search[rows, best], search[rows, best + 1]
        # Parabolic interpolation refines the period to a fraction of a sample.
        curvature = left - 2.0 * mid + right
        with np.errstate(divide="ignore", invalid="ignore"):
            shift = np.where(curvature > 0, 0.5 * (left - right) / curvature, 0.0)
        period = min_lag + best + np.clip(shift, -1.0, 1.0)
        f0[c0 : c0 + len(starts)] = sr / period
        aperiodicity[c0 : c0 + len(starts)] = mid
    return f0, aperiodicity


def _speech_frames(energy_db: np.ndarray, words: Sequence[Word]) -> np.ndarray:
    """Boolean mask (n_frames,) of frames loud enough to be speech, and within words if given."""
    if energy_db.size == 0:
        return np.zeros(0, dtype=bool)
    floor = np.percentile(energy_db, NOISE_PERCENTILE)
    loud = np.percentile(energy_db, 99)
    # A clean recording's floor sits 60-70 dB under its speech, where breath and room hum still
    # clear the noise margin; the dynamic-range bound keeps those out.
    threshold = max(floor + NOISE_MARGIN_DB, loud - DYNAMIC_RANGE_DB)
    mask = energy_db > threshold
    if words:
        times = np.arange(energy_db.size) * HOP_S
        within = np.zeros_like(mask)
        for w in words:
            within |= (times >= w.start - WORD_PAD_S) & (times <= w.end + WORD_PAD_S)
        mask &= within
    return mask


def _drop_short_runs(mask: np.ndarray, min_run: int) -> np.ndarray:
    """Copy of a boolean mask with every run of True shorter than `min_run` frames cleared."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    out = np.zeros_like(mask)
    for s, e in zip(starts, ends, strict=True):
        if e - s >= min_run:
            out[s:e] = True
    return out


def _robust_spread(values: np.ndarray) -> float:
    """The 10-90 percentile range, scaled to equal the standard deviation of a normal.

    Ignoring each outer tenth sheds leftover tracker errors and clicks; unlike the median
    absolute deviation it stays close to the standard deviation for flat, glide-like
    distributions too (MAD reads a uniform spread about 28 % high, this about 8 %).
    """
    low, high = np.percentile(values, [SPREAD_LOW, SPREAD_HIGH])
    return float((high - low) / GAUSS_10_90)
