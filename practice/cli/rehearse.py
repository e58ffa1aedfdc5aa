"""Rehearse aloud: `practice devices`, `mic-check`, `ask`, `interview` and `config`.

Commands are defined here and attached to the main group by `register(cli)`. Prompts, the level
meter and the question go to stderr; only results go to stdout.
"""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from practice.cli.common import CATEGORY_CHOICE, echo, say

if TYPE_CHECKING:
    from practice.app.follow_ups import FollowUpResult
    from practice.cli.common import Settings
    from practice.core.records import Attempt
    from practice.core.results import Analysis, Question
    from practice.journey.stories import Story
    from practice.speech.capture import Level, Take
    from practice.speech.stream import StreamingTranscriber
    from practice.speech.warmup import ModelLoader

DEFAULT_MAX_SECONDS = 300  # a take ends by itself after five minutes; answers run 1-2 minutes
METER_PERIOD_S = 0.1  # seconds between meter redraws
METER_FLOOR_DBFS = -60.0  # the meter's empty end; its full end is 0 dBFS
METER_WIDTH = 20  # characters
SILENT_WARNING_S = 3.0  # seconds of no input at all before the meter asks about the device


def _err(text: str = "", nl: bool = True) -> None:
    """A line on stderr, fitted to the terminal's width like the views on stdout."""
    say(text, err=True, nl=nl)


def _err_over(text: str, nl: bool = True) -> None:
    """A line on stderr that overwrites the current one (the countdown): our own carriage
    return, the text made printable like every other line."""
    from practice.core.text import printable

    click.echo("\r" + printable(text), err=True, nl=nl)


def _styled(text: str, **style: Any) -> None:
    """A line on stderr in a style, its user text made printable before the style is added."""
    from practice.cli.common import terminal_width
    from practice.core.text import fit, printable

    click.echo(click.style(fit(printable(text), terminal_width()), **style), err=True)


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


def _start_stream(
    home: Path, engine: str, model: str | None, loader: ModelLoader
) -> StreamingTranscriber | None:
    """A transcriber fed while the person speaks (faster-whisper only: openai-whisper is
    three times slower and could not keep up on two cores)."""
    if engine != "faster-whisper":
        return None
    from practice.speech import models
    from practice.speech.stream import StreamingTranscriber
    from practice.speech.transcribe import FILLER_PROMPT

    def prepare() -> tuple[str, Path]:
        loader.join()  # the model is loaded (or failed: resolve says why)
        return models.resolve(home, model, engine)

    from practice.app.rehearse import prepare_judgment_while_speaking

    stream = StreamingTranscriber(prepare, initial_prompt=FILLER_PROMPT)
    prepare_judgment_while_speaking(stream.words_so_far, ended=stream.ended)
    return stream


def _preload_model(home: Path, engine: str, model: str | None) -> ModelLoader:
    """Start loading the model the takes will need; join() the result before analysing.

    The one place ask and interview start the speech engine, so how it is warmed up (or fed
    while the person speaks) can change here alone."""
    import threading

    from practice.speech import warmup

    loader = warmup.start(home, engine, model)  # one worker: the live path decodes one stretch
    # The judgment's parser, embeddings and fitted models load while the question is shown and
    # the person speaks, so the feedback after the take does not wait for them (about 1-2 s).
    threading.Thread(target=_warm_judgment, name="practice-judgment-warmup", daemon=True).start()
    return loader


def _warm_judgment() -> None:
    from practice.app.rehearse import warm_up_judgment
    from practice.core.errors import PracticeError

    try:
        warm_up_judgment()
    except (PracticeError, OSError):
        pass  # the take's own analysis meets the same problem and reports it in one line


# -- helpers ---------------------------------------------------------------------------------


def _show_question(q: Question, heading: str | None = None) -> None:
    _err()
    if heading:
        _styled(heading, dim=True)
    _styled(q.text, bold=True)
    details = []
    if q.category:
        details.append(q.category)
    if q.target_seconds:
        details.append(f"aim for {q.target_seconds[0]}-{q.target_seconds[1]} s")
    if details:
        _styled("(" + ", ".join(details) + ")", dim=True)
    if q.guidance:
        _styled(q.guidance, dim=True)
    _err()


def _choose_question(
    home: Path,
    question_id: str | None,
    question_text: str | None,
    category: str | None,
    retry: str | None,
) -> tuple[Question, Attempt | None]:
    """The question to ask and, for --retry, the attempt it is compared with."""
    from practice.app.rehearse import choose_question

    if retry is not None and (question_id or question_text or category):
        raise click.UsageError(
            "--retry asks the same question again; drop --question, --question-text and --category."
        )
    if question_id and question_text:
        raise click.UsageError("Give --question or --question-text, not both.")
    return choose_question(home, question_id, question_text, category, retry)


