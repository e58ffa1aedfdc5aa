"""Whisper models, offline: assembled from installed Python packages, checked, converted.

A model lives under `<home>/models/<name>/`: `ctranslate2/` holds its files as the packages in
the catalogue ship them (assembled and checked against its sha256), `ctranslate2-int8/` the same
model with its weights already quantized, which faster-whisper loads (quantize.py says why), and
`openai-whisper.pt` the same weights converted for openai-whisper. The sha256 of what was made
here is kept in `manifest.json`. Nothing here downloads.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from practice.core.errors import ModelError
from practice.core.home import ensure_dir

ENGINES = ("faster-whisper", "openai-whisper")
DEFAULT_ENGINE = "faster-whisper"
CHECKPOINT_NAME = "openai-whisper.pt"
INT8_NAME = "ctranslate2-int8"
MANIFEST_NAME = "manifest.json"  # sha256 of each file made here (converted, quantized)
_CHUNK_BYTES = 1 << 20  # 1 MiB reads keep hashing and copying memory flat


@dataclass(frozen=True)
class ModelFile:
    name: str
    sources: tuple[str, ...]  # "module:relative/path", concatenated in order
    sha256: str


@dataclass(frozen=True)
class CatalogueEntry:
    name: str
    default: bool
    languages: str
    description: str
    packages: tuple[str, ...]
    files: tuple[ModelFile, ...]


@dataclass(frozen=True)
class ModelStatus:
    """One row of `practice models list`: a model as one engine sees it."""

    name: str
    engine: str
    format: str  # "ctranslate2" | "openai-whisper"
    path: str
    sha256: str | None
    installed: bool


def catalogue_data() -> dict[str, Any]:
    """models/catalogue.toml, parsed: `model` lists the Whisper models, `language` the
    language models (parser, sentence embeddings) the judgment uses."""
    from importlib import resources

    # A source checkout reads its own models/ (an editable install may map the resource to
    # another checkout); an installed package reads the copy shipped inside it.
    here = Path(__file__).parents[2] / "models" / "catalogue.toml"
    if here.is_file():
        return tomllib.loads(here.read_text("utf-8"))
    text = (resources.files("practice.catalogue") / "catalogue.toml").read_text("utf-8")
    return tomllib.loads(text)


def catalogue() -> list[CatalogueEntry]:
    """The Whisper models practice knows, from models/catalogue.toml."""
    entries = []
    for m in catalogue_data()["model"]:
        files = tuple(ModelFile(f["name"], tuple(f["sources"]), f["sha256"]) for f in m["file"])
        entries.append(
            CatalogueEntry(
                m["name"],
                m["default"],
                m["languages"],
                m["description"],
                tuple(m["packages"]),
                files,
            )
        )
    return entries


def default_model() -> str:
    return next(e.name for e in catalogue() if e.default)


def entry(name: str) -> CatalogueEntry:
    for e in catalogue():
        if e.name == name:
            return e
    known = ", ".join(e.name for e in catalogue())
    raise ModelError(
        f'Unknown model "{name}"; choose one of {known}, or give the path of a CTranslate2 '
        "Whisper model directory. Run 'practice models list' to see them."
    )


def model_dir(home: Path, name: str) -> Path:
    return home / "models" / name


def ct2_dir(home: Path, name: str) -> Path:
    return model_dir(home, name) / "ctranslate2"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK_BYTES):
            h.update(chunk)
    return h.hexdigest()


def package_path(source: str, model: str, packages: tuple[str, ...]) -> Path:
    """What a catalogue source ("python_module:path inside it") names inside an installed
    package, found without importing the package (some uploads print or load heavy libraries
    when imported). ModelError, with the pip command that fixes it, when it is not there."""
    import importlib.util

    module, _, rel = source.partition(":")
    spec = importlib.util.find_spec(module)
    pins = " ".join(packages)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f'Model "{model}" needs the Python package that provides {module}, which is not '
            f"installed; install it with: pip install {pins}"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / rel
    if not path.exists():
        raise ModelError(
            f'{path} is missing from the installed package for model "{model}"; '
            f"reinstall it with: pip install --force-reinstall {pins}"
        )
    return path


def assemble(home: Path, name: str, *, force: bool = False) -> Path:
    """Build `<home>/models/<name>/ctranslate2` from the installed packages, checked; its path.

    Safe against a concurrent first use: each process assembles into a private temporary
    directory and the first to finish renames it into place.
    """
    e = entry(name)
    target = ct2_dir(home, name)
    if target.is_dir() and not force:
        return target
    parent = ensure_dir(model_dir(home, name))
    tmp = Path(tempfile.mkdtemp(prefix=".assembling-", dir=parent))
    try:
        for f in e.files:
            out = tmp / f.name
            h = hashlib.sha256()
            with open(out, "wb") as dst:
                for src in f.sources:
                    with open(package_path(src, e.name, e.packages), "rb") as s:
                        while chunk := s.read(_CHUNK_BYTES):
                            h.update(chunk)
                            dst.write(chunk)
            if h.hexdigest() != f.sha256:
                raise ModelError(
                    f'Model "{name}": {f.name} assembled from {", ".join(f.sources)} has '
                    f"sha256 {h.hexdigest()[:12]}..., expected {f.sha256[:12]}...; the package "
                    f"is not the pinned release. Reinstall it: pip install --force-reinstall "
                    f"{' '.join(e.packages)}"
                )
            os.chmod(out, 0o600)
        _into_place(tmp, target, force=force)
    except OSError as err:
        raise ModelError(f'Could not assemble model "{name}" in {parent}: {err}') from err
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _into_place(made: Path, target: Path, *, force: bool) -> None:
    """Rename the directory `made` to `target`. A concurrent first use may have put the same
    files there first; that one is kept, unless `force` replaces it."""
    if force and target.exists():
        shutil.rmtree(target)
    try:
        made.rename(target)
    except OSError:
        if not target.is_dir():  # not a lost race: a real failure
            raise


def checkpoint_path(home: Path, name: str) -> Path:
    return model_dir(home, name) / CHECKPOINT_NAME


def int8_dir(home: Path, name: str) -> Path:
    return model_dir(home, name) / INT8_NAME


def convert(home: Path, name: str, *, force: bool = False) -> Path:
    """The openai-whisper checkpoint for model `name`, converted once from its CTranslate2 files."""
    out = checkpoint_path(home, name)
    if out.is_file() and CHECKPOINT_NAME in manifest(home, name) and not force:
        return out
    source = assemble(home, name)
    from practice.speech.convert import convert_ct2_to_openai

    convert_ct2_to_openai(source, out)
    os.chmod(out, 0o600)
    _record(home, name, {CHECKPOINT_NAME: sha256_file(out)})
    return out


def quantized(home: Path, name: str, *, force: bool = False) -> Path:
    """The int8 CTranslate2 model faster-whisper loads for `name`, made once from the assembled
    one. Safe against a concurrent first use, as assemble() is."""
    out = int8_dir(home, name)
    if (
        (out / "model.bin").is_file()
        and f"{INT8_NAME}/model.bin" in manifest(home, name)
        and not force
    ):
        return out
    source = assemble(home, name, force=force)
    from practice.speech.quantize import quantize_int8

    parent = model_dir(home, name)
    tmp = Path(tempfile.mkdtemp(prefix=".quantizing-", dir=parent))
    try:
        quantize_int8(source, tmp / "model")
        made = {f"{INT8_NAME}/{f.name}": sha256_file(f) for f in (tmp / "model").iterdir()}
        for f in (tmp / "model").iterdir():
            os.chmod(f, 0o600)
        _into_place(tmp / "model", out, force=force)
    except OSError as err:
        raise ModelError(f'Could not quantize model "{name}" in {parent}: {err}') from err
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _record(home, name, made)
    return out


def manifest(home: Path, name: str) -> dict[str, str]:
    """sha256 of each file made for model `name`, by its path under the model's directory."""
    path = model_dir(home, name) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _record(home: Path, name: str, made: dict[str, str]) -> None:
    path = model_dir(home, name) / MANIFEST_NAME
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({**manifest(home, name), **made}, indent=1, sort_keys=True))
    os.replace(tmp, path)


