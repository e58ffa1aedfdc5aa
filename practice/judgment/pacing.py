"""Pace, pauses, fillers and hedges from a word timeline (and the audio, for pause edges)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from practice.core.results import Delivery, Filler, Pause, Recording, Word
from practice.core.text import hedge_spans, names_a_kind, normalize
from practice.core.thresholds import LONG_PAUSE_S, PAUSE_S

# Whisper starts the first word after a silence 0.25-0.7 s early (measured on the real clips),
# so the audio is
# searched this far past the word's stated start for where the voice really resumes.
EARLY_START_S = 0.8
HOP_S = 0.01  # energy frames of 10 ms
MIN_SPAN_S = 0.01  # shorter speech spans give no rate
SPEECH_MARGIN_DB = 12.0  # a frame this far above the noise floor is voice, not room

# "you know" followed by these introduces a clause ("you know what I did"), not a filler.
_KNOW_CLAUSE = frozenset({"what", "how", "why", "where", "who", "whether", "if", "that", "when"})


# -- spoken word counts -------------------------------------------------------------------------

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()


def _integer_words(n: int) -> int:
    """How many words an integer takes when read out ("1500" -> one thousand five hundred)."""
    if n < 20:
        return 1
    if n < 100:
        return 1 if n % 10 == 0 else 2
    if n < 1000:
        return 2 + (0 if n % 100 == 0 else _integer_words(n % 100))
    for size in (10**12, 10**9, 10**6, 10**3):
        if n >= size:
            rest = n % size
            return _integer_words(n // size) + 1 + (_integer_words(rest) if rest else 0)
    return 1  # unreachable


def _year_words(n: int) -> int:
    """Years are read in pairs: 2019 -> twenty nineteen; 2005 -> two thousand five."""
    if 2000 <= n <= 2009:
        return 2 if n == 2000 else 3
    hi, lo = divmod(n, 100)
    return _integer_words(hi) + (1 if lo == 0 else (2 if lo < 10 else _integer_words(lo)))


_NUMBER = re.compile(r"^([$£€]?)(\d[\d,]*)(?:\.(\d+))?(st|nd|rd|th|s|k|m|bn|%)?$", re.I)


def spoken_words(token: str) -> int:
    """Words a person said to produce this transcript token ("$1.5m" -> 5, "well-known" -> 2)."""
    # Keep currency signs and percent, which normalize() would strip: they are spoken.
    t = re.sub(r"^[^\w'$£€]+|[^\w'%]+$", "", token.lower())
    if not t:
        return 0
    if not any(c.isdigit() for c in t):
        return len([p for p in re.split(r"[-/]", t) if p])
    total = 0
    for part in re.split(r"[-/–]", t):
        m = _NUMBER.match(part.replace(" ", ""))
        if not m:
            total += max(1, len(re.findall(r"\d+|[a-z]+", part)))
            continue
        currency, digits, decimals, suffix = m.groups()
        n = int(digits.replace(",", "") or 0)
        suffix = (suffix or "").lower()
        is_year = len(digits) == 4 and "," not in digits and 1100 <= n <= 2099 and not currency
        count = (
            _year_words(n)
            if is_year and not decimals and suffix in ("", "s")
            else _integer_words(n)
        )
        if decimals:
            count += 1 + len(decimals)  # "point" and each digit
        count += 1 if suffix in ("k", "m", "bn", "%") else 0  # thousand, million, percent
        count += 1 if currency else 0  # dollars
        total += count
    return total


# -- fillers and hedges ------------------------------------------------------------------------


def _tokens(words: Sequence[Word]) -> list[tuple[str, bool, bool]]:
    """(normalized text, comma or stop before, comma or stop after) per word."""
    out = []
    for i, w in enumerate(words):
        before = i == 0 or bool(re.search(r"[,.;:!?—-]$", words[i - 1].text))
        after = bool(re.search(r"[,.;:!?—]$", w.text)) or i == len(words) - 1
        out.append((normalize(w.text), before, after))
    return out


def discourse_fillers(words: Sequence[Word]) -> list[Filler]:
    """The discourse fillers of core.text used as fillers, not as meaning ("I like it" is not
    one)."""
    toks = _tokens(words)
    found: list[Filler] = []
    i = 0
    while i < len(toks):
        text, before, after = toks[i]
        nxt = toks[i + 1][0] if i + 1 < len(toks) else ""
        prev = toks[i - 1][0] if i > 0 else ""
        pair = f"{text} {nxt}"
        hit: str | None = None
        if (
            pair == "you know"
            and prev not in ("do", "did", "don't", "if", "would", "will")
            and (toks[i + 1][2] or before)
            and not _next_is(toks, i + 2, _KNOW_CLAUSE)
        ):
            hit = pair
        elif pair == "i mean" and toks[i + 1][2]:
            hit = pair
        elif (
            pair in ("sort of", "kind of")
            and not names_a_kind([t[0] for t in toks], i)
            and not _next_is(toks, i + 2, frozenset({"a", "an", "the", "thing", "things"}))
        ):
            hit = pair
        elif (
            text == "like"
            and (before or after)
            and prev not in ("would", "i'd", "you'd", "looks", "feel", "felt")
        ):
            hit = text
        elif text in ("basically", "literally"):
            hit = text
        elif text == "actually" and (before or after):
            hit = text
        if hit:
            found.append(Filler(hit, words[i].start))
            i += len(hit.split())
        else:
            i += 1
    return found


def _next_is(toks: list[tuple[str, bool, bool]], i: int, options: frozenset[str]) -> bool:
    return i < len(toks) and toks[i][0] in options


def hedges(words: Sequence[Word]) -> list[str]:
    """The hedges of core.text, in order ("sort of" and "kind of" only as hedges, not noun
    phrases)."""
    return [phrase for _, _, phrase in hedge_spans([normalize(w.text) for w in words])]


# -- pauses ------------------------------------------------------------------------------------


def find_pauses(words: Sequence[Word], recording: Recording | None = None) -> list[Pause]:
    """Silences of at least PAUSE_S between words, their edges taken from the audio's energy
    where the audio is given (word timestamps alone make pauses after silence too short)."""
    return _pauses(words, _quiet_frames(recording))


def _pauses(words: Sequence[Word], quiet: np.ndarray | None) -> list[Pause]:
    pauses = []
    for a, b in zip(words, words[1:], strict=False):
        start, end = a.end, b.start
        if quiet is not None:
            start, end = _silent_span(quiet, a, b)
        if end - start >= PAUSE_S:
            pauses.append(Pause(round(start, 3), round(end, 3), round(end - start, 3)))
    return pauses


def _quiet_frames(recording: Recording | None) -> np.ndarray | None:
    """Per HOP_S frame: True where the audio is at the room's noise floor, not voice."""
    if recording is None:
        return None
    from practice.speech.prosody import energy_envelope_db

    db = energy_envelope_db(recording.samples, sample_rate=recording.sample_rate, hop_s=HOP_S)
    if not len(db):
        return None
    floor = float(np.percentile(db, 10))
    return db < floor + SPEECH_MARGIN_DB