def _show_story(story: Story) -> None:
    skills = f" ({', '.join(story.skills)})" if story.skills else ""
    _styled(f'Rehearsing story #{story.id} "{story.title}"{skills}.', bold=True)
    _err(
        "Tell it from memory to the question below: the situation, your task, what you did, "
        "and how it ended."
    )
    if story.quantified_result:
        _styled(f"Land the result: {story.quantified_result}", dim=True)


def _offer_story(home: Path, saved: Analysis, keyboard: _Keyboard | None) -> None:
    """After a well-structured success story: keep it in the story bank (asked), or say how."""
    from practice.app.rehearse import keep_as_story, worth_keeping_as_story

    if not worth_keeping_as_story(saved):
        return
    if keyboard is None:
        _err(
            f"A success story in clear STAR shape: keep it with "
            f"`practice stories add --from {saved.id}`."
        )
        return
    answer = keyboard.ask(
        f"Attempt #{saved.id} tells a success story in clear STAR shape. "
        "Keep it in your story bank? [y/N] "
    )
    if not answer or not answer.startswith("y"):
        return
    kept = keep_as_story(home, saved)
    _err(
        f'Kept as story #{kept.id} "{kept.title}"; `practice stories edit {kept.id}` to polish it.'
    )


def _change_lines(diff: dict[str, Any]) -> list[str]:
    from practice.app.rehearse import COMPARED

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


def _analyse_take(
    take: Take | Path,
    *,
    home: Path,
    question: Question | None,
    job_text: str | None,
    engine: str,
    model: str | None,
    stream: StreamingTranscriber | None = None,
) -> Analysis:
    """The take analysed, what is left of the work shown on stderr while the person waits."""
    from practice.app.rehearse import analyse_take
    from practice.cli.render import waiting_line

    with waiting_line() as show:
        return analyse_take(
            take,
            home=home,
            question=question,
            job_text=job_text,
            engine=engine,
            model=model,
            stream=stream,
            waiting=show,
        )


def _handle_leftovers(
    home: Path,
    takes: Path,
    keyboard: _Keyboard | None,
    as_json: bool,
    job_text: str | None,
    engine: str,
    model: str | None,
) -> None:
    from practice.app import takes as tk
    from practice.app.rehearse import keep
    from practice.cli.render import render_analysis
    from practice.core.errors import PracticeError

    leftovers = tk.leftovers(takes)
    if not leftovers:
        return
    _err(f"{len(leftovers)} unfinished take(s) from an earlier run in {takes}.")
    if keyboard is None or as_json:
        _err(
            "Run `practice ask` without --no-input or --json to analyse them, or "
            "`practice analyze FILE` on each."
        )
        return
    for take in leftovers:
        answer = keyboard.ask(f"Analyse {take.name}? [Y]es, [n]o, [d]elete: ")
        if answer is None or answer.startswith("n"):
            continue
        if answer.startswith("d"):
            tk.delete_leftover(take)
            continue
        question = tk.read_question(take)
        try:
            take = tk.recover(take)
            analysis = _analyse_take(
                take, home=home, question=question, job_text=job_text, engine=engine, model=model
            )
            render_analysis(keep(home, analysis, take))
        except PracticeError as e:
            _err(f"Could not analyse {take.name}: {e}")


# -- commands --------------------------------------------------------------------------------


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def devices(as_json: bool) -> None:
    """List the microphones (input devices); * marks the default."""
    from practice.core.errors import DeviceError
    from practice.speech.capture import list_devices

    found = list_devices()
    if as_json:
        echo(json.dumps([dataclasses.asdict(d) for d in found], indent=2))
        return
    if not found:
        from practice.speech.capture import NO_DEVICES

        raise DeviceError(NO_DEVICES)
    for d in found:
        mark = "*" if d.is_default else " "
        echo(f"{mark} {d.index:>3}  {d.name}  ({d.channels} ch, {d.default_samplerate:.0f} Hz)")
    _err("Choose one with --device INDEX or part of its name.")