def resolve(home: Path, model: str | None, engine: str) -> tuple[str, Path]:
    """(display name, path) of what `engine` loads for `--model` (a name, a path, or None).

    A catalogue name is assembled (and quantized, or for openai-whisper converted) on first use.
    """
    if engine not in ENGINES:
        raise ModelError(f'Unknown engine "{engine}"; choose one of {", ".join(ENGINES)}.')
    model = model or default_model()
    # A catalogue name is always the catalogue's model, never a folder of that name in the
    # working directory (a stray ./base must not replace the default); `./base` names the folder.
    names = {e.name for e in catalogue()}
    path = Path(model).expanduser()
    if model not in names and (os.sep in model or "/" in model or path.exists()):
        return _resolve_path(home, path, engine)
    entry(model)  # unknown names fail before any work
    if engine == "faster-whisper":
        return model, quantized(home, model)
    return model, convert(home, model)


def _resolve_path(home: Path, path: Path, engine: str) -> tuple[str, Path]:
    path = path.absolute()
    if engine == "openai-whisper" and path.is_file() and path.suffix == ".pt":
        return path.name, path
    if not (path / "model.bin").is_file():
        raise ModelError(
            f"{path} is not a CTranslate2 Whisper model directory (no model.bin); give a model "
            "name from 'practice models list' or such a directory."
        )
    if engine == "faster-whisper":
        return path.name, path
    # A converted copy kept in the home, keyed by where the model came from.
    key = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    out = ensure_dir(home / "models" / f"path-{key}") / CHECKPOINT_NAME
    if not out.is_file():
        from practice.speech.convert import convert_ct2_to_openai

        convert_ct2_to_openai(path, out)
    return path.name, out


