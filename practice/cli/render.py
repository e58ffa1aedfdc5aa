"""Terminal views. Results go to stdout; progress goes to stderr. Colour follows NO_COLOR."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from practice.core.records import Attempt, Session
from practice.core.results import Analysis, Structure

if TYPE_CHECKING:
    from practice.app.rehearse import Waiting

NBSP = "\u00a0"

LABEL_STYLE = {
    "situation": "cyan",
    "task": "blue",
    "action": "green",
    "result": "magenta",
    "other": "dim",
}


def _console(stderr: bool = False):  # noqa: ANN202
    from rich.console import Console

    from practice.cli.common import terminal_width

    # Lines wrap between words at the terminal's width, or COLUMNS (also in a pipe), or 80.
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=terminal_width())


@contextmanager
def progress_bar(label: str, *, enabled: bool = True) -> Iterator[Callable[[float, float], None]]:
    """A bar on stderr fed by (done, total) calls; silent when stderr is not a terminal."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = _console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda done, total: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=1.0)

        def update(done: float, total: float) -> None:
            bar.update(task, completed=done / total if total else 1.0)

        yield update


def waiting_text(w: Waiting) -> str:
    """What the person waiting after a take reads: "Analysing: 2 of 3 parts left"."""
    if not w.parts_left:
        return "Analysing: done."
    left = f"Analysing: {w.parts_left} of {w.parts} part{'s' if w.parts != 1 else ''} left"
    return left + (" (judging the answer)" if w.judging else " (reading your words)")


@contextmanager
def waiting_line() -> Iterator[Callable[[Waiting], None]]:
    """A callback that shows each Waiting on stderr: on a terminal one line, overwritten and
    cleared at the end; elsewhere (a log, a pipe) one plain line each."""
    import sys

    from practice.core.text import printable

    tty = sys.stderr.isatty()
    shown = [0]  # characters on the line now (terminal only)

    def show(w: Waiting) -> None:
        text = printable(waiting_text(w))
        if tty:
            sys.stderr.write("\r" + text.ljust(shown[0]))  # over all of the longer line before
            shown[0] = max(shown[0], len(text))
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    try:
        yield show
    finally:
        if tty and shown[0]:
            sys.stderr.write("\r" + " " * shown[0] + "\r")
            sys.stderr.flush()


def bar(score: int | None, width: int = 20) -> str:
    if score is None:
        return ""
    filled = round(score / 100 * width)
    return "█" * filled + "·" * (width - filled)


def render_analysis(a: Analysis) -> None:
    from practice.cli.common import markup as escape

    c = _console()
    title = a.question.text if a.question and a.question.text else "Answer"
    head = f"[bold]{escape(title)}[/bold]"
    if a.category:
        head += f"  [dim]({a.category})[/dim]"
    c.print(head)
    if a.source:
        dur = f", {a.duration_s:.0f} s" if a.duration_s is not None else ""
        saved = f"  attempt #{a.id}" if a.id is not None else ""
        c.print(f"[dim]{escape(a.source)}{dur}{saved}[/dim]")
    c.print()
    c.print(_transcript_markup(a))
    c.print()
    s = a.scores
    c.print(f"[bold]Overall {s.overall}/100[/bold]")
    for name, dim in (
        ("Structure", s.structure),
        ("Delivery", s.delivery),
        ("Enthusiasm", s.enthusiasm),
        ("Content", s.content),
    ):
        if dim is not None:
            c.print(
                f"  {name:<11}{dim.score:>4}  {bar(dim.score)}  [dim]{escape(dim.reason)}[/dim]"
            )
    if a.delivery:
        d = a.delivery
        c.print()
        c.print(
            f"  Pace {d.words_per_minute:.0f} wpm (articulation {d.articulation_rate_wpm:.0f})"
            f" · {d.pause_count} pauses, {d.long_pause_count} long"
            f" (longest {d.longest_pause_s:.1f} s) · {d.filler_count} um/uh,"
            f" {d.discourse_filler_count} other fillers · {d.hedge_count} hedges"
        )
    if a.prosody and a.prosody.pitch_variation_semitones is not None:
        p = a.prosody
        tone = "monotone" if p.monotone else "varied"
        c.print(f"  Voice: pitch spread {p.pitch_variation_semitones:.1f} semitones ({tone})")
    st = a.structure
    c.print(f"  STAR: {star_markup(st)}")
    if a.tips:
        c.print()
        c.print("[bold]Next time[/bold]")
        for tip in a.tips:
            c.print(f"  • {escape(tip)}")
    c.print()


STAR_PARTS = ("situation", "task", "action", "result")