@click.command("mic-check")
@click.option("--device", metavar="D", help="Input device index or part of its name.")
@click.option(
    "--seconds",
    type=click.FloatRange(0.5, 30),
    default=3.0,
    show_default=True,
    help="How long to listen.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def mic_check(device: str | None, seconds: float, as_json: bool) -> None:
    """Listen for a few seconds and report level, room noise and clipping.

    Speak as you would in an interview while it listens.
    """
    from practice.speech import capture

    chosen = capture.choose_device(device)
    _err(f'Listening to "{chosen.name}" for {seconds:g} s: say a sentence or two...')
    result = capture.mic_check(seconds, device=chosen)
    if as_json:
        echo(json.dumps(dataclasses.asdict(result), indent=2))
        return
    speech = "-" if result.speech_dbfs is None else f"{result.speech_dbfs:.0f} dBFS"
    echo(f"Device      {result.device}")
    echo(f"Peak        {result.peak_dbfs:.0f} dBFS")
    echo(f"Room noise  {result.noise_floor_dbfs:.0f} dBFS")
    echo(f"Voice       {speech}")
    echo(f"Clipping    {result.clipping_fraction:.2%} of samples")
    echo(result.verdict)


# -- rehearsal settings ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Rules:
    """How takes are recorded and analysed: command-line options over `practice config`."""

    device: str | None
    max_seconds: float
    stop_after_silence: float | None
    prep: int
    engine: str
    model: str | None
    voice: str | None
    speak: bool


def _rules(
    home: Path,
    *,
    device: str | None,
    max_seconds: float | None,
    stop_after_silence: float | None,
    prep: int | None,
) -> _Rules:
    from practice.core import config

    cfg = config.load(home)
    return _Rules(
        device=cfg.pick("device", device),
        max_seconds=cfg.pick("max-seconds", max_seconds),
        stop_after_silence=cfg.pick("stop-after-silence", stop_after_silence),
        prep=cfg.pick("prep", prep),
        engine=cfg["engine"],
        model=cfg["model"],
        voice=cfg["voice"],
        speak=cfg["speak"],
    )


def _take_options(command: Any) -> Any:
    """The options ask and interview share; their defaults come from `practice config`."""
    options = [
        click.option(
            "--device",
            metavar="D",
            help="Input device index or part of its name (see 'practice devices'). "
            "Default: the 'device' setting (env PRACTICE_DEVICE), else the "
            "system's default microphone.",
        ),
        click.option(
            "--max-seconds",
            type=click.FloatRange(min=1),
            help=f"End the take after this many seconds. Default: the 'max-seconds' "
            f"setting, {DEFAULT_MAX_SECONDS}.",
        ),
        click.option(
            "--stop-after-silence",
            type=click.FloatRange(min=0.3),
            metavar="S",
            help="End the take after S seconds of silence once you have spoken. "
            "Default: the 'stop-after-silence' setting, else off.",
        ),
        click.option(
            "--no-input",
            is_flag=True,
            help="Never read the keyboard: a take ends by --max-seconds or "
            "--stop-after-silence, and nothing is asked afterwards.",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout."),
        click.option(
            "--prep",
            type=click.IntRange(0, 120),
            metavar="SECONDS",
            help="Seconds to think before recording starts. Default: the 'prep' setting, 0.",
        ),
        click.option(
            "--speak/--silent",
            default=None,
            help="Read the question aloud before recording starts: the natural Piper voice, "
            "or espeak-ng (say, Windows' voice) as the 'voice' setting chooses. Default: the "
            "'speak' setting, false.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


class _Voice:
    """Reads questions aloud with --speak (or the 'speak' setting); silent otherwise. The
    voice is loaded here, while the speech model loads in its thread; `read` returns once the
    question has been heard, so the microphone opened next never records it. Any problem is
    said once on stderr (journey.speak.Interviewer)."""

    def __init__(self, enabled: bool, choice: str | None) -> None:
        self.reader = None
        if enabled:
            from practice.journey.speak import Interviewer

            self.reader = Interviewer(choice, _err)

    def read(self, question: Question) -> None:
        if self.reader is not None:
            self.reader.read(question.text)


def _speaking(speak: bool | None, rules: _Rules, no_input: bool) -> bool:
    """--speak/--silent over the 'speak' setting; never with --no-input (a script's run)."""
    return (rules.speak if speak is None else speak) and not no_input


def _no_speak_without_input(speak: bool | None, no_input: bool) -> None:
    if speak and no_input:
        raise click.UsageError(
            "--no-input never reads the question aloud; drop --speak or --no-input."
        )


# -- ask -------------------------------------------------------------------------------------


@click.command()
@click.option(
    "--question",
    "question_id",
    metavar="ID",
    help="The bank question to answer (see 'practice questions list').",
)
@click.option("--question-text", metavar="TEXT", help="Answer this question instead.")
@click.option(
    "--category", type=CATEGORY_CHOICE, help="Pick the least-practised question of this kind."
)
@click.option("--job", metavar="FILE", help="A job posting (plain text) to check terms against.")
@_take_options
@click.option(
    "--retry",
    metavar="last|ID",
    help="Ask the question of that attempt again and show what changed.",
)
@click.option(
    "--story",
    "story_id",
    metavar="ID",
    help="Rehearse a kept story (see 'practice stories list') against a question it "
    "fits; the feedback says what the spoken telling left out.",
)
@click.option(
    "--follow-up",
    "follow_up",
    is_flag=True,
    help="After the answer, ask a follow-up about what it left out (the result, your own "
    "part, a number...), record that answer too, and say whether it filled the gap.",
)
@click.pass_obj
def ask(
    settings: Settings,
    question_id: str | None,
    question_text: str | None,
    category: str | None,
    job: str | None,
    device: str | None,
    max_seconds: float | None,
    stop_after_silence: float | None,
    no_input: bool,
    as_json: bool,
    prep: int | None,
    speak: bool | None,
    retry: str | None,
    story_id: str | None,
    follow_up: bool,
) -> None:
    """Ask a question, record your spoken answer, and give feedback.

    \b
    Press Enter to end the answer (or let --stop-after-silence end it).
    Ctrl-C also ends it and keeps what was said. The take is written to
    disk as you speak, so a crash loses at most the last second; the
    next run offers to analyse it. Defaults: 'practice config'.

    \b
    With --story ID you tell one of your kept stories aloud; the question
    is the bank question it fits best (or --question), and the feedback
    compares the telling with the written story: parts dropped, result or
    its number left out.

    \b
    With --follow-up the interviewer asks one follow-up question when the
    answer left something out, and records your answer to it (kept in the
    history, linked to the main answer).
    """
    from practice.app.rehearse import (
        changes,
        discard_attempt,
        keep,
        saved_json,
        story_and_question,
        story_feedback,
    )
    from practice.cli.render import render_analysis
    from practice.core.results import json_default
    from practice.speech import capture

    home, rules, takes, keyboard, job_text = _session(
        settings,
        speak=speak,
        no_input=no_input,
        as_json=as_json,
        job=job,
        device=device,
        max_seconds=max_seconds,
        stop_after_silence=stop_after_silence,
        prep=prep,
    )
    story: Story | None = None
    if story_id is not None:
        if category or retry:
            raise click.UsageError(
                "--story picks its own question; drop --category and --retry "
                "(--question chooses one)."
            )
        if question_id and question_text:
            raise click.UsageError("Give --question or --question-text, not both.")
        story, question = story_and_question(home, story_id, question_id, question_text)
        before = None
    else:
        question, before = _choose_question(home, question_id, question_text, category, retry)
    chosen = capture.choose_device(rules.device)  # a missing microphone fails before any waiting
    loader = _preload_model(home, rules.engine, rules.model)
    voice = _Voice(_speaking(speak, rules, no_input), rules.voice)
    if follow_up:  # a broken wordings file of the user's fails now, not after the answer
        from practice.journey.follow_up import load_bank

        load_bank(home)
    while True:
        if story is not None:
            _err()
            _show_story(story)
        _show_question(question)
        voice.read(question)
        stream = _start_stream(home, rules.engine, rules.model, loader)
        take = _record(takes, question, chosen, keyboard, rules, stream)
        stopped = time.monotonic()  # latency is measured from here to feedback on screen
        loader.join()
        analysis = _analyse_take(
            take,
            home=home,
            question=question,
            job_text=job_text,
            engine=rules.engine,
            model=rules.model,
            stream=stream,
        )
        saved = keep(home, analysis, take, story_id=story.id if story else None)
        followed = None
        if follow_up:
            followed, ended = _ask_follow_up(
                home,
                saved,
                takes=takes,
                device=chosen,
                keyboard=keyboard,
                rules=rules,
                loader=loader,
                voice=voice,
                job_text=job_text,
            )
            stopped = ended or stopped  # the feedback now follows the follow-up's take
        data = saved_json(home, saved) if as_json else saved.to_dict()
        diff = changes(before.analysis, saved) if before is not None else None
        told = story_feedback(story, saved) if story is not None else None
        if as_json:
            if diff is not None:
                data["changes"] = diff
            if story is not None and told is not None:
                data["story"] = {"id": story.id, "title": story.title} | told.to_dict()
            if follow_up:
                data["follow_up"] = _follow_up_json(home, followed)
            data["latency_s"] = round(time.monotonic() - stopped, 3)
            echo(json.dumps(data, indent=2, ensure_ascii=False, default=json_default))
        else:
            render_analysis(saved)
            if diff is not None:
                say("\n".join(_change_lines(diff)))
            if story is not None and told is not None:
                from practice.journey.stories import comparison_lines

                say("\n".join(comparison_lines(story, told)))
        _err(
            f"Saved as attempt #{saved.id} (feedback {time.monotonic() - stopped:.1f} s after "
            f"the take ended). `practice ask --retry last` asks it again."
        )
        if followed is not None and not as_json:
            echo("\n".join(_follow_up_lines(followed)))
        if keyboard is None or as_json:
            if story is None:
                _offer_story(home, saved, None)
            return  # a script reads exactly one JSON document; nothing to ask it
        answer = keyboard.ask("[K]eep, [r]edo (discard and answer again), or [d]iscard? ")
        if answer and answer[0] in "rd":
            discard_attempt(home, saved.id)  # type: ignore[arg-type]
            if followed is not None and followed.attempt is not None:
                discard_attempt(home, followed.attempt.id)  # type: ignore[arg-type]
            _err(f"Attempt #{saved.id} discarded.")
            if answer[0] == "r":
                continue
        elif story is None:
            _offer_story(home, saved, keyboard)
        return


def _session(
    settings: Settings,
    *,
    speak: bool | None,
    no_input: bool,
    as_json: bool,
    job: str | None,
    device: str | None,
    max_seconds: float | None,
    stop_after_silence: float | None,
    prep: int | None,
) -> tuple[Path, _Rules, Path, _Keyboard | None, str | None]:
    """What ask and interview both set up first: (home, rules, takes folder, keyboard or None,
    job posting text); leftover takes from a crash are offered before anything is asked."""
    from practice.cli.common import job_text

    _no_speak_without_input(speak, no_input)
    home = settings.home
    rules = _rules(
        home,
        device=device,
        max_seconds=max_seconds,
        stop_after_silence=stop_after_silence,
        prep=prep,
    )
    from practice.app.takes import takes_dir

    takes = takes_dir(home)
    keyboard = None if no_input else _Keyboard()
    posting = job_text(job)
    _handle_leftovers(home, takes, keyboard, as_json, posting, rules.engine, rules.model)
    return home, rules, takes, keyboard, posting


def _announce_recording(line: str, after_countdown: bool) -> None:
    """The line beginning "Recording" that a person, a script or a test waits for before
    speaking: on a terminal it overwrites the countdown; in a pipe or log it starts its own
    line (no carriage return before it), flushed at once by click.echo."""
    if sys.stderr.isatty():
        _err_over(line + "      ")
        return
    if after_countdown:
        _err()  # ends the countdown's line
    _err(line)


def _record(
    takes: Path,
    question: Question,
    device: Any,
    keyboard: _Keyboard | None,
    rules: _Rules,
    stream: StreamingTranscriber | None = None,
) -> Take:
    from practice.app import takes as tk
    from practice.speech import capture

    path = tk.new_take_path(takes)
    tk.write_question(path, question)
    for left in range(rules.prep, 0, -1):
        # Not "Recording ...": a line beginning so means the microphone is open now.
        _err_over(f"The microphone opens in {left} s...  ", nl=False)
        time.sleep(1)
    stop = threading.Event()
    ends = []
    if keyboard is not None:
        ends.append("press Enter to stop")
        keyboard.arm(stop)
    if rules.stop_after_silence is not None:
        ends.append(f"stops after {rules.stop_after_silence:g} s of silence")
    ends.append(f"at most {_clock(rules.max_seconds)}")
    hint = ", ".join(ends)
    meter = _Meter(question.target_seconds, hint)
    _announce_recording(f'Recording from "{device.name}" ({hint}).', rules.prep > 0)
    try:
        take = capture.record(
            path,
            device=device,
            max_seconds=rules.max_seconds,
            stop_after_silence_s=rules.stop_after_silence,
            stop_event=stop,
            on_level=meter,
            on_block=stream.feed if stream else None,
        )
    finally:
        meter.close()
        if keyboard is not None:
            keyboard.disarm()
    _err(f"Take ended ({take.stopped_by}) after {take.duration_s:.1f} s.")
    if take.overflows:
        _err(
            f"The computer fell behind {take.overflows} time(s) and short gaps are missing "
            "from the take; close other busy programs."
        )
    if take.device_lost:
        _err(
            f'The microphone "{device.name}" stopped sending sound (unplugged?); '
            f"analysing the {take.duration_s:.0f} s captured."
        )
    return take


# -- follow-up questions ---------------------------------------------------------------------


def _ask_follow_up(
    home: Path,
    main: Analysis,
    *,
    takes: Path,
    device: Any,
    keyboard: _Keyboard | None,
    rules: _Rules,
    loader: ModelLoader,
    voice: _Voice,
    job_text: str | None,
    session_id: int | None = None,
) -> tuple[FollowUpResult | None, float | None]:
    """After a kept main answer: the follow-up it calls for, shown (and read aloud with the
    voice on), recorded like any answer and kept linked to it, with the time its take ended
    (time.monotonic()); (None, None) when the answer left nothing worth asking about."""
    from practice.app import follow_ups
    from practice.app.rehearse import keep
    from practice.core.errors import NoSpeechError

    chosen = follow_ups.choose(home, main)
    if chosen is None:
        return None, None
    question = follow_ups.as_question(chosen)
    _show_question(question, heading="Follow-up")
    voice.read(question)
    stream = _start_stream(home, rules.engine, rules.model, loader)
    take = _record(takes, question, device, keyboard, rules, stream)
    ended = time.monotonic()  # the feedback's latency runs from the last take's end
    loader.join()
    try:
        analysis = _analyse_take(
            take,
            home=home,
            question=question,
            job_text=job_text,
            engine=rules.engine,
            model=rules.model,
            stream=stream,
        )
    except NoSpeechError:
        _err("No answer to the follow-up was heard; it is left unanswered.")
        return follow_ups.FollowUpResult(chosen, main.id, None, filled=False), ended
    saved = keep(home, analysis, take, session_id, follow_up_of=main.id)
    filled = follow_ups.judge_pair(main, saved, chosen)
    return follow_ups.FollowUpResult(chosen, main.id, saved, filled=filled), ended


def _follow_up_json(home: Path, result: FollowUpResult | None) -> dict[str, Any] | None:
    """`follow_up` of a main attempt's JSON (null when no follow-up was needed); its
    `attempt` as `history --json` prints it, with `follow_up_of`."""
    from practice.app.rehearse import saved_json

    if result is None:
        return None
    attempt = None if result.attempt is None else saved_json(home, result.attempt)
    return result.to_dict(attempt)


def _follow_up_lines(result: FollowUpResult) -> list[str]:
    """The follow-up part of the feedback: what was asked, why, and whether the answer to it
    supplied what was missing."""
    from practice.journey.follow_up import SUPPLIES

    asked = result.follow_up
    lines = ["", f"Follow-up: {asked.question}", f"  Asked because: {asked.asked_because}"]
    if result.attempt is None:
        lines.append("  Not answered: nothing was heard.")
        return lines
    lines.append(f'  You said: "{result.attempt.transcript.text.strip()}"')
    wanted = SUPPLIES[asked.gap]
    if result.filled:
        lines.append(f"  Filled: your follow-up answer gave {wanted}.")
    else:
        lines.append(f"  Not filled: the follow-up answer still lacked {wanted}.")
    if result.attempt.id is not None:
        saved = f"attempt #{result.attempt.id}, the follow-up of #{result.main_id}"
        lines.append(f"  Saved as {saved}.")
    return lines


def typed_follow_up(home: Path, main: Analysis, answer_file: str | None, as_json: bool) -> None:
    """`score --follow-up`: the follow-up a typed answer calls for and, given the typed
    answer to it, whether that answer filled the gap; nothing is saved."""
    from practice.app import follow_ups
    from practice.cli.common import print_json
    from practice.cli.render import render_analysis
    from practice.core.files import read_text_file
    from practice.judgment import coach

    chosen = follow_ups.choose(home, main)
    result = None
    if chosen is not None:
        answer = None
        if answer_file is not None:
            question = follow_ups.as_question(chosen)
            text = read_text_file(answer_file, "follow-up answer")
            answer = coach.analyze_text(text, question=question, source=answer_file)
        filled = answer is not None and follow_ups.judge_pair(main, answer, chosen)
        result = follow_ups.FollowUpResult(chosen, main.id, answer, filled=filled)
    if as_json:
        print_json(main.to_dict() | {"follow_up": None if result is None else result.to_dict()})
        return
    render_analysis(main)
    if result is None:
        echo("\nNo follow-up: the answer left nothing an interviewer would ask about.")
    elif result.attempt is None:
        echo("\n".join(_follow_up_lines(result)[:3]))
    else:
        echo("\n".join(_follow_up_lines(result)))


# -- interview -------------------------------------------------------------------------------


@click.command()
@click.option(
    "-n",
    "count",
    type=click.IntRange(1, 30),
    default=5,
    show_default=True,
    help="How many questions.",
)
@click.option(
    "--job",
    metavar="FILE",
    help="The job posting (plain text): fit and success-story feedback checks its terms.",
)
@click.option(
    "--category",
    "categories",
    type=CATEGORY_CHOICE,
    multiple=True,
    help="Only this kind of question (repeat for several).",
)
@click.option(
    "--follow-up/--no-follow-up",
    "follow_up",
    default=True,
    show_default=True,
    help="After an answer that left something out, ask one follow-up question about it.",
)
@_take_options
@click.pass_obj
def interview(
    settings: Settings,
    count: int,
    job: str | None,
    categories: tuple[str, ...],
    follow_up: bool,
    device: str | None,
    max_seconds: float | None,
    stop_after_silence: float | None,
    no_input: bool,
    as_json: bool,
    prep: int | None,
    speak: bool | None,
) -> None:
    """A mock interview: N questions in a realistic order, each answered aloud.

    \b
    Background comes first and a closing question last, with fit, success
    stories and red-flag questions between; within a kind, the questions
    you have practised least come first. After each answer a one-line
    verdict; an answer that left something out (the result, your own part,
    a number) gets one follow-up question, answered aloud like the rest
    (--no-follow-up: none). At the end, a summary across the answers.
    Every answer is kept in the history as one session. Ctrl-C ends the
    current answer and keeps it, then asks whether to go on (with
    --no-input it ends the interview). Defaults: 'practice config'.
    """
    from practice.app.rehearse import keep, plan_interview, start_session
    from practice.core.errors import NoSpeechError
    from practice.core.results import json_default
    from practice.journey import interview as mock
    from practice.speech import capture

    home, rules, takes, keyboard, job_text = _session(
        settings,
        speak=speak,
        no_input=no_input,
        as_json=as_json,
        job=job,
        device=device,
        max_seconds=max_seconds,
        stop_after_silence=stop_after_silence,
        prep=prep,
    )
    planned = plan_interview(home, count, categories)
    total = len(planned)
    if total < count:
        _err(f"Only {total} question(s) of those kinds are in the bank; asking {total}.")
    chosen = capture.choose_device(rules.device)  # a missing microphone fails before any waiting
    loader = _preload_model(home, rules.engine, rules.model)  # loads while question 1 is shown
    voice = _Voice(_speaking(speak, rules, no_input), rules.voice)
    if follow_up:  # a broken wordings file of the user's fails now, not after the answer
        from practice.journey.follow_up import load_bank

        load_bank(home)
    note = f"{total} questions" + (f"; job posting {Path(job).name}" if job else "")
    session_id = start_session(home, "interview", note)
    saved: list[Analysis] = []
    followed: dict[int | None, FollowUpResult] = {}  # main attempt id -> its follow-up
    skipped = 0
    interrupted = False
    try:
        for number, question in enumerate(planned, 1):
            _show_question(question, heading=f"Question {number} of {total}")
            voice.read(question)
            stream = _start_stream(home, rules.engine, rules.model, loader)
            take = _record(takes, question, chosen, keyboard, rules, stream)
            loader.join()
            try:
                analysis = _analyse_take(
                    take,
                    home=home,
                    question=question,
                    job_text=job_text,
                    engine=rules.engine,
                    model=rules.model,
                    stream=stream,
                )
            except NoSpeechError:
                skipped += 1
                _err(f"Q{number}/{total}: no speech was heard, so this question is skipped.")
            else:
                kept = keep(home, analysis, take, session_id)
                saved.append(kept)
                # The follow-up comes straight after the answer, as in a real interview: the
                # verdict line below would give away the gap it asks about.
                if follow_up:
                    result, _ = _ask_follow_up(
                        home,
                        kept,
                        takes=takes,
                        device=chosen,
                        keyboard=keyboard,
                        rules=rules,
                        loader=loader,
                        voice=voice,
                        job_text=job_text,
                        session_id=session_id,
                    )
                    if result is not None:
                        followed[kept.id] = result
                        lines = "\n".join(_follow_up_lines(result)[1:])
                        _err(lines) if as_json else echo(lines)
                line = f"{mock.answer_line(number, total, kept)}\n  Saved as attempt #{kept.id}."
                _err(line) if as_json else say(line)
            if number == total:
                break
            if take.stopped_by == "interrupt":
                if keyboard is None:
                    _err("Ctrl-C: the interview ends here; the answers so far are saved.")
                    break
                answer = keyboard.ask(
                    f"Answer ended by Ctrl-C. Go on to question {number + 1} "
                    f"of {total}? [Y]es, [n]o: "
                )
                if answer is None or answer.startswith("n"):
                    break
            elif keyboard is not None:
                answer = keyboard.ask(
                    f"Press Enter for question {number + 1} of {total} (q to stop): "
                )
                if answer is None or answer.startswith("q"):
                    break
    except KeyboardInterrupt:
        # Outside a take (reading aloud, the countdown, analysing): the answers already saved
        # stay; an unanalysed take stays in the takes folder for the next run to offer.
        _err("\nInterrupted: the interview ends here; the answers so far are saved.")
        interrupted = True
    summary = mock.summarize(saved)
    if as_json:
        doc = {
            "session_id": session_id,
            "attempts": [
                a.to_dict()
                | ({"follow_up": _follow_up_json(home, followed.get(a.id))} if follow_up else {})
                for a in saved
            ],
            "summary": summary.to_dict() | {"asked": total, "skipped": skipped},
        }
        echo(json.dumps(doc, indent=2, ensure_ascii=False, default=json_default))
    else:
        echo()
        say("\n".join(mock.summary_lines(summary, total)))
        if saved:
            ids = ", ".join(str(a.id) for a in saved)
            say(f"Each answer in full: practice review ID (attempts {ids}).")
        if not interrupted:
            for kept in saved:
                _offer_story(home, kept, keyboard)
    if interrupted:
        click.get_current_context().exit(130)


# -- config ----------------------------------------------------------------------------------


@click.group("config", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def config_group(ctx: click.Context, as_json: bool) -> None:
    """Defaults for ask and interview, with where each comes from.

    \b
    Settings (in <data home>/config.toml; a PRACTICE_<NAME> environment
    variable overrides the file, a command-line option overrides both):
      device              microphone index or part of its name
      model               speech model name or directory
      engine              faster-whisper or openai-whisper
      voice               piper (natural, the default), espeak, or a system voice
      speak               true: read every question aloud, as --speak does
      prep                seconds to think before recording starts
      stop-after-silence  end a take after this many seconds of silence
      max-seconds         a take ends by itself after this many seconds
    """
    if ctx.invoked_subcommand is not None:
        return
    from practice.core import config

    settings: Settings = ctx.obj
    home = settings.home
    cfg = config.load(home)
    if as_json:
        doc = {
            "path": str(cfg.path),
            "settings": {
                k: {"value": s.value, "source": s.source} for k, s in cfg.settings.items()
            },
        }
        echo(json.dumps(doc, indent=2))
        return
    for name, s in cfg.settings.items():
        shown = "-" if s.value is None else _shown(s.value)
        source = s.source if s.source != "env" else f"env {config.KEYS[name].env}"
        echo(f"{name:<19} {shown:<16} {source}")
    state = "" if cfg.path.exists() else " (not created yet)"
    _err(f"Settings file: {cfg.path}{state}. Change one with 'practice config set KEY VALUE'.")


@config_group.command("set")
@click.argument(
    "key",
    metavar="KEY",
    type=click.Choice(
        [
            "device",
            "model",
            "engine",
            "voice",
            "speak",
            "prep",
            "stop-after-silence",
            "max-seconds",
        ]
    ),
)
@click.argument("value")
@click.pass_obj
def config_set(settings: Settings, key: str, value: str) -> None:
    """Store a default in the settings file."""
    from practice.core import config

    stored = config.set_value(settings.home, key, value)
    path = config.config_path(settings.home)
    echo(f"{key} = {_shown(stored)}  ({path})")
    env = config.KEYS[key].env
    if os.environ.get(env, "").strip():
        _err(f"Note: {env} is set in the environment and overrides the file.")


@config_group.command("unset")
@click.argument("key")
@click.pass_obj
def config_unset(settings: Settings, key: str) -> None:
    """Remove a setting from the file, so its default applies again."""
    from practice.core import config

    if config.unset_value(settings.home, key):
        echo(f"{key} removed from {config.config_path(settings.home)}")
    else:
        _err(f"{key} was not set in {config.config_path(settings.home)}; nothing to do.")


@config_group.command("path")
@click.pass_obj
def config_path(settings: Settings) -> None:
    """Print where the settings file is (it may not exist yet)."""
    from practice.core import config

    echo(str(config.config_path(settings.home)))


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # as the settings file and `config set` write it
    return str(value)


def register(cli: click.Group) -> None:
    """Add `devices`, `mic-check`, `ask`, `interview` and `config` to the `practice` group."""
    for command in (devices, mic_check, ask, interview, config_group):
        cli.add_command(command)