def statuses(home: Path) -> list[ModelStatus]:
    rows = []
    for e in catalogue():
        made = manifest(home, e.name)
        d = int8_dir(home, e.name)
        sha = made.get(f"{INT8_NAME}/model.bin")
        rows.append(
            ModelStatus(
                e.name,
                "faster-whisper",
                "ctranslate2",
                str(d),
                sha,
                (d / "model.bin").is_file() and sha is not None,
            )
        )
        ck = checkpoint_path(home, e.name)
        sha = made.get(CHECKPOINT_NAME)
        rows.append(
            ModelStatus(
                e.name,
                "openai-whisper",
                "openai-whisper",
                str(ck),
                sha,
                ck.is_file() and sha is not None,
            )
        )
    return rows


@dataclass(frozen=True)
class VerifyResult:
    name: str
    file: str
    ok: bool
    detail: str


def verify(home: Path, progress: Callable[[str], None] | None = None) -> list[VerifyResult]:
    """Re-hash every assembled file against the catalogue, and every file made from them
    (quantized, converted) against the sha256 recorded when it was made."""
    results = []
    for e in catalogue():
        d = ct2_dir(home, e.name)
        if not d.is_dir():
            continue
        for f in e.files:
            if progress:
                progress(f"{e.name}/{f.name}")
            p = d / f.name
            if not p.is_file():
                results.append(VerifyResult(e.name, f.name, False, "missing"))
                continue
            got = sha256_file(p)
            results.append(
                VerifyResult(
                    e.name,
                    f.name,
                    got == f.sha256,
                    "ok" if got == f.sha256 else f"sha256 {got[:12]}...",
                )
            )
        for rel, want in manifest(home, e.name).items():
            p = model_dir(home, e.name) / rel
            if p.is_file():
                if progress:
                    progress(f"{e.name}/{rel}")
                got = sha256_file(p)
                results.append(
                    VerifyResult(
                        e.name, rel, got == want, "ok" if got == want else f"sha256 {got[:12]}..."
                    )
                )
    return results
