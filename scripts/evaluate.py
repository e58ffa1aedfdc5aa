"""Accuracy of transcription on the real clips in ../shared/speech: word error rate on the
exact-transcript clips, filled pauses found against the verbatim counts, and words per minute
on the slow and fast readings.

With --sets, the word error rate per set of `practice analyze`'s pipeline (transcribe.transcribe)
and of the yardstick, plain faster-whisper run on the same file
(`WhisperModel(path, compute_type="int8").transcribe(file, language="en",
word_timestamps=True)`, its defaults otherwise), with the same base model:
  piper, espeak  the natural-voice set (scripts/make_voice_set.py: STAR answers of 30-37 s with
                 the reference texts in tests/data/voice), text normalised by Whisper's own
                 English normaliser (numbers, spelling), as Whisper's evaluations do;
  real           the exact-transcript real clips, normalised as above.
A loop (a phrase of 3+ words said again and again) is counted per set too.

    PYTHONPATH=. .venv/bin/python scripts/evaluate.py [--engine faster-whisper|openai-whisper]
        [--model base]
    PYTHONPATH=. .venv/bin/python scripts/evaluate.py --sets piper,espeak,real [--limit 12]
        [--no-yardstick] [--home DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SPEECH = Path(__file__).resolve().parents[2] / "shared" / "speech"


def words_of(text: str) -> list[str]:
    """Reference or hypothesis words for WER: no annotations, punctuation or case; fillers out."""
    from practice.core.text import FILLED_PAUSES
    from practice.judgment.pacing import spoken_words  # noqa: F401  (numbers compared as digits)

    text = re.sub(r"<[^>]*>|\[[^\]]*\]", " ", text.lower())
    text = re.sub(r"[^\w' ]+", " ", text.replace("-", " "))
    return [w for w in text.split() if w not in FILLED_PAUSES]


_NORMALIZER: list[Callable[[str], str]] = []


def normalized_words(text: str) -> list[str]:
    """Words for WER by Whisper's English normaliser ("fifty" and "50" agree, fillers out)."""
    if not _NORMALIZER:
        from whisper.normalizers import EnglishTextNormalizer

        _NORMALIZER.append(EnglishTextNormalizer())
    return words_of(_NORMALIZER[0](re.sub(r"\[unclear\]", " ", text)))


def errors(ref: list[str], hyp: list[str]) -> int:
    import jiwer

    if not ref:
        return len(hyp)
    m = jiwer.process_words(" ".join(ref), " ".join(hyp) or "<empty>")
    return m.substitutions + m.deletions + m.insertions - (0 if hyp else 1)


def has_loop(words: list[str], *, min_n: int = 3, times: int = 3) -> bool:
    """Whether a phrase of `min_n`+ words comes `times` times in a row ("I'm sorry, I'm sorry,
    I'm sorry" is one), or one word 4 times in a row: Whisper's repetition failure."""
    for i in range(len(words)):
        if words[i : i + 4] == [words[i]] * 4 and len(words) - i >= 4:
            return True
        for n in range(min_n, 16):
            if i + n * times > len(words):
                break
            if all(words[i + k * n : i + (k + 1) * n] == words[i : i + n] for k in range(times)):
                return True
    return False


def yardstick_transcribe(path: Path, model_dir: Path) -> str:
    """Plain faster-whisper on the file, as the yardstick is defined (DESIGN.md)."""
    from faster_whisper import WhisperModel

    key = str(model_dir)
    if key not in _YARDSTICK:
        _YARDSTICK[key] = WhisperModel(key, compute_type="int8")
    segments, _ = _YARDSTICK[key].transcribe(str(path), language="en", word_timestamps=True)
    return " ".join(s.text.strip() for s in segments)


_YARDSTICK: dict[str, Any] = {}


def voice_files(set_name: str, limit: int) -> list[tuple[str, Path, str]]:
    """(name, audio file, reference text) of a set's first `limit` files."""
    if set_name == "real":
        clips = [json.loads(x) for x in (SPEECH / "manifest.jsonl").read_text().splitlines()]
        return [
            (Path(c["file"]).stem, SPEECH / c["file"], c["transcript"])
            for c in clips
            if c["transcript_kind"] == "exact"
        ][:limit]
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import make_voice_set

    texts = make_voice_set.texts()
    paths = make_voice_set.make_set(sets=(set_name,))[set_name]
    return [(p.stem, p, texts[p.stem]) for p in paths][:limit]


