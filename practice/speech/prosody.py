"""Pitch and energy variation of an answer, from the audio: does the speaker sound monotone?

F0 comes from a vectorised YIN (de Cheveigné & Kawahara 2002) run at 8 kHz, which also yields
each frame's aperiodicity for the voicing decision. librosa.pyin measured 7.2 s per minute of
audio here (2.1 s at a 20 ms hop) against a feedback budget of about 2 s for a 5-minute answer;
this takes about 0.1 s per minute, with numpy alone. librosa.yin and librosa.feature.rms at the
same settings agree (0.02 semitone median, energy identical) but take 1.5-2.4 s more to import
and report no voicing (scripts/compare_librosa.py), so librosa is not a dependency.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from practice.core.results import Prosody, Recording, Word
from practice.core.thresholds import (
    MIN_VOICED_S,
    MONOTONE_SEMITONES,
    OCTAVE_FOLD_SEMITONES,
)

HOP_S = 0.01  # s between analysis frames, for pitch and energy alike
F0_MIN_HZ = 65.0  # a low male voice; below sit creak and 50/60 Hz mains hum
F0_MAX_HZ = 400.0  # a high female voice in conversation; above it sits mostly first-formant energy
BAND_HZ = (80.0, 3_600.0)  # Hz kept for pitch tracking: above mains hum, below the new Nyquist
F0_SAMPLE_RATE = 8_000  # Hz: pitch tracking needs nothing above 4 kHz, and this halves the cost
YIN_WINDOW_S = 0.032  # s integrated per lag: longer than two periods of the lowest F0
YIN_PICK = 0.15  # cumulative-mean-normalised difference below which the first dip is the period
VOICED_APERIODICITY = 0.35  # frames whose best dip stays above this are unvoiced or noise
MIN_VOICED_RUN = 3  # frames: shorter voiced blips are usually tracker noise at onsets
WORD_PAD_S = 0.1  # s around each word: engine timestamps are a little loose at both ends
SILENCE_DB = -100.0  # dBFS given to frames of digital silence (log of zero)
NOISE_PERCENTILE = 10  # the quietest tenth of frames estimates the room's noise floor
NOISE_MARGIN_DB = 10.0  # speech frames sit at least this far above the noise floor ...
DYNAMIC_RANGE_DB = 40.0  # ... and within this of the loud speech (the 99th percentile);
SPEECH_HEADROOM_DB = 20.0  # but a frame this close to the loud speech always counts
ENERGY_BLOCK_FRAMES = 6_000  # a minute of 10 ms frames per working block (about 30 MB)
BLOCK_S = 60.0  # long answers are tracked a minute at a time so memory stays flat
SPREAD_LOW, SPREAD_HIGH = 10, 90  # percentiles whose half-range measures spread


def energy_envelope_db(
    samples: np.ndarray, *, sample_rate: int, hop_s: float = HOP_S, frame_s: float = 0.025
) -> np.ndarray:
    """Frame RMS in dBFS (a full-scale square wave is 0 dB), shape (n_frames,).

    Frame i is centred on i * hop_s seconds and spans max(frame_s, hop_s); n_frames is
    len(samples) // hop + 1, or 0 for empty input. Digital silence reads SILENCE_DB.
    """
    x = np.asarray(samples).reshape(-1)
    if x.size == 0:
        return np.zeros(0)
    hop = max(1, round(hop_s * sample_rate))
    frame = max(hop, round(frame_s * sample_rate))
    n_frames = x.size // hop + 1
    out = np.empty(n_frames)
    floor = 10.0 ** (SILENCE_DB / 10.0)
    # Blocks of frames keep the float64 working copy small however long the recording is.
    for f0 in range(0, n_frames, ENERGY_BLOCK_FRAMES):
        centres = np.arange(f0, min(n_frames, f0 + ENERGY_BLOCK_FRAMES)) * hop
        lo = np.clip(centres - frame // 2, 0, x.size)
        hi = np.clip(centres - frame // 2 + frame, 0, x.size)
        seg = x[lo[0] : hi[-1]].astype(np.float64)
        # A running sum of squares makes every frame O(1), whatever the frame length.
        squares = np.concatenate(([0.0], np.cumsum(seg * seg)))
        mean_square = (squares[hi - lo[0]] - squares[lo - lo[0]]) / frame  # zeros past the ends
        out[f0 : f0 + len(centres)] = 10.0 * np.log10(np.maximum(mean_square, floor))
    return out


class Frames(NamedTuple):
    """One block's frames measured from the audio alone, before anyone knows the words."""

    energy_db: np.ndarray
    f0_hz: np.ndarray
    aperiodicity: np.ndarray


