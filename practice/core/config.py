"""Defaults for the rehearsal commands: `<data home>/config.toml`, overridden by environment
variables, overridden in turn by command-line options.

The file is flat `key = value` TOML, read with tomllib (data only, never code) and written by a
small writer here, so no TOML library is needed. Every value is checked on load; a bad one is a
single InputError line naming the key, the value and the fix.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from practice.core.errors import InputError
from practice.core.home import write_text_atomically

CONFIG_FILE = "config.toml"
ENGINES = ("faster-whisper", "openai-whisper")
MAX_PREP_S = 120  # a countdown longer than two minutes is a forgotten setting, not thinking time
MIN_SILENCE_S = 0.3  # shorter silences occur between words: the take would end mid-sentence
SET_COMMAND = "practice config set"
MAX_STRING_CHARS = 200  # a device name, model path or voice name; longer is a pasted mistake

Source = Literal["default", "file", "env"]
Value = str | int | float | bool | None


def _string(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("must be a non-empty text")
    if len(raw) > MAX_STRING_CHARS or any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        raise ValueError(f"must be one line of at most {MAX_STRING_CHARS} characters")
    return raw.strip()


def _switch(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise ValueError("must be true or false")


def _engine(raw: Any) -> str:
    if raw not in ENGINES:
        raise ValueError(f"must be one of {', '.join(ENGINES)}")
    return str(raw)


def _number(low: float, high: float | None, *, whole: bool) -> Callable[[Any], int | float]:
    what = "a whole number of seconds" if whole else "a number of seconds"
    limits = f"from {low:g} to {high:g}" if high is not None else f"of at least {low:g}"

    def check(raw: Any) -> int | float:
        if isinstance(raw, str):  # from `config set` or the environment
            try:
                raw = int(raw) if whole else float(raw)
            except ValueError:
                raise ValueError(f"must be {what} {limits}") from None
        # bool is an int in Python, but `prep = true` is a mistake, not 1 second.
        ok_type = isinstance(raw, int) if whole else isinstance(raw, int | float)
        if isinstance(raw, bool) or not ok_type or not math.isfinite(raw):
            raise ValueError(f"must be {what} {limits}")
        if raw < low or (high is not None and raw > high):
            raise ValueError(f"must be {what} {limits}")
        return int(raw) if whole else float(raw)

    return check


@dataclass(frozen=True)
class Key:
    name: str
    check: Callable[[Any], Any]
    default: Value
    help: str
    example: str  # a valid value, shown in the fix of an error

    @property
    def env(self) -> str:
        return "PRACTICE_" + self.name.upper().replace("-", "_")


KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        Key(
            "device",
            _string,
            None,
            "microphone: an index or part of its name (practice devices)",
            "usb",
        ),
        Key(
            "model",
            _string,
            None,
            "speech model name or directory (practice models list); "
            "unset means the catalogue's default",
            "base",
        ),
        Key("engine", _engine, "faster-whisper", "speech engine", "faster-whisper"),
        Key(
            "voice",
            _string,
            "piper",
            "voice that reads questions aloud: piper (natural, offline), espeak (the "
            "computer's own), or one of its voices (espeak-ng -v, say -v, a Windows voice)",
            "espeak",
        ),
        Key(
            "speak",
            _switch,
            False,
            "read every question aloud, as --speak does (true or false)",
            "true",
        ),
        Key(
            "prep",
            _number(0, MAX_PREP_S, whole=True),
            0,
            "seconds to think before recording starts",
            "5",
        ),
        Key(
            "stop-after-silence",
            _number(MIN_SILENCE_S, None, whole=False),
            None,
            "end a take after this many seconds of silence once you have spoken",
            "3",
        ),
        Key(
            "max-seconds",
            _number(1, None, whole=False),
            300.0,
            "a take ends by itself after this many seconds",
            "300",
        ),
    )
}


@dataclass(frozen=True)
class Setting:
    key: str
    value: Value
    source: Source
    help: str


@dataclass(frozen=True)
class Config:
    """Every setting's effective value (before command-line options) and where it came from."""

    path: Path
    settings: dict[str, Setting]

    def __getitem__(self, key: str) -> Any:
        return self.settings[key].value

    def pick(self, key: str, option: Any) -> Any:
        """The command-line option when given, else this setting."""
        return option if option is not None else self[key]


