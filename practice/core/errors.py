"""The one family of errors the library raises; the CLI turns each into a single line and exit 1."""


class PracticeError(Exception):
    """A failure the user can fix. The message says what failed, with the value, then the fix."""


class AudioError(PracticeError):
    """An audio file that cannot be read, or holds nothing to analyse."""


class NoSpeechError(AudioError):
    """The audio was read but contains no speech."""


class NotEnglishError(PracticeError):
    """The answer is in a language the scoring does not cover."""


class ModelError(PracticeError):
    """A speech or language model that is missing, unknown or corrupt."""


class HomeError(PracticeError):
    """The data home cannot be created, read or written."""


class StoreError(PracticeError):
    """The history database cannot be read or written."""


class InputError(PracticeError):
    """A question bank, job posting or other user-supplied text that cannot be used."""


class DeviceError(PracticeError):
    """A microphone or audio server that cannot be used."""


class NoVoiceError(PracticeError):
    """No local text-to-speech program to read a question aloud, or it failed."""
