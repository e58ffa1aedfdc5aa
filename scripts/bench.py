"""Speed and memory of practice against plain openai-whisper, measured in one run.

    .venv/bin/python scripts/bench.py [--sizes 30,120,300] [--repeats 3] [--skip-live]
        [--batch-repeats 3] [--stop-repeats 1] [--interview-repeats 3] [--no-openai]

Answers of each size are assembled from the real clips in ../shared/speech (with short gaps, as
a person pauses between sentences). For each it measures, as whole processes:
  - the baseline: plain openai-whisper transcribe() (base, loaded by path, alignment heads set,
    word timestamps on, fp16 off);
  - the yardstick (issue 19): plain faster-whisper on the same base model,
    `WhisperModel(path, compute_type="int8").transcribe(file, language="en",
    word_timestamps=True)`, its defaults otherwise;
  - `practice analyze` (transcription and every analyser), time and peak memory, and its speed
    as a ratio to each (targets: 3.5x openai-whisper, 1.5x the yardstick, 700 MB);
  - `practice ask` with the answer played in real time through the virtual microphone: the
    latency from the moment the take stops (the silence rule firing, or Ctrl-C right as the
    last word ends) to complete feedback, as the command itself reports it;
  - `practice interview` the same way, one answer per question: the latency from the "Take
    ended" line to the answer's verdict line on stderr;
  - over all the live takes of a size, per command, the 95th percentile and the maximum of
    the latency (targets for 2-minute answers: 2 s and 4 s): what a person meets is the worst
    take, not the median;
and `practice --help` and the time from starting `practice ask` until it is ready to record.
With --app, the browser app too: `practice app` with Debian's chromium (Playwright) whose fake
microphone plays the answer once; the time from Stop to the feedback visible in the page, and
the server's peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SPEECH = REPO.parent / "shared" / "speech"
VIRTUAL_MIC = REPO.parent / "shared" / "tools" / "virtual_mic.sh"
PRACTICE = [sys.executable, "-m", "practice"]
GAP_S = 0.6
MAX_PAUSE_S = 1.2
SILENCE_RULE_S = 2.0  # the live takes end after this much silence, as a person's would


def assemble(seconds: float, out: Path) -> Path:
    """A spoken answer about `seconds` long from the real clips, written as 16 kHz WAV."""
    import soundfile as sf

    sys.path.insert(0, str(REPO))
    from practice.speech import audio

    rows = [json.loads(x) for x in (SPEECH / "manifest.jsonl").read_text().splitlines()]
    pool = [
        audio.load(SPEECH / r["file"]).samples
        for r in rows
        if r["style"] in ("spontaneous", "read")
    ]
    gap = np.zeros(int(GAP_S * 16000), np.float32)
    parts, ends, i = [], [0], 0
    while ends[-1] < seconds * 16000:
        clip = pool[i % len(pool)]
        parts += [clip, gap]
        ends.append(ends[-1] + len(clip) + len(gap))
        i += 1
    # It ends where a clip ends, the nearest to `seconds`: an answer cut off mid-word left a
    # scrap of sound with no words in it, which no finished answer has.
    end = min(ends[1:], key=lambda e: abs(e - len(gap) - seconds * 16000))
    x = np.concatenate(parts)[: end - len(gap)]
    # Pauses inside the clips are capped at MAX_PAUSE_S, so the live runs' silence rule ends the
    # take at the end of the answer and not at a long pause in the middle of it.
    frames = x[: len(x) // 160 * 160].reshape(-1, 160)
    quiet = np.sqrt(np.mean(frames**2, axis=1)) < 10 ** (-45 / 20)
    keep = np.ones(len(quiet), bool)
    run = 0
    for i, q in enumerate(quiet):
        run = run + 1 if q else 0
        keep[i] = run <= MAX_PAUSE_S * 100
    x = frames[keep].reshape(-1)
    sf.write(out, x, 16000, subtype="PCM_16")
    return out


def run_measured(
    cmd: list[str], env: dict[str, str] | None = None, stdout: int | None = subprocess.DEVNULL
) -> tuple[float, float, str]:
    """(wall seconds, peak resident MB, stdout) of one whole process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE if stdout is None else stdout,
        stderr=subprocess.DEVNULL,
    )
    out = proc.stdout.read().decode() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed")
    return wall, usage.ru_maxrss / 1024, out


