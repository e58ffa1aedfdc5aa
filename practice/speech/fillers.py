"""Filled pauses checked against the audio: merged ones split, unheard ones dropped.

Whisper, prompted with fillers, still writes a run of filled pauses as fewer tokens ("uh um uh
hm hm um" as four "um"s), places filler tokens loosely in time, and now and then writes one
where nothing was said. A filled pause has a plain acoustic signature: a voiced sound held
steady in pitch and spectrum (one vowel or nasal), typically 0.2-1 s long, set off from the
words by a dip in level. Words change their spectrum every 50-150 ms and breaths are unvoiced.

So, within each gap between words that holds at least one filler token, the held sounds are
counted, and those beyond the number of tokens become fillers of their own. Gaps without a token
are left alone: on the real clips the only held sound found there that is not a word was the
drawn-out end of a word whose end Whisper stamped early. A filler token with no sound of its own
near it is dropped, and tokens stacked on one unbroken sound count once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from practice.core.results import Recording, Word
from practice.speech.prosody import HOP_S, energy_envelope_db, track_f0

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
# A sound is at least this far above the floor (quiet "um"s in a noisy room sit 5-9 dB above
# it) and within DYNAMIC_RANGE_DB of the loud speech (the 99th percentile frame).
NOISE_MARGIN_DB = 5.0
DYNAMIC_RANGE_DB = 40.0
DIP_DB = 10.0  # a drop this far below a held sound's level separates it from a neighbour ...
DIP_S = 0.02  # ... when it lasts this long (one 10 ms frame is a glottal pulse or a click)
WORD_EDGE_TOLERANCE_S = 0.05  # s a held sound may start before the previous word's stated end
BUSY_S = 1.0  # s of other sound in a gap that mark it as speech Whisper did not transcribe
SUPPORT_PAD_S = 0.3  # s around a filler token searched for its sound: its times are loose
MIN_SUPPORT_S = 0.05  # s of unbroken sound outside other words a filler token needs to stay
ADDED_FILLER_TEXT = "uh"


@dataclass(frozen=True)
class Segment:
    """A steady voiced stretch of the recording, in seconds."""

    start: float
    end: float


def refine_fillers(words: Sequence[Word], recording: Recording) -> list[Word]:
    """`words` (filler flags set) with unheard filler tokens dropped and held voiced sounds that
    no token explains added as fillers (text ADDED_FILLER_TEXT, probability 0), in time order."""
    if not any(w.filler for w in words) or recording.samples.size == 0:
        # Nothing to check, and a gap without a filler token is left alone (below): the
        # pitch track would be computed for nothing (a tenth of a second per stretch).
        return list(words)
    frames = _Frames.of(recording)
    kept = _merge_stacked([w for w in words if not w.filler or _heard(w, words, frames)], frames)
    content = [w for w in kept if not w.filler]
    segments = steady_segments(recording, frames=frames)
    added = []
    for gap_start, gap_end in _gaps(content, recording.duration_s):
        tokens = [w for w in kept if w.filler and gap_start <= (w.start + w.end) / 2 < gap_end]
        sounds = [
            s for s in segments if gap_start <= s.start < gap_end and _separate(s, content, frames)
        ]
        # A gap without a filler token is left alone: Whisper, prompted, seldom leaves out a
        # lone filled pause, while a held vowel there may be a drawn-out word end it stamped
        # early (mfa_crossword's "Montreal") or a laugh.
        if not tokens or not sounds or _busy(gap_start, gap_end, sounds, frames):
            continue
        # Whisper places filler tokens loosely and writes a run of them as fewer tokens, so
        # only the count within the gap is trusted: sounds beyond it are the ones left out,
        # and of those, the ones its tokens overlap least.
        unexplained = sorted(sounds, key=lambda s: _token_overlap(s, tokens))
        for s in unexplained[: max(0, len(sounds) - len(tokens))]:
            added.append(
                Word(ADDED_FILLER_TEXT, round(s.start, 3), round(s.end, 3), 0.0, filler=True)
            )
    return sorted(kept + added, key=lambda w: (w.start, w.end))


def steady_segments(recording: Recording, *, frames: _Frames | None = None) -> list[Segment]:
    """Stretches of at least MIN_FILLER_S (and at most MAX_FILLER_S) of voice held steady in
    pitch and spectrum: the candidates for filled pauses, whether or not a word covers them."""
    f = frames or _Frames.of(recording)
    win = max(2, round(STEADY_WINDOW_S / HOP_S))
    n = f.voiced.size
    if n < win:
        return []
    semitones = 12.0 * np.log2(np.maximum(f.f0_hz, 1.0) / 100.0)
    counts = np.convolve(f.voiced.astype(np.int32), np.ones(win, dtype=np.int32), "valid")
    starts = np.flatnonzero(counts >= VOICED_SHARE * win)
    steady = np.zeros(n, dtype=bool)
    for c in range(0, starts.size, 2048):  # windows per batch: bounds memory on long answers
        first = starts[c : c + 2048]
        rows = first[:, None] + np.arange(win)  # (m, win) frame indices of each window
        voiced = f.voiced[rows]
        pitch = np.where(voiced, semitones[rows], np.nan)
        pitch -= np.nanmedian(pitch, axis=1, keepdims=True)
        pitch -= 12.0 * np.round(pitch / 12.0)  # an octave error is the same pitch to a listener
        low, high = np.nanpercentile(pitch, [10, 90], axis=1)
        shape = np.where(voiced[:, :, None], f.shape[rows], np.nan)  # (m, win, N_BANDS)
        spread_db = np.nanstd(shape, axis=1).mean(axis=1)
        ok = first[(high - low <= PITCH_RANGE_SEMITONES) & (spread_db <= SPECTRUM_STD_DB)]
        for i in ok:
            steady[i : i + win] = True
    out = []
    for a, b in _runs(steady):
        start, end = a * HOP_S, b * HOP_S
        if MIN_FILLER_S <= end - start <= MAX_FILLER_S:
            out.append(Segment(start, end))
    return out


@dataclass(frozen=True)
class _Frames:
    energy_db: np.ndarray  # (n,) frame level, dBFS
    sounding: np.ndarray  # bool (n,): loud enough above the noise floor to be a voice
    voiced: np.ndarray  # bool (n,): sounding and periodic
    f0_hz: np.ndarray  # (n,)
    shape: np.ndarray  # (n, N_BANDS): band levels in dB minus the frame's mean level

    @classmethod
    def of(cls, recording: Recording) -> _Frames:
        samples = np.asarray(recording.samples, dtype=np.float32).reshape(-1)
        sr = recording.sample_rate
        energy = energy_envelope_db(samples, sample_rate=sr, hop_s=HOP_S)
        f0, aperiodicity = track_f0(samples, sample_rate=sr, hop_s=HOP_S)
        n = min(energy.size, f0.size)
        energy = energy[:n]
        # No headroom clamp as in prosody: a filled pause only exists between pauses, so the
        # quietest tenth is room noise even in a noisy room.
        threshold = max(
            float(np.percentile(energy, NOISE_PERCENTILE)) + NOISE_MARGIN_DB,
            float(np.percentile(energy, 99)) - DYNAMIC_RANGE_DB,
        )
        sounding = energy > threshold
        voiced = sounding & (aperiodicity[:n] < VOICED_APERIODICITY)
        return cls(energy, sounding, voiced, f0[:n], _band_shape(samples, sr, n))


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


def _gaps(content: Sequence[Word], duration_s: float) -> list[tuple[float, float]]:
    """(start, end) of the stretches between words, where a filled pause can sit."""
    edges = [0.0] + [x for w in content for x in (w.start, w.end)] + [duration_s]
    return [
        (a - WORD_EDGE_TOLERANCE_S, b)
        for a, b in zip(edges[::2], edges[1::2], strict=True)
        if b > a
    ]


def _separate(seg: Segment, content: Sequence[Word], frames: _Frames) -> bool:
    """Whether a held sound is a sound of its own and not part of a word: its level dips
    (DIP_DB for DIP_S) between it and the word before, and again before the middle of the
    word after (else it is a drawn-out word end or first vowel), and at least MIN_FILLER_S of
    it lies outside every word."""
    lo, hi = int(seg.start / HOP_S), min(frames.energy_db.size, int(seg.end / HOP_S))
    if hi <= lo:
        return False
    level = float(np.median(frames.energy_db[lo:hi])) - DIP_DB
    before = [w for w in content if w.start < seg.start]
    after = [w for w in content if w.start >= seg.start]
    if before and not _dips(
        frames.energy_db, level, before[-1].end - WORD_EDGE_TOLERANCE_S, seg.start
    ):
        return False
    if after and not _dips(frames.energy_db, level, seg.end, (after[0].start + after[0].end) / 2):
        return False
    covered = sum(max(0.0, min(w.end, seg.end) - max(w.start, seg.start)) for w in content)
    return seg.end - seg.start - covered >= MIN_FILLER_S


def _dips(energy_db: np.ndarray, level: float, start: float, end: float) -> bool:
    """Whether the level stays below `level` for DIP_S somewhere between two times (s)."""
    lo, hi = max(0, int(start / HOP_S)), min(energy_db.size, int(np.ceil(end / HOP_S)))
    if hi <= lo:
        return False  # the sound runs on into the word: no room for a dip
    low = energy_db[lo:hi] < level
    return any(b - a >= round(DIP_S / HOP_S) for a, b in _runs(low))


def _busy(gap_start: float, gap_end: float, sounds: Sequence[Segment], frames: _Frames) -> bool:
    """Whether a gap holds more sound than its held sounds: speech Whisper left untranscribed
    (it sometimes stops early), among which a held vowel may be a word."""
    lo, hi = max(0, int(gap_start / HOP_S)), min(frames.sounding.size, int(gap_end / HOP_S))
    mask = frames.sounding[lo:hi].copy()
    for s in sounds:
        mask[max(0, int(s.start / HOP_S) - lo) : max(0, int(s.end / HOP_S) - lo)] = False
    return int(mask.sum()) * HOP_S > BUSY_S


def _token_overlap(seg: Segment, tokens: Sequence[Word]) -> float:
    """The largest overlap in seconds of a segment with a filler token (negative: the gap)."""
    return max((min(w.end, seg.end) - max(w.start, seg.start) for w in tokens), default=-1e9)


def _merge_stacked(words: list[Word], frames: _Frames) -> list[Word]:
    """Words with each run of filler tokens that sit on one unbroken sound merged into one
    token: Whisper's fallback decoding writes one long "uh" as several, stacked at one time."""
    out: list[Word] = []
    for w in words:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.filler
            and w.filler
            and not _dips(
                frames.energy_db,
                _peak(frames.energy_db, prev.start, w.end) - DIP_DB,
                (prev.start + prev.end) / 2,
                (w.start + w.end) / 2,
            )
        ):
            out[-1] = Word(prev.text, prev.start, max(prev.end, w.end), prev.probability, True)
        else:
            out.append(w)
    return out


