"""Where the transcript's word errors come from: the evaluation of scripts/evaluate.py --sets run
with one part of `practice analyze`'s pipeline switched off (or changed) at a time.

    PYTHONPATH=. .venv/bin/python scripts/ablate.py --sets piper [--limit 12] \\
        [--only none,no-cuts,...] [--home DIR]

Variants:
  none          the pipeline as it is
  no-cuts       the whole file as one stretch (one sequential call, voice filter on)
  sequential    the same stretches, each decoded by the sequential decoder (voice filter on)
                instead of the batched one
  no-holes      no re-decoding of speech the first pass skipped
  no-token-cap  no cap on the tokens a window may produce
  no-prompt     without the filler prompt
  no-checks     without the stretch checks (practice/speech/checks.py), where they exist
  narrative-prompt  fillers in a short first-person past-tense sentence as the prompt
  a+b           both at once

Measured 2026-12-07 on the 12 Piper answers (1250 words; plain faster-whisper 3.04 %), on the
pipeline before the checks and before words were joined as Whisper writes them (6.56 %):
  no-cuts 8.88 %, sequential 5.20 %, no-holes 11.52 %, no-token-cap 6.64 %, no-prompt 5.20 %,
  sequential+no-prompt 4.56 %.
Joining ",000" and "%" to their number alone: 5.60 % (the no-checks variant today); with the
checks: 3.52 % (7 of 24 stretches decoded again, 3 second readings kept). A fluent prompt
with the fillers in it ("narrative-prompt"): no change (3.60 % against 3.60 % then).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _no_cuts() -> None:
    from practice.speech import stretches

    stretches.BATCH_MAX_S = 10_000.0
    plan = stretches.plan
    stretches.plan = lambda samples, **kw: plan(samples, max_s=10_000.0)  # type: ignore[assignment]


def _sequential() -> None:
    from practice.speech import engine_faster

    def many(samples: Any, spans: list[tuple[int, int]], model_dir: Path, **kw: Any) -> Any:
        kw.pop("before_decoding", None)
        kw.pop("workers", None)
        kw.pop("progress", None)
        kw.pop("on_language", None)  # the answers ablated are English
        logprobs = kw.pop("logprobs", None)
        out = []
        for a, b in spans:
            got: list[float | None] = []
            out.append(engine_faster.transcribe(samples[a:b], model_dir, logprob=got, **kw)[0])
            if logprobs is not None:
                logprobs += got
        return out

    engine_faster.transcribe_many = many  # type: ignore[assignment]


def _no_holes() -> None:
    from practice.speech import transcribe

    transcribe.MAX_TAIL_PASSES = 0


def _no_token_cap() -> None:
    from practice.speech import engine_faster

    engine_faster.max_tokens = lambda seconds: None  # type: ignore[assignment,return-value]


def _no_prompt() -> None:
    from practice.speech import transcribe

    transcribe.FILLER_PROMPT = None  # type: ignore[assignment]


def _narrative_prompt() -> None:
    from practice.speech import transcribe

    transcribe.FILLER_PROMPT = "Um, so I, uh, looked into it, and, hmm, er, ah, we fixed it."


def _no_checks() -> None:
    try:
        from practice.speech import checks  # type: ignore[attr-defined]
    except ImportError:
        return
    checks.ENABLED = False


VARIANTS: dict[str, Callable[[], None]] = {
    "none": lambda: None,
    "no-cuts": _no_cuts,
    "sequential": _sequential,
    "no-holes": _no_holes,
    "no-token-cap": _no_token_cap,
    "no-prompt": _no_prompt,
    "no-checks": _no_checks,
    "narrative-prompt": _narrative_prompt,
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="piper")
    ap.add_argument("--limit", type=int, default=12)
    ap.add_argument("--only", default=",".join(VARIANTS))
    ap.add_argument("--home", default=None)
    ap.add_argument("--json", type=Path, default=None, help="write every result here")
    args = ap.parse_args()
    home = Path(args.home or tempfile.mkdtemp(prefix="practice-eval-"))
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    import subprocess

    results: dict[str, Any] = {}
    for name in args.only.split(","):
        # Each variant in its own process: the switches are module constants.
        got = subprocess.run(
            [sys.executable, __file__, "--variant", name, "--sets", ",".join(sets)]
            + ["--limit", str(args.limit), "--home", str(home)],
            check=True,
            capture_output=True,
            text=True,
        )
        results[name] = json.loads(got.stdout)
        cells = "  ".join(
            f"{s} {r['summary']['ours_wer']:.2%} (loops {r['summary']['ours_loops']})"
            for s, r in results[name].items()
        )
        print(f"{name:<13} {cells}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


def variant_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--variant", required=True)
    ap.add_argument("--sets", required=True)
    ap.add_argument("--limit", type=int, required=True)
    ap.add_argument("--home", required=True)
    args = ap.parse_args(argv)
    for part in args.variant.split("+"):  # "a+b": both at once
        VARIANTS[part]()
    from evaluate import evaluate_sets

    got = evaluate_sets(
        args.sets.split(","),
        home=Path(args.home),
        limit=args.limit,
        yardstick=False,
        engine="faster-whisper",
        model=None,
    )
    print(json.dumps(got))
    return 0


if __name__ == "__main__":
    if "--variant" in sys.argv:
        sys.exit(variant_main(sys.argv[1:]))
    sys.exit(main())
