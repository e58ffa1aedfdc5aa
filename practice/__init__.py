"""practice: a private, offline interview coach."""

__version__ = "0.1.0"

# Bumped whenever a change to the analysers changes a score or a measurement, so that stored
# attempts can be rescored and old and new attempts stay comparable.
ANALYZER_VERSION = 2