BASELINE = """
import sys, torch, whisper
ck = torch.load(sys.argv[1], map_location="cpu", weights_only=True)
model = whisper.model.Whisper(whisper.model.ModelDimensions(**ck["dims"]))
model.load_state_dict(ck["model_state_dict"])
heads = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
for layer, head in ck["alignment_heads"]:
    heads[layer, head] = True
model.register_buffer("alignment_heads", heads.to_sparse(), persistent=False)
model.transcribe(sys.argv[2], word_timestamps=True, fp16=False, language=None)
"""


YARDSTICK = """
import sys
from faster_whisper import WhisperModel
model = WhisperModel(sys.argv[1], compute_type="int8")
segments, _ = model.transcribe(sys.argv[2], language="en", word_timestamps=True)
list(segments)  # the segments are decoded as they are read
"""


def start_virtual_mic(directory: Path) -> dict[str, str]:
    """The virtual microphone's server in `directory` (its own, so a bench never stops or
    replaces another run's server in the shared default folder) and the environment for it."""
    out = subprocess.run(
        ["bash", str(VIRTUAL_MIC), "start"],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, VMIC_DIR=str(directory)),
    ).stdout
    env = dict(os.environ, VMIC_DIR=str(directory))
    for line in out.splitlines():
        m = re.match(r"export (\w+)=(.*)", line)
        if m:
            env[m.group(1)] = m.group(2)
    return env


def _seconds(wav: Path) -> float:
    import soundfile as sf

    return float(sf.info(wav).duration)


def live_ask(
    home: Path, answer: Path, seconds: float, env: dict[str, str], interrupt: bool = False
) -> tuple[float, float, float]:
    """(ready-to-record seconds from process start, reported latency, recorded seconds) of one
    `practice ask`. With `interrupt`, the take is stopped the moment the answer's last sample
    has played (Ctrl-C, which like Enter ends the take and keeps it) instead of by the
    silence rule: the worst case, with the last stretch not yet transcribed."""
    cmd = [
        *PRACTICE,
        "--home",
        str(home),
        "ask",
        "--no-input",
        "--json",
        "--question-text",
        "Tell me about a time you improved a process.",
        "--category",
        "success-story",
        "--stop-after-silence",
        str(SILENCE_RULE_S),
        "--max-seconds",
        str(int(seconds + 30)),
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
    )
    ready = threading.Event()
    ready_at: list[float] = []

    def watch() -> None:
        buf = b""
        assert proc.stderr is not None
        while chunk := proc.stderr.read1(4096):  # type: ignore[attr-defined]
            buf += chunk
            if not ready.is_set() and b"Recording from" in buf:
                ready_at.append(time.perf_counter() - t0)
                ready.set()

    threading.Thread(target=watch, daemon=True).start()
    if not ready.wait(120):
        proc.kill()
        raise SystemExit("bench: practice ask never became ready to record")
    subprocess.run(["paplay", f"--device={env['VMIC_SINK']}", str(answer)], env=env, check=True)
    if interrupt:
        proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=900)  # a loaded machine: minutes
    doc = json.loads(out)
    return ready_at[0], float(doc["latency_s"]), float(doc["audio"]["duration_s"])


def live_interview(home: Path, answer: Path, questions: int, env: dict[str, str]) -> list[float]:
    """Seconds from each take's end to its verdict on screen, over one `practice interview`
    of `questions` questions, `answer` played into each once recording starts. The command
    prints "Take ended" as the take stops and the answer's verdict line ("Q1/3 ...") once it
    is judged and saved; both go to stderr with --json, timed here as they arrive."""
    cmd = [
        *PRACTICE,
        "--home",
        str(home),
        "interview",
        "-n",
        str(questions),
        "--no-input",
        "--json",
        "--category",
        "success-story",
        # the figure is the wait for an answer's own feedback: a follow-up question would
        # open the microphone again before the verdict line, and nobody answers it here
        "--no-follow-up",
        "--stop-after-silence",
        str(SILENCE_RULE_S),
        "--max-seconds",
        str(int(_seconds(answer) + 30)),
    ]
    # Its JSON (over 100 kB for two answers) is not read: left in a pipe, it would fill it
    # and the command would wait for ever to write the rest while stderr is read to its end.
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
    )
    assert proc.stderr is not None
    latencies: list[float] = []
    ended: float | None = None
    player: subprocess.Popen[bytes] | None = None
    for raw in proc.stderr:
        line = raw.decode(errors="replace").lstrip("\r")  # the line before is overwritten
        if line.startswith("Recording from"):
            player = subprocess.Popen(
                ["paplay", f"--device={env['VMIC_SINK']}", str(answer)], env=env
            )
        elif line.startswith("Take ended"):
            ended = time.perf_counter()
        elif ended is not None and re.match(r"Q\d+/\d+ · overall", line):  # not "no speech"
            latencies.append(time.perf_counter() - ended)
            ended = None
    proc.communicate(timeout=900)  # a loaded machine: minutes
    if player is not None:
        player.wait(timeout=60)
    if proc.returncode != 0 or len(latencies) != questions:
        raise SystemExit(f"bench: practice interview failed ({len(latencies)} verdicts)")
    return latencies