def config_path(home: Path) -> Path:
    return Path(home) / CONFIG_FILE


def load(home: Path, environ: Mapping[str, str] | None = None) -> Config:
    """The settings from the defaults, then the file, then PRACTICE_* environment variables."""
    environ = os.environ if environ is None else environ
    path = config_path(home)
    stored = read_file(path)
    for name in stored:
        if name not in KEYS:
            known = ", ".join(KEYS)
            raise InputError(
                f'{path}: unknown setting "{name}"; remove it with `practice config unset '
                f"{name}` (settings: {known})."
            )
    settings: dict[str, Setting] = {}
    for name, key in KEYS.items():
        value, source = key.default, "default"
        if name in stored:
            value, source = _checked(key, stored[name], where=str(path)), "file"
        if environ.get(key.env, "").strip():
            value, source = _checked(key, environ[key.env], where=key.env), "env"
        settings[name] = Setting(name, value, source, key.help)  # type: ignore[arg-type]
    return Config(path, settings)


def _checked(key: Key, raw: Any, *, where: str) -> Any:
    try:
        return key.check(raw)
    except ValueError as e:
        if where.startswith("PRACTICE_"):
            fix = f"set {where} to a valid value, e.g. {key.example}, or unset it"
        elif where == SET_COMMAND:
            fix = f"for example `{SET_COMMAND} {key.name} {key.example}`"
        else:
            fix = (
                f"fix it with `practice config set {key.name} {key.example}` or "
                f"`practice config unset {key.name}`"
            )
        raise InputError(f'{where}: "{key.name}" {e} (got {raw!r}); {fix}.') from None


def read_file(path: Path) -> dict[str, Any]:
    """The raw top-level values of a config file ({} when there is none)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise InputError(f"Cannot read {path} ({e.strerror or e}); check its permissions.") from e
    try:
        parsed = tomllib.loads(data.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InputError(
            f"{path} is not valid TOML ({e}); fix it, or delete it to go back to the defaults."
        ) from None
    for name, value in parsed.items():
        if isinstance(value, dict | list):
            raise InputError(
                f'{path}: "{name}" must be a single value, not a table or list; remove it with '
                f"`practice config unset {name}`."
            )
    return parsed


def set_value(home: Path, name: str, raw: str) -> Value:
    """Check `raw` for setting `name` and store it in the file; return the stored value."""
    key = _known(name)
    value = _checked(key, raw, where=SET_COMMAND)
    path = config_path(home)
    stored = read_file(path)
    stored[name] = value
    write_file(path, stored)
    return value  # type: ignore[no-any-return]


def unset_value(home: Path, name: str) -> bool:
    """Remove `name` from the file (known or not, so a stray key can be cleaned up); False when
    it was not there."""
    path = config_path(home)
    stored = read_file(path)
    if name not in stored:
        if name not in KEYS:
            _known(name)  # a typo: say which names exist
        return False
    del stored[name]
    write_file(path, stored)
    return True


def _known(name: str) -> Key:
    if name not in KEYS:
        raise InputError(f'Unknown setting "{name}"; choose one of {", ".join(KEYS)}.')
    return KEYS[name]


def write_file(path: Path, values: Mapping[str, Any]) -> None:
    """Write flat `key = value` TOML atomically (a crash never leaves half a file)."""
    lines = [
        "# practice settings: edit with `practice config set KEY VALUE`;",
        "# this file is rewritten on each change, so comments are not kept.",
        "",
    ]
    lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in values.items()]
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # the writer's own output must read back; fail before replacing the file
    try:
        write_text_atomically(path, text)
    except OSError as e:
        raise InputError(
            f"Cannot write {path} ({e.strerror or e}); check the folder's permissions."
        ) from e


def _toml_key(key: str) -> str:
    bare = key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key)
    return key if bare else _toml_string(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # repr round-trips exactly, and "300.0" stays a TOML float
    return _toml_string(str(value))


def _toml_string(s: str) -> str:
    escapes = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    out = []
    for ch in s:
        if ch in escapes:
            out.append(escapes[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:  # TOML forbids raw control characters
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
