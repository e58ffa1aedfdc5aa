"""The settings file: round trip through the writer and tomllib, validation messages, sources,
and how ask and interview take their defaults from it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from practice.cli.main import cli
from practice.core import config
from practice.core.errors import InputError


def write(home: Path, text: str) -> None:
    (home / config.CONFIG_FILE).write_text(text, encoding="utf-8")


def test_defaults_when_there_is_no_file(tmp_path: Path) -> None:
    cfg = config.load(tmp_path, environ={})
    assert {k: s.source for k, s in cfg.settings.items()} == dict.fromkeys(config.KEYS, "default")
    assert cfg["engine"] == "faster-whisper"
    assert cfg["max-seconds"] == 300.0
    assert cfg["device"] is None and cfg["stop-after-silence"] is None
    assert not (tmp_path / config.CONFIG_FILE).exists()  # reading never creates the file


def test_set_then_load_round_trips_every_kind_of_value(tmp_path: Path) -> None:
    tricky = 'Mic "USB" \\ Ünïcode'
    assert config.set_value(tmp_path, "device", tricky) == tricky
    assert config.set_value(tmp_path, "prep", "7") == 7
    assert config.set_value(tmp_path, "stop-after-silence", "2.5") == 2.5
    assert config.set_value(tmp_path, "max-seconds", "90") == 90.0
    assert config.set_value(tmp_path, "engine", "openai-whisper") == "openai-whisper"
    cfg = config.load(tmp_path, environ={})
    assert cfg["device"] == tricky
    assert cfg["prep"] == 7 and isinstance(cfg["prep"], int)
    assert cfg["stop-after-silence"] == 2.5
    assert cfg["max-seconds"] == 90.0
    assert cfg["engine"] == "openai-whisper"
    assert cfg.settings["prep"].source == "file"
    assert cfg.settings["voice"].source == "default"
    # The file is plain TOML any reader accepts, with the types kept.
    raw = tomllib.loads((tmp_path / config.CONFIG_FILE).read_text(encoding="utf-8"))
    assert raw == {
        "device": tricky,
        "prep": 7,
        "stop-after-silence": 2.5,
        "max-seconds": 90.0,
        "engine": "openai-whisper",
    }


def test_changing_one_key_keeps_the_others_and_unset_restores_the_default(tmp_path) -> None:  # noqa: ANN001
    config.set_value(tmp_path, "prep", "3")
    config.set_value(tmp_path, "voice", "en-gb")
    config.set_value(tmp_path, "prep", "4")
    assert config.read_file(tmp_path / config.CONFIG_FILE) == {"prep": 4, "voice": "en-gb"}
    assert config.unset_value(tmp_path, "prep") is True
    assert config.unset_value(tmp_path, "prep") is False
    cfg = config.load(tmp_path, environ={})
    assert (cfg["prep"], cfg.settings["prep"].source) == (0, "default")
    assert cfg["voice"] == "en-gb"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_the_writer_escapes_any_text_so_tomllib_reads_it_back(text: str) -> None:
    line = f"key = {config._toml_value(text)}"
    assert tomllib.loads(line) == {"key": text}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("prep = true", ['"prep"', "whole number", "config unset prep"]),
        ("prep = 1.5", ['"prep"', "whole number"]),
        ("prep = 121", ['"prep"', "from 0 to 120"]),
        ('engine = "whisper.cpp"', ['"engine"', "faster-whisper, openai-whisper"]),
        ("stop-after-silence = 0.1", ['"stop-after-silence"', "at least 0.3"]),
        ("max-seconds = nan", ['"max-seconds"', "config set max-seconds 300"]),
        ('device = ""', ['"device"', "non-empty"]),
        ("colour = 1", ['unknown setting "colour"', "config unset colour"]),
        ("[device]\nname = 1", ['"device" must be a single value', "config unset device"]),
        ("prep = ", ["not valid TOML", "delete it"]),
    ],
)
def test_a_bad_file_is_one_line_naming_the_key_and_the_fix(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    write(tmp_path, text + "\n")
    with pytest.raises(InputError) as e:
        config.load(tmp_path, environ={})
    message = str(e.value)
    assert "\n" not in message
    assert str(tmp_path / config.CONFIG_FILE) in message
    for part in expected:
        assert part in message


def test_environment_overrides_the_file_and_is_validated(tmp_path: Path) -> None:
    config.set_value(tmp_path, "prep", "3")
    cfg = config.load(tmp_path, environ={"PRACTICE_PREP": "9", "PRACTICE_DEVICE": "usb"})
    assert (cfg["prep"], cfg.settings["prep"].source) == (9, "env")
    assert (cfg["device"], cfg.settings["device"].source) == ("usb", "env")
    assert config.load(tmp_path, environ={"PRACTICE_PREP": " "})["prep"] == 3  # blank: unset
    with pytest.raises(InputError, match="PRACTICE_MAX_SECONDS.*at least 1.*unset it"):
        config.load(tmp_path, environ={"PRACTICE_MAX_SECONDS": "0"})


def test_set_refuses_a_bad_value_and_leaves_the_file_alone(tmp_path: Path) -> None:
    config.set_value(tmp_path, "prep", "3")
    before = (tmp_path / config.CONFIG_FILE).read_bytes()
    with pytest.raises(InputError, match='"prep" must be .* `practice config set prep 5`'):
        config.set_value(tmp_path, "prep", "soon")
    with pytest.raises(InputError, match='Unknown setting "colour"; choose one of device'):
        config.set_value(tmp_path, "colour", "red")
    assert (tmp_path / config.CONFIG_FILE).read_bytes() == before


def test_unset_removes_a_stray_key_so_the_file_loads_again(tmp_path: Path) -> None:
    write(tmp_path, 'colour = "red"\nprep = 2\n')
    with pytest.raises(InputError):
        config.load(tmp_path, environ={})
    assert config.unset_value(tmp_path, "colour") is True
    assert config.load(tmp_path, environ={})["prep"] == 2
    with pytest.raises(InputError, match="Unknown setting"):
        config.unset_value(tmp_path, "colour")  # neither in the file nor a setting: a typo


# -- the commands --------------------------------------------------------------------------


def run(home: Path, *args: str, env: dict[str, str] | None = None):  # noqa: ANN201
    return CliRunner().invoke(cli, ["--home", str(home), *args], env=env or {})


def test_config_commands_show_each_source(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    for key in config.KEYS.values():
        monkeypatch.delenv(key.env, raising=False)
    assert run(tmp_path, "config", "set", "prep", "4").exit_code == 0
    r = run(tmp_path, "config", env={"PRACTICE_VOICE": "en-gb"})
    assert r.exit_code == 0, r.output
    rows = {line.split()[0]: line.split()[1:] for line in r.stdout.splitlines()}
    assert rows["prep"] == ["4", "file"]
    assert rows["voice"] == ["en-gb", "env", "PRACTICE_VOICE"]
    assert rows["engine"] == ["faster-whisper", "default"]
    r = run(tmp_path, "config", "path")
    assert r.stdout.strip() == str(tmp_path / config.CONFIG_FILE)
    r = run(tmp_path, "config", "set", "prep", "later")
    assert r.exit_code == 1 and '"prep" must be' in r.output
    assert run(tmp_path, "config", "set", "colour", "red").exit_code == 2  # usage
    assert run(tmp_path, "config", "unset", "prep").exit_code == 0
    assert "prep                0                default" in run(tmp_path, "config").stdout


def test_config_help_names_every_setting() -> None:
    r = CliRunner().invoke(cli, ["config", "--help"])
    for name in config.KEYS:
        assert f"  {name} " in r.output


def test_ask_and_interview_take_defaults_from_config_unless_an_option_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from practice.cli.rehearse import _rules

    for key in config.KEYS.values():
        monkeypatch.delenv(key.env, raising=False)
    none = {"device": None, "max_seconds": None, "stop_after_silence": None, "prep": None}
    rules = _rules(tmp_path, **none)
    assert (rules.max_seconds, rules.stop_after_silence, rules.prep) == (300.0, None, 0)
    for key, value in (
        ("device", "usb"),
        ("max-seconds", "60"),
        ("stop-after-silence", "2"),
        ("prep", "5"),
        ("model", "tiny.en"),
        ("voice", "en-gb"),
    ):
        config.set_value(tmp_path, key, value)
    rules = _rules(tmp_path, **none)
    assert (rules.device, rules.max_seconds, rules.stop_after_silence, rules.prep) == (
        "usb",
        60.0,
        2.0,
        5,
    )
    assert (rules.model, rules.voice, rules.engine) == ("tiny.en", "en-gb", "faster-whisper")
    rules = _rules(tmp_path, device="3", max_seconds=20.0, stop_after_silence=1.0, prep=0)
    assert (rules.device, rules.max_seconds, rules.stop_after_silence, rules.prep) == (
        "3",
        20.0,
        1.0,
        0,
    )  # 0 is an option given, not a missing one