def _peak(energy_db: np.ndarray, start: float, end: float) -> float:
    """The loudest frame level (dBFS) within STEADY_WINDOW_S of a span."""
    lo = max(0, int((start - STEADY_WINDOW_S) / HOP_S))
    hi = min(energy_db.size, int(np.ceil((end + STEADY_WINDOW_S) / HOP_S)))
    return float(energy_db[lo:hi].max()) if hi > lo else float("-inf")


def _heard(w: Word, words: Sequence[Word], frames: _Frames) -> bool:
    """Whether an unbroken sound of MIN_SUPPORT_S, outside the other words, lies within
    SUPPORT_PAD_S of a filler token (a token squeezed between words has only its own span)."""
    lo = max(0, int((w.start - SUPPORT_PAD_S) / HOP_S))
    hi = min(frames.sounding.size, int(np.ceil((w.end + SUPPORT_PAD_S) / HOP_S)))
    mask = frames.sounding[lo:hi].copy()
    for other in words:
        if other is w or other.filler:
            continue
        a = max(lo, int(other.start / HOP_S))
        b = min(hi, int(np.ceil(other.end / HOP_S)))
        if b > a:
            mask[a - lo : b - lo] = False
    return any((b - a) * HOP_S >= MIN_SUPPORT_S for a, b in _runs(mask))


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) frame indices of each run of True."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))
