"""Every reference figure the analysers judge against, with where it comes from."""

# A pause is silence between words of at least this long; a long pause at least LONG_PAUSE_S.
PAUSE_S = 0.5  # the product's definition (README, "What the numbers mean")
LONG_PAUSE_S = 2.0  # the same

# Pace in words per minute of speech span.
PACE_LOW_WPM = 100  # Microsoft Speaker Coach: below about 100 wpm sounds slow
PACE_HIGH_WPM = 165  # Microsoft Speaker Coach: above about 165 wpm sounds rushed
PACE_CONVERSATION_WPM = 150  # National Center for Voice and Speech: conversational average
# Read.ai gives 130-175 wpm; we keep Speaker Coach's wider lower bound for nervous beginners.

FILLER_SHARE_MAX = 0.04  # Read.ai: filler words under about 4 % of words

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
