"""Rehearse aloud: `practice devices`, `practice mic-check` and `practice ask`.

Commands are defined here and attached to the main group by `register(cli)`. Prompts, the level
meter and the question go to stderr; only results go to stdout.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import queue
import shutil
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from practice.capture import Level, Take
    from practice.results import Analysis, Question

CATEGORIES = ["success-story", "fit", "background", "red-flag", "closing"]
TAKES_DIR = ("recordings", "takes")  # under the data home: takes not yet saved to the history
TAKE_PREFIX = "take-"
SIDECAR_SUFFIX = ".question.json"  # the question a take answers, for recovering an orphan
DEFAULT_MAX_SECONDS = 300  # a take ends by itself after five minutes; answers run 1-2 minutes
METER_PERIOD_S = 0.1  # seconds between meter redraws
METER_FLOOR_DBFS = -60.0  # the meter's empty end; its full end is 0 dBFS
METER_WIDTH = 20  # characters
SILENT_WARNING_S = 3.0  # seconds of no input at all before the meter asks about the device
COMPARED = (("overall", "Overall"), ("structure", "Structure"), ("delivery", "Delivery"),
            ("enthusiasm", "Enthusiasm"), ("content", "Content"))


def _err(text: str = "", nl: bool = True) -> None:
    click.echo(text, err=True, nl=nl)


# -- keyboard --------------------------------------------------------------------------------

class _Keyboard:
    """Reads stdin lines on a daemon thread: while a take is armed, a line (Enter) stops it;
    otherwise lines answer prompts. One reader, so no prompt loses a line to a stale thread."""

    def __init__(self) -> None:
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._armed: threading.Event | None = None
        self._lock = threading.Lock()
        threading.Thread(target=self._run, name="stdin", daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                line = sys.stdin.readline()
            except (OSError, ValueError):
                line = ""
            if not line:  # end of input: no more Enter presses will come
                self._lines.put(None)
                return
            with self._lock:
                armed, self._armed = self._armed, None
            if armed is not None:
                armed.set()
            else:
                self._lines.put(line)

    def arm(self, event: threading.Event) -> None:
        """The next Enter sets `event`; lines typed before now are dropped."""
        with self._lock:
            while True:
                try:
                    if self._lines.get_nowait() is None:
                        self._lines.put(None)  # keep the end-of-input mark
                        break
                except queue.Empty:
                    break
            self._armed = event

    def disarm(self) -> None:
        with self._lock:
            self._armed = None

    def ask(self, prompt: str) -> str | None:
        """One answer typed after `prompt` (lower case, stripped), None at end of input."""
        _err(prompt, nl=False)
        line = self._lines.get()
        if line is None:
            self._lines.put(None)
            _err()
            return None
        return line.strip().lower()


# -- live meter ------------------------------------------------------------------------------

def _clock(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 60}:{s % 60:02d}"


class _Meter:
    """Draws the level, elapsed time and target on one stderr line (a terminal), or prints each
    warning once (a log)."""

    def __init__(self, target: tuple[int, int] | None, hint: str) -> None:
        self.tty = sys.stderr.isatty()
        self.target = f" / aim {_clock(target[0])}-{_clock(target[1])}" if target else ""
        self.hint = hint
        self.width = shutil.get_terminal_size((80, 24)).columns - 1
        self._next = 0.0
        self._warned: set[str] = set()

    def __call__(self, level: Level) -> None:
        warning = ""
        if level.silent_for_s >= SILENT_WARNING_S:
            warning = "no sound: is the right microphone chosen? (practice devices)"
        elif level.clipping:
            warning = "too loud: move back or lower the input gain"
        if not self.tty:
            key = warning.split(":")[0]
            if warning and key not in self._warned:
                self._warned.add(key)
                _err(f"Warning at {_clock(level.elapsed_s)}: {warning}")
            return
        if level.elapsed_s < self._next and not warning:
            return
        self._next = level.elapsed_s + METER_PERIOD_S
        share = (level.rms_dbfs - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS
        filled = max(0, min(METER_WIDTH, round(share * METER_WIDTH)))
        bar = "█" * filled + "·" * (METER_WIDTH - filled)
        state = "speaking" if level.speaking else "        "
        tail = f"  ! {warning}" if warning else f"  {self.hint}"
        line = f"● {_clock(level.elapsed_s)}{self.target}  {bar} {state}{tail}"
        sys.stderr.write("\r" + line[: self.width].ljust(self.width))  # one line, never wrapped
        sys.stderr.flush()

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()


# -- model loading in the background ------------------------------------------------------------

class _ModelLoader(threading.Thread):
    """Assembles (first use) and loads the speech model while the question is read and answered,
    so feedback starts as soon as the take ends. The engines keep a loaded model for the life of
    the process, so an interview loads it once. A failure here shows again at analysis."""

    def __init__(self, home: Path, engine: str, model: str | None) -> None:
        super().__init__(name="model-loader", daemon=True)
        self.home = home
        self.engine = engine
        self.model = model

    def run(self) -> None:
        from practice import models

        with contextlib.suppress(Exception):
            _, path = models.resolve(self.home, self.model, self.engine)
            if self.engine == "faster-whisper":
                from practice import engine_faster

                engine_faster.load(path)
            else:
                from practice import engine_openai

                engine_openai.load(path)


def _preload_model(home: Path, engine: str, model: str | None) -> _ModelLoader:
    """Start loading the model the takes will need; join() the result before analysing.

    The one place ask and interview start the speech engine, so how it is warmed up (or fed
    while the person speaks) can change here alone."""
    loader = _ModelLoader(home, engine, model)
    loader.start()
    return loader


# -- helpers ---------------------------------------------------------------------------------

def _takes_dir(home: Path) -> Path:
    from practice.home import ensure_dir

    # One level at a time: ensure_dir makes only the last directory private.
    return ensure_dir(ensure_dir(home / TAKES_DIR[0]) / TAKES_DIR[1])


def _new_take_path(takes: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return takes / f"{TAKE_PREFIX}{stamp}-{os.getpid()}.wav"


def _sidecar(take: Path) -> Path:
    from practice.capture import PARTIAL_SUFFIX

    name = take.name
    stem = name[: -len(PARTIAL_SUFFIX)] if name.endswith(PARTIAL_SUFFIX) else take.stem
    return take.with_name(stem + SIDECAR_SUFFIX)


def _question_from_dict(data: dict[str, Any] | None) -> Question | None:
    from practice.results import Question

    if not data or not data.get("text"):
        return None
    names = {f.name for f in dataclasses.fields(Question)}
    kept = {k: v for k, v in data.items() if k in names}
    if kept.get("target_seconds") is not None:
        kept["target_seconds"] = tuple(kept["target_seconds"])
    if "tags" in kept:
        kept["tags"] = tuple(kept["tags"] or ())
    return Question(**kept)


def _show_question(q: Question) -> None:
    _err()
    _err(click.style(q.text, bold=True))
    details = []
    if q.category:
        details.append(q.category)
    if q.target_seconds:
        details.append(f"aim for {q.target_seconds[0]}-{q.target_seconds[1]} s")
    if details:
        _err(click.style("(" + ", ".join(details) + ")", dim=True))
    if q.guidance:
        _err(click.style(q.guidance, dim=True))
    _err()


def _choose_question(home: Path, question_id: str | None, question_text: str | None,
                     category: str | None, retry: str | None) -> tuple[Question, dict | None]:
    """The question to ask and, for --retry, the attempt it is compared with."""
    from practice import questions
    from practice.cli import _question, _user_bank_dirs
    from practice.errors import InputError
    from practice.store import History

    if retry is not None:
        if question_id or question_text or category:
            raise click.UsageError("--retry asks the same question again; drop --question, "
                                   "--question-text and --category.")
        with History.open(home) as h:
            before = h.get(retry)
        q = _question_from_dict(before.get("question"))
        if q is None:
            raise InputError(
                f"Attempt {before['id']} was analysed without a question, so it cannot be "
                "asked again; give --question ID or --question-text TEXT."
            )
        return q, before
    q = _question(question_id, question_text, category, home)
    if q is not None and q.text:
        return q, None
    bank = questions.load_bank(_user_bank_dirs(home))
    with History.open(home) as h:
        counts = h.count_by_question()
    return questions.pick(bank, category=category, counts=counts), None


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What moved between two attempts' JSON objects: each score, pace and um/uh count as
    [before, after] (None where one of them lacks it)."""
    out: dict[str, Any] = {"compared_with": before.get("id")}
    for key, _ in COMPARED:
        out[key] = [(before.get("scores") or {}).get(key), (after.get("scores") or {}).get(key)]
    for key in ("words_per_minute", "filler_count"):
        old = (before.get("delivery") or {}).get(key)
        new = (after.get("delivery") or {}).get(key)
        out[key] = [None if old is None else round(old, 1), None if new is None else round(new, 1)]
    return out