def tail_row(label: str, latencies: list[float]) -> tuple[str, str, str, str]:
    """The 95th percentile and the maximum of `latencies` as one row."""
    p95 = float(np.percentile(latencies, 95))
    return (
        f"{label}: stop -> feedback, 95th percentile / max of {len(latencies)}",
        f"{p95:.2f} s",
        "",
        f"max {max(latencies):.2f} s; targets <= 2 s / 4 s for 2-minute answers",
    )


CHROMIUM = "/usr/bin/chromium"


# Run in the page before Stop: the page's own clock at the click and when the feedback first
# shows its score (Playwright's expect() polls at 100-1000 ms, which would be measured too).
SHOWN_AT = """() => {
  const region = document.getElementById("feedback");
  document.addEventListener("click", () => { window.stoppedAt = performance.now(); },
                            { capture: true, once: true });
  new MutationObserver((_, observer) => {
    if (region.textContent.includes("Overall")) {
      window.shownAt = performance.now();
      observer.disconnect();
    }
  }).observe(region, { childList: true, subtree: true, characterData: true });
}"""


def app_takes(home: Path, answer: Path, repeats: int) -> tuple[list[float], float]:
    """([seconds from Stop to the feedback visible, per take], server peak resident MB): one
    `practice app` serving `repeats` takes of `answer` played by chromium's fake microphone."""
    import soundfile as sf
    from playwright.sync_api import expect, sync_playwright

    samples, rate = sf.read(answer, dtype="float32")
    played = answer.with_name(answer.stem + "-app.wav")  # a second of quiet before and after
    quiet = np.zeros(rate, np.float32)
    sf.write(played, np.concatenate([quiet, samples, quiet]), rate, subtype="PCM_16")
    seconds = len(samples) / rate + 2
    proc = subprocess.Popen(
        [*PRACTICE, "--home", str(home), "app", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip().removeprefix("practice app: ")
    latencies = []
    try:
        with sync_playwright() as p:
            for _ in range(repeats):
                browser = p.chromium.launch(
                    executable_path=CHROMIUM,
                    args=[
                        "--use-fake-ui-for-media-stream",
                        "--use-fake-device-for-media-stream",
                        f"--use-file-for-fake-audio-capture={played}%noloop",
                    ],
                )
                page = browser.new_page()
                page.goto(url)
                page.get_by_role("button", name="Record").click()
                page.wait_for_timeout(seconds * 1000)
                page.evaluate(SHOWN_AT)
                page.get_by_role("button", name="Stop").click()
                # exact: a question about feedback names its own region "... feedback ..."
                feedback = page.get_by_role("region", name="Feedback", exact=True)
                expect(feedback).to_contain_text("Overall", timeout=120_000)
                stopped_ms, shown_ms = page.evaluate("[window.stoppedAt, window.shownAt]")
                latencies.append((shown_ms - stopped_ms) / 1000)
                browser.close()
    finally:
        proc.send_signal(signal.SIGINT)
        _, _, usage = os.wait4(proc.pid, 0)
    return latencies, usage.ru_maxrss / 1024


def judgment_rows() -> list[tuple[str, str, str, str]]:
    """The judgment after a 2-minute take, in this process: from scratch (the baseline) and as
    the live path runs it, with the finished sentences parsed and embedded while the person
    spoke (app.rehearse.prepare_judgment_while_speaking). Two different answers of the same
    length, so the second is not helped by the first's remembered sentences."""

    from practice.app.rehearse import warm_up_judgment
    from practice.core.results import Question
    from practice.judgment import coach

    corpus = Path(__file__).resolve().parents[1] / "tests" / "data" / "corpus"
    answers = [json.loads(x)["answer"] for x in (corpus / "published-star.jsonl").open()]

    def about(words: int, start: int) -> str:
        out: list[str] = []
        for a in answers[start:]:
            out.append(a)
            if len(" ".join(out).split()) >= words:
                break
        return " ".join(out)

    q = Question(None, "Tell me about a time you solved a hard problem.", "success-story")
    warm_up_judgment()
    scratch, live = [], []
    for n in range(3):
        text = about(300, 5 + 20 * n)  # about 2 minutes at 150 words a minute
        started = time.perf_counter()
        coach.analyze_text(text, question=q)
        scratch.append(time.perf_counter() - started)
        text = about(300, 15 + 20 * n)
        coach.prepare(text)
        started = time.perf_counter()
        coach.analyze_text(text, question=q)
        live.append(time.perf_counter() - started)
    base, ours = statistics.median(scratch), statistics.median(live)
    return [
        ("2 min answer: judgment from scratch (baseline)", f"{base:.2f} s", "", "1.00x"),
        (
            "2 min answer: judgment after the take (sentences read while speaking)",
            f"{ours:.2f} s",
            "",
            f"{base / ours:.1f}x faster; target <= 0.15 s",
        ),
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="30,120,300", help="answer lengths in seconds")
    ap.add_argument("--repeats", type=int, default=3, help="live takes per size")
    ap.add_argument(
        "--long-repeats", type=int, default=2, help="live takes for answers over 3 minutes"
    )
    ap.add_argument(
        "--stop-repeats",
        type=int,
        default=1,
        help="live takes per size stopped right on the last word",
    )
    ap.add_argument(
        "--batch-repeats",
        type=int,
        default=3,
        help="whole-process runs of each batch command (the median is shown)",
    )
    ap.add_argument(
        "--interview-repeats",
        type=int,
        default=3,
        help="questions of the live `practice interview` per size (0: none)",
    )
    ap.add_argument(
        "--no-openai", action="store_true", help="leave out the openai-whisper baseline"
    )
    ap.add_argument("--skip-live", action="store_true", help="no virtual-microphone runs")
    ap.add_argument(
        "--app", action="store_true", help="also the browser app (chromium, Playwright)"
    )
    args = ap.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="practice-bench-"))
    home = work / "home"
    env = dict(os.environ, PRACTICE_HOME=str(home))
    subprocess.run(
        [*PRACTICE, "models", "install", "base"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    checkpoint = home / "models" / "base" / "openai-whisper.pt"
    rows: list[tuple[str, str, str, str]] = []

    helps = []
    for _ in range(5):
        helps.append(run_measured([*PRACTICE, "--help"])[0])
    rows.append(("practice --help", f"{statistics.median(helps):.2f} s", "", "target < 0.3 s"))
    rows.extend(judgment_rows())

    sys.path.insert(0, str(REPO))
    from practice.speech import models

    _, model_dir = models.resolve(home, None, "faster-whisper")
    for size in sizes:
        wav = assemble(size, work / f"answer-{int(size)}s.wav")
        # Alternated, so a slow spell of the machine falls on every command alike.
        commands = {
            "openai": [sys.executable, "-c", BASELINE, str(checkpoint), str(wav)],
            "yardstick": [sys.executable, "-c", YARDSTICK, str(model_dir), str(wav)],
            "ours": [*PRACTICE, "analyze", str(wav), "--no-save", "--json"],
        }
        if args.no_openai:
            del commands["openai"]
        runs: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
        for _ in range(args.batch_repeats):
            for key, cmd in commands.items():
                runs[key].append(run_measured(cmd, env=env)[:2])
        if not args.batch_repeats:
            continue  # --batch-repeats 0: only the live runs
        label = f"{size:.0f} s answer"
        ours_s = statistics.median(r[0] for r in runs["ours"])
        ours_mb = max(r[1] for r in runs["ours"])
        notes = []
        for key, name in (
            ("openai", "openai-whisper transcribe (baseline)"),
            ("yardstick", "plain faster-whisper int8 (the yardstick)"),
        ):
            if key not in runs:
                continue
            base_s = statistics.median(r[0] for r in runs[key])
            ratios = ", ".join(
                f"{b[0] / o[0]:.2f}" for b, o in zip(runs[key], runs["ours"], strict=True)
            )
            target = "3.5x" if key == "openai" else "1.5x"
            notes.append(f"{base_s / ours_s:.2f}x {key} (target {target}; runs: {ratios})")
            rows.append(
                (
                    f"{label}: {name}",
                    f"{base_s:.1f} s",
                    f"{max(r[1] for r in runs[key]):.0f} MB",
                    "1.00x",
                )
            )
        rows.append(
            (
                f"{label}: practice analyze",
                f"{ours_s:.1f} s",
                f"{ours_mb:.0f} MB",
                "faster: " + "; ".join(notes) + "; memory target <= 700 MB",
            )
        )

    if not args.skip_live and shutil.which("paplay"):
        mic_env = {**start_virtual_mic(work / "vmic"), "PRACTICE_HOME": str(home)}
        try:
            for size in sizes:
                wav = work / f"answer-{int(size)}s.wav"
                n = args.repeats if size <= 180 else args.long_repeats
                results = [live_ask(home, wav, size, mic_env) for _ in range(n)]
                played = _seconds(wav)
                if any(r[2] < played - 1 for r in results):
                    raise SystemExit(f"bench: a {size:.0f} s take ended before the answer did")
                ready = statistics.median(r[0] for r in results)
                latency = statistics.median(r[1] for r in results)
                target = "2 s" if size <= 150 else "3 s"
                rows.append(
                    (
                        f"{size:.0f} s answer: ask, stop -> feedback (median of {len(results)})",
                        f"{latency:.2f} s",
                        "",
                        f"target <= {target}; each: " + ", ".join(f"{r[1]:.2f}" for r in results),
                    )
                )
                rows.append(
                    (
                        f"{size:.0f} s answer: ask, start -> ready to record",
                        f"{ready:.2f} s",
                        "",
                        "target < 3 s",
                    )
                )
                stops = [
                    live_ask(home, wav, size, mic_env, interrupt=True)
                    for _ in range(args.stop_repeats)
                ]
                if not stops:
                    continue  # --stop-repeats 0
                rows.append(
                    (
                        f"{size:.0f} s answer: ask, stopped on the last word -> feedback "
                        f"(median of {len(stops)})",
                        f"{statistics.median(r[1] for r in stops):.2f} s",
                        "",
                        f"target <= {target}; each: " + ", ".join(f"{r[1]:.2f}" for r in stops),
                    )
                )
                rows.append(tail_row(f"{size:.0f} s answer: ask", [r[1] for r in results + stops]))
                if args.interview_repeats:
                    asked = live_interview(home, wav, args.interview_repeats, mic_env)
                    rows.append(
                        (
                            f"{size:.0f} s answer: interview, stop -> verdict "
                            f"(median of {len(asked)})",
                            f"{statistics.median(asked):.2f} s",
                            "",
                            f"target <= {target}; each: " + ", ".join(f"{x:.2f}" for x in asked),
                        )
                    )
                    rows.append(tail_row(f"{size:.0f} s answer: interview", asked))
        finally:
            subprocess.run(["bash", str(VIRTUAL_MIC), "stop"], capture_output=True, env=mic_env)

    if args.app:
        for size in sizes:
            wav = work / f"answer-{int(size)}s.wav"
            if not wav.exists():
                assemble(size, wav)
            latencies, peak_mb = app_takes(home, wav, args.repeats)
            target = "2 s" if size <= 150 else "3 s"
            rows.append(
                (
                    f"{size:.0f} s answer: app, Stop -> feedback visible "
                    f"(median of {len(latencies)})",
                    f"{statistics.median(latencies):.2f} s",
                    f"{peak_mb:.0f} MB",
                    f"target <= {target}; each: " + ", ".join(f"{x:.2f}" for x in latencies),
                )
            )

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'time':>9}  {'peak mem':>9}  ratio / note")
    for name, t, mem, note in rows:
        print(f"{name:<{width}}  {t:>9}  {mem:>9}  {note}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