def evaluate_sets(
    sets: list[str], *, home: Path, limit: int, yardstick: bool, engine: str, model: str | None
) -> dict[str, Any]:
    """Per set: word errors, reference words and loops of ours and the yardstick, per file."""
    from practice.speech import audio, models
    from practice.speech.transcribe import CHECK_COUNTS, transcribe

    _, model_dir = models.resolve(home, model, engine)
    out: dict[str, Any] = {}
    for set_name in sets:
        rows = []
        counted = dict(CHECK_COUNTS)
        for name, path, reference in voice_files(set_name, limit):
            ref = normalized_words(reference)
            t0 = time.perf_counter()
            ours = transcribe(audio.load(path), home=home, engine=engine, model=model).text
            row: dict[str, Any] = {
                "file": name,
                "ref_words": len(ref),
                "ours_errors": errors(ref, normalized_words(ours)),
                "ours_loop": has_loop(normalized_words(ours)),
                "ours_unclear": ours.count("[unclear]"),
                "ours_s": round(time.perf_counter() - t0, 2),
                "ours": ours,
            }
            if yardstick:
                t0 = time.perf_counter()
                plain = yardstick_transcribe(path, model_dir)
                row |= {
                    "yardstick_errors": errors(ref, normalized_words(plain)),
                    "yardstick_loop": has_loop(normalized_words(plain)),
                    "yardstick_s": round(time.perf_counter() - t0, 2),
                    "yardstick": plain,
                }
            rows.append(row)
            print(
                f"{set_name:<7} {name:<40} ours {row['ours_errors']:>3}/{len(ref):<3}"
                + (f" yardstick {row['yardstick_errors']:>3}" if yardstick else ""),
                file=sys.stderr,
            )
        words = sum(r["ref_words"] for r in rows) or 1
        summary: dict[str, Any] = {
            "files": len(rows),
            "ref_words": words,
            "ours_wer": round(sum(r["ours_errors"] for r in rows) / words, 4),
            "ours_loops": sum(r["ours_loop"] for r in rows),
            "ours_unclear": sum(r["ours_unclear"] for r in rows),
            # stretches of the batched path: checked, failed a check, second reading kept
            "checks": {k: v - counted[k] for k, v in CHECK_COUNTS.items()},
        }
        if yardstick:
            summary |= {
                "yardstick_wer": round(sum(r["yardstick_errors"] for r in rows) / words, 4),
                "yardstick_loops": sum(r["yardstick_loop"] for r in rows),
            }
        out[set_name] = {"summary": summary, "files": rows}
    return out


def print_sets(results: dict[str, Any]) -> None:
    print(
        f"{'set':<8} {'files':>5} {'words':>6} {'ours WER':>9} {'yardstick':>10} {'gap':>7}  loops"
    )
    for set_name, r in results.items():
        s = r["summary"]
        yard = s.get("yardstick_wer")
        gap = f"{(s['ours_wer'] - yard) * 100:+.2f}" if yard is not None else "-"
        print(
            f"{set_name:<8} {s['files']:>5} {s['ref_words']:>6} {s['ours_wer']:>9.2%} "
            f"{(f'{yard:.2%}' if yard is not None else '-'):>10} {gap:>7}  "
            f"{s['ours_loops']}/{s.get('yardstick_loops', '-')}  unclear {s['ours_unclear']}  "
            f"checks {s['checks']}"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", default="faster-whisper")
    ap.add_argument("--model", default=None)
    ap.add_argument("--home", default=None, help="data home (default: a temporary one)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--sets", default=None, help="comma-separated: piper, espeak, real")
    ap.add_argument("--limit", type=int, default=12, help="files per set")
    ap.add_argument("--no-yardstick", action="store_true")
    args = ap.parse_args()
    if args.sets:
        home = Path(args.home or tempfile.mkdtemp(prefix="practice-eval-"))
        results = evaluate_sets(
            [s.strip() for s in args.sets.split(",") if s.strip()],
            home=home,
            limit=args.limit,
            yardstick=not args.no_yardstick,
            engine=args.engine,
            model=args.model,
        )
        if args.json:
            print(json.dumps(results, indent=1))
        else:
            print_sets(results)
        return 0

    import jiwer

    from practice.judgment.pacing import analyze_pacing
    from practice.speech import audio
    from practice.speech.transcribe import transcribe

    home = Path(args.home or tempfile.mkdtemp(prefix="practice-eval-"))
    clips = [json.loads(line) for line in (SPEECH / "manifest.jsonl").read_text().splitlines()]
    rows = []
    for c in clips:
        rec = audio.load(SPEECH / c["file"])
        t0 = time.perf_counter()
        t = transcribe(rec, home=home, engine=args.engine, model=args.model)
        elapsed = time.perf_counter() - t0
        ref, hyp = words_of(c["transcript"]), words_of(t.text)
        d = analyze_pacing(t.words, rec)
        rows.append(
            {
                "clip": Path(c["file"]).stem,
                "kind": c["transcript_kind"],
                "ref_words": len(ref),
                "errors": round(jiwer.wer(" ".join(ref), " ".join(hyp)) * len(ref)) if ref else 0,
                "fillers_ref": c["filler_count"],
                "fillers_found": d.filler_count,
                "wpm": d.words_per_minute,
                "seconds": round(elapsed, 2),
                "text": t.text,
            }
        )
        print(
            f"{rows[-1]['clip']:<45} {rows[-1]['errors']:>3}/{len(ref):<3} "
            f"fillers {d.filler_count} (ref {c['filler_count']})  {elapsed:.1f} s",
            file=sys.stderr,
        )
    exact = [r for r in rows if r["kind"] == "exact"]
    verb = [r for r in rows if r["kind"] != "exact"]
    wer = sum(r["errors"] for r in exact) / sum(r["ref_words"] for r in exact)
    found = sum(r["fillers_found"] for r in verb)
    ref_fillers = sum(r["fillers_ref"] for r in verb)
    invented = sum(r["fillers_found"] for r in exact)
    summary = {
        "engine": args.engine,
        "model": args.model or "base",
        "exact_clips": len(exact),
        "wer_exact": round(wer, 4),
        "fillers_found": found,
        "fillers_reference": ref_fillers,
        "fillers_on_exact_clips": invented,
        "wpm": {r["clip"]: r["wpm"] for r in rows if r["clip"].startswith("mfa__english")},
    }
    if args.json:
        print(json.dumps({"summary": summary, "clips": rows}, indent=1))
    else:
        print(f"engine {summary['engine']}, model {summary['model']}")
        print(f"WER on {len(exact)} exact clips: {wer:.1%}")
        print(f"filled pauses on verbatim clips: {found} found / {ref_fillers} reference")
        print(f"filled pauses on exact clips (should be 0): {invented}")
        for clip, wpm in summary["wpm"].items():
            print(f"{clip}: {wpm} wpm")
    return 0


if __name__ == "__main__":
    sys.exit(main())
