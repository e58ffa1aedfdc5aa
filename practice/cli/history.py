"""Looking back: `review`, `progress`, `report`, `export`, `backup`, `restore`, `rescore`, `fix`
and `delete`. Attached to the main group by `register(cli)`; heavy libraries load inside the
commands so `practice --help` stays instant.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from practice.cli.common import CATEGORY_CHOICE, COUNT, print_json, say
from practice.core.files import open_private
from practice.core.when import local_day, local_minute

if TYPE_CHECKING:
    from rich.console import Console

    from practice.cli.common import Settings
    from practice.cli.render import Line
    from practice.core.records import Attempt
    from practice.history.progress import Progress
    from practice.journey.stories import SpokenComparison, Story

FIX_HEADER = "# Correct the words below, save and close. Lines starting with # are ignored.\n"


def _console() -> Console:
    from rich.console import Console

    from practice.cli.common import terminal_width

    # Lines wrap between words at the terminal's width, or COLUMNS (also in a pipe), or 80.
    return Console(highlight=False, width=terminal_width(), soft_wrap=False)


def _unit(unit: str) -> str:
    """How a unit follows a label: "Pace (wpm)", "Fillers/min"; a share needs none."""
    if not unit or unit == "share":
        return ""
    if unit in ("s", "wpm"):
        return f" ({unit})"
    return unit if unit.startswith("/") else f" {unit}"


def _plain(console: Console) -> bool:
    """Markers instead of colour: NO_COLOR is set, or the output is a pipe or a file."""
    from practice.cli.render import is_plain

    return is_plain(console)


# -- review ---------------------------------------------------------------------------------------


def _change_lines(changes: list[dict[str, Any]], width: int) -> list[Line]:
    """ "  Overall             70 -> 80      better" per measure: the verdict in words (colour
    only repeats it); when that is wider than the terminal, "Overall: 70 -> 80 better" wrapped."""
    from practice.cli.common import wrap
    from practice.cli.render import Line
    from practice.core.text import glue

    out = []
    for c in changes:
        label = c["label"] + _unit(c["unit"])
        digits = 2 if c["unit"] == "share" else (1 if c["metric"] == "fillers_per_minute" else 0)
        before, after = f"{c['before']:.{digits}f}", f"{c['after']:.{digits}f}"
        verdict = c["verdict"]
        text = f"{label:<18} {before:>7} -> {after:<7} {verdict}"
        if len(text) + 2 > width:
            text = f"{label}: " + glue(f"{before} -> {after} {verdict}")
        out += [Line(t, "change") for t in wrap(text, width, indent="  ", hang="    ")]
    return out


def review_lines(
    data: dict[str, Any],
    attempt: Attempt,
    told: tuple[Story, SpokenComparison] | None,
    width: int,
) -> list[Line]:
    """The review of `attempt` as wrapped lines: `data` is its JSON (`history.review.build`),
    `told` what a rehearsal of a kept story left out of it."""
    from practice.cli.common import wrap
    from practice.cli.render import Line, lines_of, score_lines, star_lines, transcript_lines
    from practice.core.text import glue

    a = attempt.analysis
    q = a.question.text if a.question and a.question.text else "Answer"
    out = lines_of(
        wrap(f"#{attempt.id}  {q}" + (f"  ({a.category})" if a.category else ""), width), "head"
    )
    meta = [local_minute(attempt.created_at)]
    if a.source:
        meta.append(Path(a.source).name)
    if data["duration_s"]:
        meta.append(f"{data['duration_s']:.0f} s")
    out += lines_of(wrap(" · ".join(glue(m) for m in meta), width), "dim")
    out.append(Line(""))
    out += lines_of(
        wrap(
            "Transcript  [um] filler · {hedge} hedge · [pause 2.3s] long pause".replace(
                "[pause 2.3s]", glue("[pause 2.3s]")
            ),
            width,
            hang="  ",
        ),
        "marked",
    )
    out += lines_of(transcript_lines(a, width), "marked")
    # What the sentence tags show, and what they cannot: a part no sentence has is named.
    out += star_lines(a.structure, width)
    out.append(Line(""))
    out.append(Line(f"Overall {a.scores.overall}/100", "head"))
    for dim in ("structure", "delivery", "enthusiasm", "content"):
        d = getattr(a.scores, dim)
        if d is not None:
            out += lines_of(score_lines(dim.capitalize(), d.score, d.reason, d.tip, width))
    dl = a.delivery
    if dl is not None:
        out.append(Line(""))
        pace = " · ".join(
            glue(x)
            for x in (
                f"Pace {dl.words_per_minute:.0f} wpm",
                f"{dl.filler_count} um/uh, {dl.discourse_filler_count} other fillers "
                f"({dl.fillers_per_minute:.1f}/min)",
                f"{dl.hedge_count} hedges",
                f"{dl.long_pause_count} long pauses (longest {dl.longest_pause_s:.1f} s)",
            )
        )
        out += lines_of(wrap(pace, width, indent="  ", hang="    "))
    out.append(Line(""))
    prev = data["previous"]
    if prev:
        out += lines_of(
            wrap(
                f"Compared with your previous try (#{prev['id']}, {local_day(prev['created_at'])})",
                width,
            ),
            "head",
        )
        out += _change_lines(prev["changes"], width)
    else:
        out += lines_of(
            wrap("First attempt at this question: nothing to compare yet.", width), "dim"
        )
    if told is not None:
        from practice.journey.stories import comparison_lines

        first, *rest = comparison_lines(*told)
        out += lines_of(wrap(first, width), "head")
        for line in rest:
            out += lines_of(wrap(line, width, hang="    "))
    best = data["best"]
    if best and best["is_this"] and best["attempts"] > 1:
        out += lines_of(
            wrap(
                f"Personal best: this is your best at this question "
                f"({best['overall']}/100 over {best['attempts']} attempts).",
                width,
            )
        )
    elif best and not best["is_this"]:
        out += lines_of(
            wrap(
                f"Compared with your best at this question (#{best['id']}, "
                f"{best['overall']}/100, of {best['attempts']} attempts)",
                width,
            ),
            "head",
        )
        out += _change_lines(best["changes"], width)
    return out


def render_review(
    data: dict[str, Any],
    attempt: Attempt,
    told: tuple[Story, SpokenComparison] | None,
    console: Console,
) -> None:
    """`data` is the review's JSON (`history.review.build`) of `attempt`; `told` what a
    rehearsal of a kept story left out of it."""
    from practice.cli.render import print_lines

    print_lines(review_lines(data, attempt, told, console.width), console, plain=_plain(console))


def _story_comparison(home: Path, attempt: Attempt) -> tuple[Story, SpokenComparison] | None:
    """For a rehearsal of a kept story (`ask --story`): the story and what the telling left out
    of it."""
    from practice.core.errors import StoreError
    from practice.journey.stories import StoryBank, compare_spoken

    if attempt.story_id is None:
        return None
    try:
        with StoryBank.open(home) as bank:
            story = bank.get(attempt.story_id)
    except StoreError:
        return None  # the story was deleted since; the attempt stands on its own
    return story, compare_spoken(story, attempt.analysis)


@click.command()
@click.argument("attempt", default="last", metavar="[ID|last]")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.option("--play", is_flag=True, help="Replay the recording after the review.")
@click.option(
    "--from",
    "from_s",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="With --play: start this many seconds in.",
)
@click.option(
    "--from-word",
    metavar="WORD",
    help="With --play: start at the first place this word (or phrase) is said.",
)
@click.pass_obj
def review(
    settings: Settings,
    attempt: str,
    as_json: bool,
    play: bool,
    from_s: float | None,
    from_word: str | None,
) -> None:
    """Look back at one attempt: marked transcript, reasons, tips, comparisons.

    \b
    Fillers, hedges and long pauses are marked in the transcript (in colour
    in a terminal; as [um], {maybe}, [pause 2.3s] when piped or NO_COLOR),
    each sentence carries its STAR label, and the scores are compared with
    your previous try and your best at the same question.
    """
    from practice.history import review as rv

    if (from_s is not None or from_word) and not play:
        raise click.UsageError("--from and --from-word go with --play.")
    if from_s is not None and from_word:
        raise click.UsageError("Give --from or --from-word, not both.")
    if from_s is not None and not math.isfinite(from_s):
        from practice.core.errors import InputError

        raise InputError(f"--from {from_s:g} is not a number of seconds; give e.g. --from 12.5.")
    loaded = rv.load(settings.home, attempt)
    chosen = loaded.attempt
    data = rv.build(chosen, previous=loaded.previous, same_question=loaded.same_question)
    told = _story_comparison(settings.home, chosen)
    data["story"] = (
        None if told is None else ({"id": told[0].id, "title": told[0].title} | told[1].to_dict())
    )
    if as_json:
        print_json(data)
    else:
        render_review(data, chosen, told, _console())
    if play:
        start = rv.word_start(chosen.analysis, from_word) if from_word else (from_s or 0.0)
        say(f"Playing attempt #{chosen.id} from {start:.1f} s (Ctrl-C stops)...", err=True)
        rv.play(chosen.audio_path, start_s=start)


# -- progress -------------------------------------------------------------------------------------


TREND_COLOUR = {"improving": "green", "slipping": "red"}


def _coloured(line: str, words: dict[str, str], plain: bool) -> str:
    """A wrapped line of plain text, escaped for rich, with `words` given their colour (the
    word itself stays: colour only repeats what the text says)."""
    from practice.cli.common import markup as escape

    out = escape(line)
    if not plain:
        for word, colour in words.items():
            out = out.replace(word, f"[{colour}]{word}[/]")
    return out


def progress_lines(prog: Progress, width: int) -> list[str]:
    """The text view of `prog` as plain lines, none longer than `width` (but for a single word
    longer than a line), wrapped between words."""
    from practice.cli.common import wrap
    from practice.history.progress import short_date, sparkline

    if prog.attempts == 0:
        return wrap("No attempts yet. Analyse one with: practice analyze answer.wav", width)
    scope = prog.category or "all categories"
    span = ""
    if prog.first_date and prog.last_date:
        first, last = short_date(prog.first_date), short_date(prog.last_date)
        span = f", {first}" if first == last else f", {first} to {last}"
    lines = wrap(f"Progress over {prog.attempts} attempts ({scope}){span}", width)
    n = prog.metric("overall").window
    lines += wrap(
        f"first -> last: the average of your first {n} and of your last {n} answers "
        "(of each measure's answers; fewer when there are few).",
        width,
    )
    spark_width = max(1, min(30, width - 4))
    for m in prog.metrics:
        if not m.points or m.first is None or m.recent is None:
            continue
        measure = m.measure
        d = measure.digits
        unit = _unit(m.unit)
        lines.append("")
        head = f"{m.label}{unit}: {m.first:.{d}f} -> {m.recent:.{d}f}, {m.trend}"
        if m.window != n:
            head += f" (averages of {m.window})"
        lines += wrap(head, width)
        details = []
        if m.best is not None:
            details.append(
                f"best {m.best.value:.{d}f} on {short_date(m.best.date)} "
                f"(#{m.best.id}, {measure.best_means})"
            )
        if measure.target is not None:
            details.append(f"target {measure.target.text(measure.unit)} ({measure.target.source})")
        if details:
            lines += wrap("; ".join(details), width, indent="  ")
        lines += wrap(sparkline(m.values, width=spark_width), width, indent="  ")
    if prog.by_category and prog.category is None:
        lines += ["", "By category (overall score)"]
        for name, c in prog.by_category.items():
            days = [d.smoothed for d in c.trend]
            lines += wrap(
                f"{name}: {c.attempts} answer{'s' if c.attempts != 1 else ''}; first "
                f"{c.first.value:.0f}, best {c.best.value:.0f} "
                f"on {short_date(c.best.date)}, latest {c.latest.value:.0f}, average "
                f"{c.average:.0f}; {c.direction}",
                width,
                indent="  ",
                hang="    ",
            )
            if len(days) > 1:
                lines += wrap(
                    f"{sparkline(days, width=spark_width)} by day, averaged over a week",
                    width,
                    indent="    ",
                )
    retried = [q for q in (prog.by_question or {}).values() if q.attempts > 1]
    stories = list((prog.by_story or {}).values())
    for title, items in (("Questions you retried", retried), ("Stories you rehearsed", stories)):
        if not items:
            continue
        lines += ["", title]
        for q in items:
            lines += wrap(q.text, width, indent="  ")
            lines += wrap(
                f"{q.attempts} tries: first {q.first.value:.0f}, best {q.best.value:.0f} on "
                f"{short_date(q.best.date)}, latest {q.latest.value:.0f}",
                width,
                indent="    ",
            )
    if prog.wins:
        lines += ["", "Wins"]
        for w in prog.wins:
            lines += wrap(w[0].upper() + w[1:] + ".", width, indent="  + ", hang="    ")
    if prog.weak_spots:
        lines += ["", "Recurring weak spots"]
        for s in prog.weak_spots:
            lines += wrap(f"{s.text} ({s.detail})", width, indent="  - ", hang="    ")
            lines += wrap(s.tip, width, indent="    ")
    return lines


def render_progress(prog: Progress, console: Console) -> None:
    plain = _plain(console)
    words = dict(TREND_COLOUR) | {"fading": "green", "not fading yet": "red"}
    heads = {"Wins", "Recurring weak spots", "By category (overall score)"}
    heads |= {"Questions you retried", "Stories you rehearsed"}
    for i, line in enumerate(progress_lines(prog, console.width)):
        text = _coloured(line, words, plain)
        if not plain and (i == 0 or line in heads):
            text = f"[bold]{text}[/bold]"
        console.print(text, soft_wrap=True)


@click.command()
@click.option("--category", type=CATEGORY_CHOICE, help="Only this kind of question.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.option(
    "--plot",
    "plot_file",
    metavar="FILE.png",
    type=click.Path(dir_okay=False),
    help="Also draw the trends into a PNG chart.",
)
@click.pass_obj
def progress(
    settings: Settings, category: str | None, as_json: bool, plot_file: str | None
) -> None:
    """How your answers are changing: first vs recent, trend, bests, wins, weak spots.

    Covers the overall score and each dimension, words per minute, fillers
    per minute, long pauses and length; STAR completeness and results with a
    number over success stories; each category and each retried question.
    """
    from practice.history import progress as pg

    prog = pg.load(settings.home, category=category)
    if plot_file:
        from practice.history import charts

        charts.write_png(prog, Path(plot_file))
        say(f"Chart written to {plot_file}", err=True)
    if as_json:
        print_json(prog.to_dict())
    else:
        render_progress(prog, _console())


# -- report ---------------------------------------------------------------------------------------


@click.command()
@click.option(
    "--html",
    "html_file",
    required=True,
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Where to write the HTML report.",
)
@click.argument("ids", nargs=-1, metavar="[ID...]")
@click.option("--last", "last_n", type=COUNT, metavar="N", help="The last N attempts.")
@click.option("--since", metavar="DATE", help="Attempts on or after DATE (YYYY-MM-DD).")
@click.pass_obj
def report(
    settings: Settings, html_file: str, ids: tuple[str, ...], last_n: int | None, since: str | None
) -> None:
    """Write one self-contained HTML report: audio, transcripts, scores, charts.

    \b
    The file needs no network and no other file: open it in any browser, or
    send it to a coach. The transcript follows the audio as it plays; click
    a word to play from there. Without ID, --last or --since: every attempt.
    """
    from practice.history import report as rp
    from practice.history.store import History

    if sum(bool(x) for x in (ids, last_n, since)) > 1:
        raise click.UsageError("Choose attempts by ID..., --last N or --since DATE: one of them.")
    with History.open(settings.home) as h:
        everything = h.list()
        if ids:
            chosen = [h.get(i) for i in ids]
        elif last_n:
            chosen = h.list(limit=last_n)
        elif since:
            chosen = h.list(since=since)
        else:
            chosen = everything
        sessions = h.sessions()
    page = rp.build_html(chosen, all_rows=everything, sessions=sessions)
    out = Path(html_file)
    try:
        with open_private(out, "w", encoding="utf-8") as f:
            f.write(page.html)
    except OSError as e:
        from practice.core.errors import InputError

        raise InputError(f"Cannot write {out}: {e.strerror or e}; check the folder.") from e
    size = out.stat().st_size
    audio = ""
    if page.audio_seconds:
        audio = (
            f"; audio {page.audio_seconds / 60:.1f} min at "
            f"{page.audio_bytes_per_minute / 1024:.0f} KiB per minute"
        )
    say(f"Report of {page.attempts} attempts written to {out} ({size / 1024:.0f} KiB{audio}).")


# -- export, backup, restore ----------------------------------------------------------------------


@click.command()
@click.argument("attempt", required=False, metavar="[ID]")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default="json",
    show_default=True,
    help="For the whole history: CSV (one row per attempt) or JSON.",
)
@click.option(
    "--out",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Write to FILE instead of standard output.",
)
@click.option(
    "--bundle",
    metavar="FILE.zip",
    type=click.Path(dir_okay=False),
    help="With ID: a zip of that attempt's JSON, audio and HTML page for a coach.",
)
@click.pass_obj
def export(
    settings: Settings, attempt: str | None, fmt: str, out: str | None, bundle: str | None
) -> None:
    """Export the whole history (CSV or JSON), or one attempt as a zip.

    \b
    practice export --format csv --out history.csv
    practice export 12 --bundle attempt-12.zip
    """
    from practice.history import report as rp
    from practice.history.store import History

    if attempt is not None and not bundle:
        raise click.UsageError("With an attempt ID give --bundle FILE.zip.")
    if bundle and attempt is None:
        raise click.UsageError(
            "--bundle needs the attempt ID, e.g. 'practice export 12 --bundle attempt.zip'."
        )
    from practice.history.review import question_of

    with History.open(settings.home) as h:
        if bundle:
            chosen = h.get(attempt)  # type: ignore[arg-type]
            question = question_of(chosen.analysis)
            same = h.attempts_at(question) if question and (question.id or question.text) else []
            prev = h.previous(question, before_id=chosen.id) if question and same else None
        else:
            rows = h.list()
    if bundle:
        path = rp.write_bundle(chosen, Path(bundle), same_question=same, previous=prev)
        say(f"Attempt #{chosen.id} bundled into {path} ({path.stat().st_size / 1024:.0f} KiB).")
        return
    try:
        stream = open_private(out, "w", encoding="utf-8", newline="") if out else sys.stdout
    except OSError as e:
        from practice.core.errors import InputError

        raise InputError(f"Cannot write {out}: {e.strerror or e}; check the folder.") from e
    try:
        if fmt == "csv":
            count = rp.write_csv(rows, stream)
        else:
            data = rp.json_export(rows)
            from practice.core.results import json_default

            stream.write(json.dumps(data, indent=2, ensure_ascii=False, default=json_default))
            stream.write("\n")
            count = len(data)
    finally:
        if out:
            stream.close()
    if out:
        say(f"{count} attempts exported to {out}.", err=True)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_obj
def backup(settings: Settings, file: str) -> None:
    """Save the history and its recordings into one zip FILE."""
    from practice.history.store import History

    with History.open(settings.home) as h:
        s = h.backup(Path(file))
    missing = (
        f" ({s.missing_recordings} recordings were already missing)" if s.missing_recordings else ""
    )
    say(
        f"Backed up {s.attempts} attempts and {s.recordings} recordings to {s.path} "
        f"({s.bytes / 1024:.0f} KiB){missing}."
    )


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a history that already holds attempts.")
@click.pass_obj
def restore(settings: Settings, file: str, force: bool) -> None:
    """Restore a backup zip made by 'practice backup' (checked before use)."""
    from practice.history.store import History

    with History.open(settings.home) as h:
        s = h.restore(Path(file), force=force)
    say(f"Restored {s.attempts} attempts and {s.recordings} recordings from {s.path}.")


# -- rescore, fix, delete -------------------------------------------------------------------------


@click.command()
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Rescore every attempt, not only those from an older analyser.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
@click.pass_obj
def rescore(settings: Settings, everything: bool, as_json: bool) -> None:
    """Re-run today's analysers on stored attempts (ids stay the same).

    Attempts scored by an older analyser version are rescored; --all does
    every attempt. The saved audio is used when it is still there, else the
    words alone (a text-only score, with no delivery).
    """
    from practice.app.rescore import rescore as run

    report = run(settings.home, everything=everything)
    if as_json:
        print_json(report.to_dict())
        return
    for line in report.failures:
        say(f"Could not rescore {line}", err=True)
    say(
        f"Rescored {report.rescored} of {report.checked} attempts "
        f"({report.with_audio} with audio, {report.text_only} from the words only); "
        f"{report.up_to_date} already up to date, {report.failed} failed."
    )


@click.command()
@click.argument("attempt", metavar="ID")
@click.pass_obj
def fix(settings: Settings, attempt: str) -> None:
    """Correct an attempt's transcript in $EDITOR, then rescore it.

    Corrected words keep the timings of the words they replace, so pace and
    pauses stay measured from the recording.
    """
    from practice.core.errors import InputError
    from practice.history import review as rv
    from practice.history.store import History

    with History.open(settings.home) as h:
        chosen = h.get(attempt)
        old_text = chosen.analysis.transcript.text
        edited = click.edit(FIX_HEADER + old_text + "\n", extension=".txt")
        if edited is None:
            say("No change: the transcript was not saved.")
            return
        text = " ".join(line for line in edited.splitlines() if not line.startswith("#"))
        if " ".join(text.split()) == " ".join(old_text.split()):
            say("No change to the transcript.")
            return
        if not text.strip():
            raise InputError("The corrected transcript is empty; nothing was changed.")
        transcript = rv.corrected_transcript(chosen.analysis, text)
        analysis, _ = rv.rejudge(chosen, transcript=transcript)
        saved = h.update_payload(chosen.id, analysis)
    before = chosen.analysis.scores.overall
    say(f"Attempt #{saved.id} corrected and rescored: overall {before} -> {saved.scores.overall}.")


@click.command()
@click.argument("attempt", metavar="ID")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def delete(settings: Settings, attempt: str, yes: bool) -> None:
    """Delete an attempt and its recording (its number is never reused)."""
    from practice.history.store import History

    with History.open(settings.home) as h:
        if yes:  # without reading the analysis: a damaged attempt can be deleted too
            number = h.delete(attempt)
        else:
            chosen = h.get(attempt)
            a = chosen.analysis
            q = (a.question.text if a.question else None) or a.source or "answer"
            click.confirm(
                f"Delete attempt #{chosen.id} ({q[:60]}, "
                f"{local_day(chosen.created_at)}) and its recording?",
                abort=True,
                err=True,
            )
            number = h.delete(chosen.id)
    say(f"Attempt #{number} deleted.")


def register(cli: click.Group) -> None:
    """Add the history commands to the `practice` group."""
    for command in (review, progress, report, export, backup, restore, rescore, fix, delete):
        cli.add_command(command)
