"""Every reference figure the analysers judge against, with where it comes from."""

# A pause is silence between words of at least this long; a long pause at least LONG_PAUSE_S.
PAUSE_S = 0.5  # the product's definition (README, "What the numbers mean")
LONG_PAUSE_S = 2.0  # the same

# Pace in words per minute of speech span: ONE range, used by the scores' tips, the weak spots,
# the charts' band, progress and diagnose alike. Three sources give three figures:
#   Microsoft Speaker Coach: 100-165 wpm; Read.ai: 130-175 wpm; National Center for Voice and
#   Speech (NCVS): about 150 wpm in conversation (an average, not a range).
# We take Speaker Coach's, because (1) it judges a rehearsed monologue, which an interview answer
# is, while Read.ai's judges people talking in meetings; (2) our words_per_minute runs over the
# whole speech span, pauses included, which reads lower than a rate of talking: the three real
# spontaneous monologues in ../shared/speech run 126-139 wpm over their recordings, at or under
# Read.ai's 130 floor, well inside Speaker Coach's range; (3) NCVS's 150 lies inside it, so
# nobody told "about 150" by a coach is told otherwise here.
PACE_LOW_WPM = 100  # Microsoft Speaker Coach: below about 100 wpm sounds slow
PACE_HIGH_WPM = 165  # Microsoft Speaker Coach: above about 165 wpm sounds rushed
# The best pace is the middle of the range (132.5 wpm): as far from "slow" as from "rushed".
PACE_MIDDLE_WPM = (PACE_LOW_WPM + PACE_HIGH_WPM) / 2

FILLER_SHARE_MAX = 0.04  # Read.ai: filler words under about 4 % of words
# The same limit per minute, for charts and progress (which count fillers a minute, as the JSON
# contract does): 4 % of words at the middle of the pace range, about 5.3 fillers a minute.
FILLERS_PER_MINUTE_MAX = FILLER_SHARE_MAX * PACE_MIDDLE_WPM

# One long pause (2 s or more) to think is normal; more reads as lost (our choice, as the
# delivery score judges it in judgment/scoring.py).
LONG_PAUSES_OK = 1

MONOTONE_SEMITONES = 2.0  # a common voice-coaching heuristic: under 2 semitones of spread

# Behavioral answers of one to two minutes (common career-centre advice).
ANSWER_LOW_S = 60
ANSWER_HIGH_S = 120

# Prosody: judge pitch only with at least this much voiced speech (s); a second holds about
# four or five syllables, below which a spread says more about the words than the voice.
MIN_VOICED_S = 1.0  # our choice, see speech/prosody.py
# F0 further than this from the speaker's median (semitones) is taken as an octave error of
# the tracker and folded back by 12: a speaking voice rarely strays two-thirds of an octave
# from its median (people speaking normally spread about 1.5-6 semitones, measured on
# the real clips).
OCTAVE_FOLD_SEMITONES = 8.0
