"""Accuracy of transcription on the real clips in ../shared/speech: word error rate on the
exact-transcript clips, filled pauses found against the verbatim counts, and words per minute
on the slow and fast readings.

    .venv/bin/python scripts/evaluate.py [--engine faster-whisper|openai-whisper] [--model base]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

SPEECH = Path(__file__).resolve().parents[2] / "shared" / "speech"


def words_of(text: str) -> list[str]:
    """Reference or hypothesis words for WER: no annotations, punctuation or case; fillers out."""
    from practice.core.text import FILLED_PAUSES
    from practice.judgment.pacing import spoken_words  # noqa: F401  (numbers compared as digits)

    text = re.sub(r"<[^>]*>|\[[^\]]*\]", " ", text.lower())
    text = re.sub(r"[^\w' ]+", " ", text.replace("-", " "))
    return [w for w in text.split() if w not in FILLED_PAUSES]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", default="faster-whisper")
    ap.add_argument("--model", default=None)
    ap.add_argument("--home", default=None, help="data home (default: a temporary one)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

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