def measure_frames(recording: Recording) -> list[Frames]:
    """Every block's frames of an answer, for `analyze_prosody(..., frames=...)`: the batch
    path measures them while Whisper works, so only picking the words' frames is left after it
    (0.2 s less after the transcript of a 2-minute answer)."""
    samples = np.asarray(recording.samples, dtype=np.float32).reshape(-1)
    sr = recording.sample_rate
    return [_frames(samples[b0:b1], sr) for b0, b1 in _blocks(len(samples), sr)]


def analyze_prosody(
    recording: Recording, words: Sequence[Word] = (), *, frames: Sequence[Frames] | None = None
) -> Prosody:
    """Pitch spread (semitones), energy spread (dB) and the monotone verdict of one answer.

    With `words`, only frames within (a little around) a word count; otherwise frames loud
    enough above the noise floor. Every field is None with under MIN_VOICED_S of voiced speech.
    `frames` are the answer's `measure_frames`, when they were measured before.
    """
    samples = np.asarray(recording.samples, dtype=np.float32).reshape(-1)
    sr = recording.sample_rate
    f0_parts, energy_parts = [], []
    for k, (b0, b1) in enumerate(_blocks(len(samples), sr)):
        offset_s = b0 / sr
        inside = [
            Word(w.text, w.start - offset_s, w.end - offset_s, w.probability, w.filler)
            for w in words
            if w.end > offset_s and w.start < b1 / sr
        ]
        f0_voiced, energy_speech = _block_values(
            samples[b0:b1], sr, inside, bool(words), frames[k] if frames is not None else None
        )
        f0_parts.append(f0_voiced)
        energy_parts.append(energy_speech)
    return prosody_from_values(f0_parts, energy_parts)