def _change_lines(diff: dict[str, Any]) -> list[str]:
    names = dict(COMPARED) | {"words_per_minute": "Pace (wpm)", "filler_count": "Um/uh"}
    lines = [f"Compared with attempt #{diff['compared_with']}:"]
    for key, label in names.items():
        old, new = diff[key]
        if old is None or new is None:
            continue
        delta = new - old
        sign = "+" if delta > 0 else ""
        step = f"{sign}{delta:.0f}" if delta else "same"
        lines.append(f"  {label:<11} {old:>5.0f} -> {new:<5.0f} ({step})")
    return lines


# -- analysing a take ------------------------------------------------------------------------

def _analyse_take(take: Take | Path, *, home: Path, question: Question | None,
                  job_text: str | None, engine: str, model: str | None) -> Analysis:
    """A finished take (or a leftover take file) turned into an Analysis, not yet saved.

    Every take->analysis step of ask, interview and leftover recovery goes through here.
    NoSpeechError (and the take discarded) when nothing was said."""
    from practice import audio, coach
    from practice.errors import NoSpeechError
    from practice.render import progress_bar

    audio_file = take if isinstance(take, Path) else take.path
    try:
        recording = dataclasses.replace(audio.load(audio_file), source="microphone")
        with progress_bar("Analysing", enabled=True) as update:
            return coach.analyze_recording(recording, home=home, question=question,
                                           job_text=job_text, engine=engine, model=model,
                                           progress=update)
    except NoSpeechError as e:
        _discard_take(audio_file)
        raise NoSpeechError(
            "No speech was heard in the take; check the microphone with `practice mic-check` "
            "and try again."
        ) from e