def speech_span(words: Sequence[Word], quiet: np.ndarray | None) -> tuple[float, float]:
    """First word start to last word end, tightened to where the voice is: Whisper often puts
    the first word's start at 0 s when the speaker drew breath first."""
    start, end = words[0].start, words[-1].end
    if quiet is None:
        return start, end
    lo, hi = int(start / HOP_S), min(len(quiet), int(words[0].end / HOP_S))
    loud = np.flatnonzero(~quiet[lo:hi])
    if len(loud):
        start = (lo + loud[0]) * HOP_S
    lo, hi = int(words[-1].start / HOP_S), min(len(quiet), int(end / HOP_S) + 1)
    loud = np.flatnonzero(~quiet[lo:hi])
    if len(loud):
        end = min(end, (lo + loud[-1] + 1) * HOP_S)
    return start, max(end, start)


def _silent_span(quiet: np.ndarray, a: Word, b: Word) -> tuple[float, float]:
    """The longest quiet run between word `a` and the real onset of word `b`."""
    lo = int(a.end / HOP_S)
    hi = min(len(quiet), int(min(b.start + EARLY_START_S, b.end) / HOP_S))
    best = (a.end, a.end)
    run_start = None
    for i in range(max(lo, 0), hi + 1):
        q = i < hi and quiet[i]
        if q and run_start is None:
            run_start = i
        elif not q and run_start is not None:
            if (i - run_start) * HOP_S > best[1] - best[0]:
                best = (run_start * HOP_S, i * HOP_S)
            run_start = None
    # Energy found no silence (noisy room): trust the word times.
    return best if best[1] > best[0] else (a.end, b.start)


# -- the whole block ---------------------------------------------------------------------------


def analyze_pacing(words: Sequence[Word], recording: Recording | None = None) -> Delivery:
    """The delivery measures (defined in the README) from a word timeline (times in seconds)."""
    content = [w for w in words if not w.filler]
    spoken = sum(spoken_words(w.text) for w in content)
    quiet = _quiet_frames(recording)
    first, last = speech_span(words, quiet) if words else (0.0, 0.0)
    span_s = last - first
    pauses = _pauses(words, quiet)
    paused_s = sum(p.duration_s for p in pauses)
    filled = [Filler(normalize(w.text), w.start) for w in words if w.filler]
    discourse = discourse_fillers(content)
    hedge_list = hedges(content)
    # Under 10 ms of speech there is no rate to speak of (and a near-zero span made it infinite).
    minutes = span_s / 60 if span_s >= MIN_SPAN_S else 0.0
    talking_minutes = max(span_s - paused_s, 1e-9) / 60
    return Delivery(
        words_per_minute=round(spoken / minutes, 1) if minutes > 0 else 0.0,
        articulation_rate_wpm=round(spoken / talking_minutes, 1) if minutes > 0 else 0.0,
        speaking_time_s=round(span_s, 2),
        pause_count=len(pauses),
        long_pause_count=sum(p.duration_s >= LONG_PAUSE_S for p in pauses),
        longest_pause_s=max((p.duration_s for p in pauses), default=0.0),
        pauses=tuple(pauses),
        filler_count=len(filled),
        fillers_per_minute=round((len(filled) + len(discourse)) / minutes, 2) if minutes else 0.0,
        discourse_filler_count=len(discourse),
        fillers=tuple(sorted(filled + discourse, key=lambda f: f.start)),
        hedge_count=len(hedge_list),
        spoken_word_count=spoken,
        hedges=tuple(hedge_list),
    )