def star_text(st: Structure) -> str:
    """ "situation, action, result; missing: task · no number in the result": what the colours
    show, in words."""
    present = [k for k in STAR_PARTS if getattr(st, k)]
    missing = [k for k in STAR_PARTS if not getattr(st, k)]
    text = ", ".join(present) if present else "no part found"
    if missing:
        text += "; missing: " + ", ".join(missing)
    quant = "quantified result" if st.result_quantified else "no number in the result"
    return f"{text} · {quant}"


def star_markup(st: Structure) -> str:
    """`star_text` with each present part in its label's colour and the missing ones dimmed."""
    out = star_text(st)
    for k in STAR_PARTS:
        style = LABEL_STYLE[k] if getattr(st, k) else "dim"
        out = out.replace(k, f"[{style}]{k}[/]", 1)
    return out


def _transcript_markup(a: Analysis) -> str:
    """The transcript with fillers marked and sentences coloured by their STAR label."""
    from practice.cli.common import markup as escape

    lines = []
    for s in a.structure.sentences:
        style = LABEL_STYLE.get(s.label, "")
        tag = f"[dim]{s.label[:3].upper()}[/dim] " if s.label != "other" else "    "
        lines.append(f"{tag}[{style}]{escape(s.text)}[/]")
    return "\n".join(lines) if lines else escape(a.transcript.text)


def history_lines(
    rows: Sequence[Attempt], sessions: Mapping[int, Session], width: int
) -> list[str]:
    """`history` as plain lines no wider than `width`, newest first: an interview's answers
    under one heading, each attempt a line of figures and its question wrapped between words."""
    from itertools import groupby

    from practice.cli.common import wrap

    if not rows:
        return wrap("No attempts yet. Analyse one with: practice analyze answer.wav", width)
    lines: list[str] = []
    for session_id, group in groupby(rows, key=lambda r: r.session_id):
        members = list(group)
        indent = ""
        session = sessions.get(session_id) if session_id is not None else None
        if session_id is not None:
            kind = (session.kind if session else None) or "session"
            started = (session.started_at if session else members[-1].created_at)[:16]
            average = sum(r.analysis.scores.overall for r in members) / len(members)
            count = f"{len(members)} answer{'s' if len(members) != 1 else ''}"
            lines += wrap(
                f"{kind.capitalize()} {session_id}, {started.replace('T', ' ')}: {count}, "
                f"average {average:.0f}",
                width,
                hang="  ",
            )
            indent = "  "
        for r in members:
            a = r.analysis
            d = a.delivery
            figures = [
                f"#{r.id}",
                r.created_at[:16].replace("T", " "),
                a.category or "no category",
                f"overall {a.scores.overall}",
            ]
            if d is not None:
                figures += [f"{d.words_per_minute:.0f} wpm", f"{d.filler_count} um/uh"]
            # A figure and its unit stay on one line: the no-break space is not a place to wrap.
            joined = "  ".join(f.replace(" ", NBSP) for f in figures)
            lines += [
                line.replace(NBSP, " ")
                for line in wrap(joined, width, indent=indent, hang=indent + "    ")
            ]
            q = (a.question.text if a.question else None) or a.source or ""
            if q:
                lines += wrap(q, width, indent=indent + "    ")
    return lines


def render_history(rows: Sequence[Attempt], sessions: Mapping[int, Session] | None = None) -> None:
    from practice.cli.common import markup as escape

    c = _console()
    for line in history_lines(rows, sessions or {}, c.width):
        c.print(escape(line))


def render_models(rows: Sequence[Any], catalogue: Sequence[Any]) -> None:
    from rich.table import Table

    c = _console()
    desc = {e.name: e.description for e in catalogue}
    t = Table(box=None, header_style="bold")
    for col in ("model", "engine", "ready", "path"):
        t.add_column(col)
    for r in rows:
        t.add_row(r.name, r.engine, "yes" if r.installed else "on first use", r.path)
    c.print(t)
    for name, d in desc.items():
        c.print(f"[dim]{name}: {d}[/dim]")


def render_questions(bank: Sequence[Any]) -> None:
    from rich.table import Table

    from practice.cli.common import markup as escape

    c = _console()
    t = Table(box=None, header_style="bold")
    for col in ("id", "category", "seconds", "question"):
        t.add_column(col, overflow="fold")
    for q in bank:
        secs = f"{q.target_seconds[0]}-{q.target_seconds[1]}" if q.target_seconds else ""
        t.add_row(escape(q.id), q.category, secs, escape(q.text))
    c.print(t)
    c.print(f"[dim]{len(bank)} questions; 'practice questions show ID' for guidance[/dim]")