def _blocks(n: int, sr: int) -> list[tuple[int, int]]:
    """(first, end) samples of the blocks an answer of `n` samples is tracked in."""
    block = round(BLOCK_S * sr)
    out = []
    for b0 in range(0, max(n, 1), block):
        # The last block takes any short remainder, so no block is too short to track.
        if b0 and n - b0 < block // 2:
            break
        out.append((b0, n if n - (b0 + block) < block // 2 else b0 + block))
    return out


def stretch_values(
    recording: Recording, words: Sequence[Word] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """(voiced F0 in Hz, speech-frame energy in dB) of one stretch of an answer, for pooling
    with `prosody_from_values` (the streaming transcriber measures each stretch as it goes)."""
    return _block_values(recording.samples, recording.sample_rate, words, bool(words))


def prosody_from_values(
    f0_parts: Sequence[np.ndarray], energy_parts: Sequence[np.ndarray]
) -> Prosody:
    """The Prosody of an answer from its stretches' voiced F0 (Hz) and speech energy (dB)."""
    f0_all = np.concatenate(list(f0_parts)) if len(f0_parts) else np.zeros(0)
    # Without enough voice there is nothing to judge: the energy of hiss or a cough alone
    # would say nothing about delivery, so every field goes None together.
    if f0_all.size < round(MIN_VOICED_S / HOP_S):
        return Prosody(pitch_variation_semitones=None, energy_variation_db=None, monotone=None)
    # Rounded before the verdict, so the number shown and "monotone" never disagree.
    pitch_variation = round(pitch_spread_semitones(f0_all), 2)
    return Prosody(
        pitch_variation_semitones=pitch_variation,
        energy_variation_db=round(_robust_spread(np.concatenate(list(energy_parts))), 2),
        monotone=bool(pitch_variation < MONOTONE_SEMITONES),
    )


def _block_values(
    samples: np.ndarray,
    sr: int,
    words: Sequence[Word],
    have_words: bool,
    frames: Frames | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(voiced F0 in Hz, speech-frame energy in dB) of one block of an answer."""
    energy_db = frames.energy_db if frames is not None else _energy(samples, sr)
    speech = _speech_frames(energy_db, words)
    if have_words and not words:
        speech[:] = False  # the words say nobody spoke in this block
    if not speech.any():
        return np.zeros(0), np.zeros(0)
    if frames is None:
        frames = _frames(samples, sr, energy_db)
    n = min(frames.f0_hz.size, speech.size)  # both are centred frames; guard an off-by-one
    voiced = speech[:n] & (frames.aperiodicity[:n] < VOICED_APERIODICITY)
    voiced = _drop_short_runs(voiced, MIN_VOICED_RUN)
    return frames.f0_hz[:n][voiced], energy_db[speech]


def _energy(samples: np.ndarray, sr: int) -> np.ndarray:
    return energy_envelope_db(samples, sample_rate=sr, hop_s=HOP_S)


def _frames(samples: np.ndarray, sr: int, energy_db: np.ndarray | None = None) -> Frames:
    f0_hz, aperiodicity = track_f0(samples, sample_rate=sr)
    return Frames(_energy(samples, sr) if energy_db is None else energy_db, f0_hz, aperiodicity)


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
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    n_frames = x.size // max(1, round(hop_s * sample_rate)) + 1
    # Single precision: a dip depth needs three digits, not fifteen, and it halves the memory.
    x = _to_f0_rate(x, sample_rate).astype(np.float32)
    sr = F0_SAMPLE_RATE
    hop = round(hop_s * sr)
    window = round(YIN_WINDOW_S * sr)
    min_lag = int(np.floor(sr / F0_MAX_HZ))
    max_lag = int(np.ceil(sr / F0_MIN_HZ))
    length = window + max_lag + 1
    pad = length // 2
    # Zeros before the first centre and after the last frame's span (rounding in the resampler
    # may leave the signal a sample short of the frame count taken at the original rate).
    x = np.pad(x, (pad, max(0, (n_frames - 1) * hop + length - pad - x.size)))
    nfft = _fft_length(length + window)

    f0 = np.zeros(n_frames)
    aperiodicity = np.ones(n_frames)
    starts_all = np.arange(n_frames) * hop
    chunk = 2048  # frames per FFT batch: bounds memory (a few MB) on a 5-minute answer
    lags = np.arange(max_lag + 1)
    all_frames = np.lib.stride_tricks.sliding_window_view(x, length)[::hop]  # a view, no copy
    # Running energy in double precision: single would drift over minutes of samples.
    squares = np.concatenate(([0.0], np.cumsum(x.astype(np.float64) ** 2)))
    for c0 in range(0, n_frames, chunk):
        starts = starts_all[c0 : c0 + chunk]
        frames = all_frames[c0 : c0 + chunk]  # (m, length)
        head = frames[:, :window]
        # d(tau) = E(head) + E(x[tau:tau+W]) - 2 r(tau): the difference function via one FFT.
        spec = np.fft.rfft(frames, nfft, axis=1) * np.conj(np.fft.rfft(head, nfft, axis=1))
        r = np.fft.irfft(spec, nfft, axis=1)[:, : max_lag + 1]
        at = starts[:, None] + lags
        e_lag = (squares[at + window] - squares[at]).astype(np.float32)
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
        # A minimum on the edge of the lag range is no dip: the period lies outside the range.
        edge = (best == 0) | (best == search.shape[1] - 1)
        best = np.clip(best, 1, search.shape[1] - 2)
        rows = np.arange(len(starts))
        left, mid, right = search[rows, best - 1], search[rows, best], search[rows, best + 1]
        # Parabolic interpolation refines the period to a fraction of a sample.
        curvature = left - 2.0 * mid + right
        with np.errstate(divide="ignore", invalid="ignore"):
            shift = np.where(curvature > 0, 0.5 * (left - right) / curvature, 0.0)
        period = min_lag + best + np.clip(shift, -1.0, 1.0)
        f0[c0 : c0 + len(starts)] = sr / period
        aperiodicity[c0 : c0 + len(starts)] = np.where(edge, 1.0, mid)
    return f0, aperiodicity


def _to_f0_rate(x: np.ndarray, sample_rate: int) -> np.ndarray:
    """x (shape (n,)) resampled to F0_SAMPLE_RATE and band-passed, in one FFT over the whole.

    The band drops mains hum (50/60 Hz) and rumble, which YIN would otherwise read as a steady
    low voice in the pauses; voices keep their period through their harmonics above it. One
    FFT costs about 0.03 s per minute of audio, and numpy's FFT avoids importing scipy.signal
    (0.7 s here, a third of the feedback budget).
    """
    import math

    block = sample_rate // math.gcd(sample_rate, F0_SAMPLE_RATE)  # n_fft is a multiple of it
    margin = sample_rate // 10  # 0.1 s of zeros keeps the filter's ringing off the far end
    n_fft = block * _fft_length(math.ceil((x.size + margin) / block))
    n_out = n_fft * F0_SAMPLE_RATE // sample_rate
    spectrum = np.fft.rfft(x.astype(np.float32), n_fft)[: n_out // 2 + 1]
    freqs = np.arange(spectrum.size) * (sample_rate / n_fft)
    low_edge, high_edge = BAND_HZ
    # Raised-cosine edges 30 Hz and 400 Hz wide: a brick wall would ring for the whole signal.
    rise = np.clip((freqs - (low_edge - 30.0)) / 30.0, 0.0, 1.0)
    fall = np.clip((F0_SAMPLE_RATE / 2 - freqs) / (F0_SAMPLE_RATE / 2 - high_edge), 0.0, 1.0)
    gain = np.sin(0.5 * np.pi * rise) ** 2 * np.sin(0.5 * np.pi * fall) ** 2
    out = np.fft.irfft(spectrum * gain.astype(np.float32), n_out) * np.float32(n_out / n_fft)
    return out[: round(x.size * F0_SAMPLE_RATE / sample_rate)]


def _fft_length(n: int) -> int:
    """The smallest 2^a 3^b 5^c >= n: FFT sizes pocketfft runs fast, at most ~1.25 n."""
    best = 1 << max(0, (n - 1).bit_length())
    threes = 1
    while threes < best:
        fives = threes
        while fives < best:
            size = fives
            while size < n:
                size *= 2
            best = min(best, size)
            fives *= 5
        threes *= 3
    return best


def _speech_frames(energy_db: np.ndarray, words: Sequence[Word]) -> np.ndarray:
    """Boolean mask (n_frames,) of frames loud enough to be speech, and within words if given."""
    if energy_db.size == 0:
        return np.zeros(0, dtype=bool)
    floor = np.percentile(energy_db, NOISE_PERCENTILE)
    loud = np.percentile(energy_db, 99)
    # A clean recording's floor sits 60-70 dB under its speech, where breath and room hum still
    # clear the noise margin; the dynamic-range bound keeps those out.
    threshold = max(floor + NOISE_MARGIN_DB, loud - DYNAMIC_RANGE_DB)
    # Without pauses the quietest tenth is speech itself, and the floor estimate would cut
    # into the voice (all of it, for a steady tone).
    threshold = min(threshold, loud - SPEECH_HEADROOM_DB)
    mask = energy_db > threshold
    if words:
        within = np.zeros_like(mask)
        for w in words:
            first = max(0, int(np.ceil((w.start - WORD_PAD_S) / HOP_S)))
            last = int(np.floor((w.end + WORD_PAD_S) / HOP_S))
            within[first : last + 1] = True
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
    """Half the 10-90 percentile range, in the values' unit: "mostly within +/- this".

    Why this and not a standard deviation or MAD: each outer tenth may hold leftover tracker
    errors, clicks or breaths without moving it, and it reads as a coach would say it (the
    middle 80 % of the answer sits within about this of the median). It is 1.28 standard
    deviations for a normal spread and 0.4 of the width for an even glide. On the clips in
    ../shared/speech it matches the same statistic on librosa.pyin's track within ~0.5 semitone.
    """
    low, high = np.percentile(values, [SPREAD_LOW, SPREAD_HIGH])
    return float((high - low) / 2.0)