def _keep(home: Path, analysis: Analysis, take: Take | Path,
          session_id: int | None = None) -> Analysis:
    """Save an analysed take in the history and remove it from the takes folder."""
    from practice.store import History

    audio_file = take if isinstance(take, Path) else take.path
    with History.open(home) as h:
        saved = h.save(analysis, audio_file, session_id=session_id)
    _discard_take(audio_file)
    return saved


def _discard_take(take: Path) -> None:
    for p in (take, _sidecar(take)):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _leftover_takes(takes: Path) -> list[Path]:
    """Takes a previous run did not finish: killed mid-take (partial files) or stopped before
    its answer was saved."""
    from practice.capture import PARTIAL_SUFFIX, find_orphans

    finished = [p for p in sorted(takes.glob(f"{TAKE_PREFIX}*.wav"))
                if not p.name.endswith(PARTIAL_SUFFIX)]
    return find_orphans(takes) + finished


def _handle_leftovers(home: Path, takes: Path, keyboard: _Keyboard | None, as_json: bool,
                      job_text: str | None, engine: str, model: str | None) -> None:
    from practice import capture
    from practice.errors import PracticeError
    from practice.render import render_analysis

    leftovers = _leftover_takes(takes)
    if not leftovers:
        return
    _err(f"{len(leftovers)} unfinished take(s) from an earlier run in {takes}.")
    if keyboard is None or as_json:
        _err("Run `practice ask` without --no-input or --json to analyse them, or "
             "`practice analyze FILE` on each.")
        return
    for take in leftovers:
        answer = keyboard.ask(f"Analyse {take.name}? [Y]es, [n]o, [d]elete: ")
        if answer is None or answer.startswith("n"):
            continue
        if answer.startswith("d"):
            _discard_take(take)
            if take.name.endswith(capture.PARTIAL_SUFFIX):
                _discard_take(capture.recovered_path(take))
            continue
        question = None
        with contextlib.suppress(OSError, ValueError):
            question = _question_from_dict(json.loads(_sidecar(take).read_text()))
        try:
            if take.name.endswith(capture.PARTIAL_SUFFIX):
                sidecar = _sidecar(take)
                take = capture.recover(take)
                with contextlib.suppress(OSError):
                    sidecar.rename(_sidecar(take))
            analysis = _analyse_take(take, home=home, question=question, job_text=job_text,
                                     engine=engine, model=model)
            render_analysis(_keep(home, analysis, take))
        except PracticeError as e:
            _err(f"Could not analyse {take.name}: {e}")


# -- commands --------------------------------------------------------------------------------

@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def devices(as_json: bool) -> None:
    """List the microphones (input devices); * marks the default."""
    from practice.capture import list_devices
    from practice.errors import DeviceError

    found = list_devices()
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(d) for d in found], indent=2))
        return
    if not found:
        from practice.capture import _NO_DEVICES

        raise DeviceError(_NO_DEVICES)
    for d in found:
        mark = "*" if d.is_default else " "
        click.echo(f"{mark} {d.index:>3}  {d.name}  ({d.channels} ch, "
                   f"{d.default_samplerate:.0f} Hz)")
    _err("Choose one with --device INDEX or part of its name.")


@click.command("mic-check")
@click.option("--device", metavar="D", help="Input device index or part of its name.")
@click.option("--seconds", type=click.FloatRange(0.5, 30), default=3.0, show_default=True,
              help="How long to listen.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def mic_check(device: str | None, seconds: float, as_json: bool) -> None:
    """Listen for a few seconds and report level, room noise and clipping.

    Speak as you would in an interview while it listens.
    """
    from practice import capture

    chosen = capture.choose_device(device)
    _err(f'Listening to "{chosen.name}" for {seconds:g} s: say a sentence or two...')
    result = capture.mic_check(seconds, device=chosen)
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(result), indent=2))
        return
    speech = "-" if result.speech_dbfs is None else f"{result.speech_dbfs:.0f} dBFS"
    click.echo(f"Device      {result.device}")
    click.echo(f"Peak        {result.peak_dbfs:.0f} dBFS")
    click.echo(f"Room noise  {result.noise_floor_dbfs:.0f} dBFS")
    click.echo(f"Voice       {speech}")
    click.echo(f"Clipping    {result.clipping_fraction:.2%} of samples")
    click.echo(result.verdict)


#ASK#

def register(cli: click.Group) -> None:
    """Add `devices`, `mic-check` and `ask` to the `practice` group."""
    for command in (devices, mic_check, ask):
        cli.add_command(command)
