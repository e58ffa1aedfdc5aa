"""Terminal views. Results go to stdout; progress goes to stderr. Colour follows NO_COLOR."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from practice.core.records import Attempt, Session
from practice.core.results import Analysis, Structure
from practice.core.text import glue
from practice.core.text import wrap as wrap_text
from practice.history.review import STAR_PARTS, star_text

if TYPE_CHECKING:
    from practice.app.rehearse import Waiting


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


# -- lines, and the colour that only repeats them -----------------------------------------------

STAR_TAGS = {"situation": "SIT", "task": "TAS", "action": "ACT", "result": "RES"}
# What colour picks out in a view's lines. Each state is already in the words ([um] a filler,
# {maybe} a hedge, [pause 2.3s] a long pause, a STAR tag, "better"/"worse", "missing"): colour
# repeats it for the eye, so NO_COLOR and a pipe lose nothing.
MARKS: tuple[tuple[str, str], ...] = (
    (r"\[pause [\d.]+s\]", "magenta dim"),
    (r"\[[^\]\s]+\]", "bold red"),
    (r"\{[^}]+\}", "yellow italic underline"),
    *((rf"(?<=^  ){tag}(?= )", LABEL_STYLE[part]) for part, tag in STAR_TAGS.items()),
)
VERDICTS: tuple[tuple[str, str], ...] = (
    (r"\bbetter$", "green"),
    (r"\bworse$", "red"),
    (r"\bsame$", "dim"),
)


@dataclass(frozen=True)
class Line:
    """One printed line of a text view, already wrapped; `kind` says how colour shows it:
    "head" (bold), "dim", "marked" (a transcript: MARKS), "change" (VERDICTS), "star" (the
    STAR parts), "" (plain)."""

    text: str
    kind: str = ""


def lines_of(texts: Sequence[str], kind: str = "") -> list[Line]:
    return [Line(t, kind) for t in texts]


def paint(text: str, rules: Sequence[tuple[str, str]]) -> str:
    """`text` escaped for rich, each span a rule's pattern matches given the rule's style."""
    from practice.cli.common import markup as escape

    if not rules:
        return escape(text)
    pattern = re.compile("|".join(f"(?P<r{i}>{p})" for i, (p, _) in enumerate(rules)))
    out, at = [], 0
    for m in pattern.finditer(text):
        style = rules[int(str(m.lastgroup)[1:])][1]
        out += [escape(text[at : m.start()]), f"[{style}]{escape(m.group())}[/]"]
        at = m.end()
    return "".join(out) + escape(text[at:])


def _star_rules(line: str, *, after_missing: bool = False) -> list[tuple[str, str]]:
    """The present STAR parts in their label's colour, the missing ones (after "missing:", on
    this line or, `after_missing`, on a line before it) dimmed."""
    cut = 0 if after_missing else line.find("missing:")
    rules = []
    for part in STAR_PARTS:
        at = line.find(part)
        if at >= 0:
            missing = 0 <= cut < at or (after_missing and cut == 0)
            # Not the "result" of "quantified result" or "no number in the result".
            pattern = rf"(?<!quantified )(?<!the )\b{part}\b"
            rules.append((pattern, "dim" if missing else LABEL_STYLE[part]))
    return rules


def print_lines(lines: Sequence[Line], console: Any, *, plain: bool) -> None:
    """Print wrapped lines as they are (rich wraps nothing more: a path longer than the line
    stays whole); in colour, each kind's states painted, never anything the text does not
    already say."""
    from practice.cli.common import markup as escape

    after_missing = False  # a STAR line wrapped after "missing:" goes on naming missing parts
    for line in lines:
        if line.kind == "star":
            starts = "STAR:" in line.text
            rules = _star_rules(line.text, after_missing=after_missing and not starts)
            after_missing = (after_missing and not starts) or "missing:" in line.text
        if plain or not line.kind:
            text = escape(line.text)
        elif line.kind in ("head", "dim"):
            style = "bold" if line.kind == "head" else "dim"
            text = f"[{style}]{escape(line.text)}[/{style}]" if line.text else ""
        elif line.kind == "marked":
            text = paint(line.text, MARKS)
        elif line.kind == "change":
            text = paint(line.text, VERDICTS)
        else:  # "star"
            text = paint(line.text, rules)
        console.print(text, soft_wrap=True)


def is_plain(console: Any) -> bool:
    """Markers instead of colour: NO_COLOR is set, or the output is a pipe or a file."""
    return bool(console.no_color or console.color_system is None)


def score_lines(name: str, score: int, reason: str, tip: str | None, width: int) -> list[str]:
    """ "  Structure    80  ████████····  The story has no situation." and its tip, wrapped: the
    reason beside the bar when a line has room for it, under it when not."""
    from practice.cli.common import wrap

    bar_width = 20 if width >= 60 else 10
    head = f"  {name:<11}{score:>4}  {bar(score, bar_width)}"
    beside = len(head) + 2
    hang = " " * beside if width - beside >= 30 else "    "
    out = wrap(f"{glue(head)}  {reason}" if reason else head, width, hang=hang)
    if tip:
        out += wrap(f"Tip: {tip}", width, indent=hang)
    return out


def transcript_lines(a: Analysis, width: int) -> list[str]:
    """The transcript sentence by sentence, each after its STAR tag, fillers, hedges and long
    pauses marked ([um], {maybe}, [pause 2.3s]), wrapped under the sentence's start."""
    from practice.cli.common import wrap
    from practice.history.review import marked_sentences

    out = []
    for s in marked_sentences(a):
        tag = STAR_TAGS.get(s.label, "   ")
        body = " ".join(glue(t.marked()) for t in s.tokens) or s.text
        out += wrap(f"{tag}  {body}", width, indent="  ", hang="       ")
    return out


def delivery_text(a: Analysis) -> str | None:
    d = a.delivery
    if d is None:
        return None
    return " · ".join(
        glue(x)
        for x in (
            f"Pace {d.words_per_minute:.0f} wpm (articulation {d.articulation_rate_wpm:.0f})",
            f"{d.pause_count} pauses, {d.long_pause_count} long "
            f"(longest {d.longest_pause_s:.1f} s)",
            f"{d.filler_count} um/uh, {d.discourse_filler_count} other fillers "
            f"({d.fillers_per_minute:.1f}/min)",
            f"{d.hedge_count} hedges",
        )
    )


def analysis_lines(a: Analysis, width: int) -> list[Line]:
    """The feedback on one answer (analyze, score, ask) as wrapped lines."""
    from practice.cli.common import wrap

    title = a.question.text if a.question and a.question.text else "Answer"
    head = title + (f"  ({a.category})" if a.category else "")
    out = lines_of(wrap(head, width), "head")
    if a.source:
        dur = f", {a.duration_s:.0f} s" if a.duration_s is not None else ""
        saved = f"  attempt #{a.id}" if a.id is not None else ""
        out += lines_of(wrap(f"{a.source}{dur}{saved}", width), "dim")
    out.append(Line(""))
    out += lines_of(transcript_lines(a, width), "marked")
    out.append(Line(""))
    s = a.scores
    out.append(Line(f"Overall {s.overall}/100", "head"))
    for name, dim in (
        ("Structure", s.structure),
        ("Delivery", s.delivery),
        ("Enthusiasm", s.enthusiasm),
        ("Content", s.content),
    ):
        if dim is not None:
            out += lines_of(score_lines(name, dim.score, dim.reason, None, width))
    out.append(Line(""))
    if (pace := delivery_text(a)) is not None:
        out += lines_of(wrap(pace, width, indent="  ", hang="    "))
    if a.prosody and a.prosody.pitch_variation_semitones is not None:
        p = a.prosody
        tone = "monotone" if p.monotone else "varied"
        out += lines_of(
            wrap(
                f"Voice: pitch spread {p.pitch_variation_semitones:.1f} semitones ({tone})",
                width,
                indent="  ",
                hang="    ",
            )
        )
    out += star_lines(a.structure, width)
    if a.tips:
        out += [Line(""), Line("Next time", "head")]
        for tip in a.tips:
            out += lines_of(wrap(tip, width, indent="  • ", hang="    "))
    out.append(Line(""))
    return out


def render_analysis(a: Analysis) -> None:
    c = _console()
    print_lines(analysis_lines(a, c.width), c, plain=is_plain(c))


def star_lines(st: Structure, width: int) -> list[Line]:
    """ "STAR: action, result; missing: situation, task · quantified result", wrapped; the last
    phrase kept on one line, so its "result" is never read as a part of the list."""
    parts, _, quant = star_text(st).rpartition(" · ")
    text = f"STAR: {parts} · {glue(quant)}"
    return lines_of(wrap_text(text, width, indent="  ", hang="    "), "star")


def star_markup(st: Structure) -> str:
    """`star_text` with each present part in its label's colour and the missing ones dimmed."""
    text = star_text(st)
    return paint(text, _star_rules(text))


def history_lines(
    rows: Sequence[Attempt], sessions: Mapping[int, Session], width: int
) -> list[str]:
    """`history` as plain lines no wider than `width`, newest first: an interview's answers
    under one heading, each attempt a line of figures and its question wrapped between words."""
    from practice.cli.common import wrap
    from practice.core.when import local_minute
    from practice.history.sessions import grouped

    if not rows:
        return wrap("No attempts yet. Analyse one with: practice analyze answer.wav", width)
    lines: list[str] = []
    for group in grouped(rows, sessions):
        members = group.attempts
        indent = ""
        if group.heading is not None:
            lines += wrap(group.heading, width, hang="  ")
            indent = "  "
        for r in members:
            a = r.analysis
            d = a.delivery
            figures = [
                f"#{r.id}",
                local_minute(r.created_at),
                a.category or "no category",
                f"overall {a.scores.overall}",
            ]
            if r.follow_up_of is not None:
                figures.insert(1, f"follow-up of #{r.follow_up_of}")
            if d is not None:
                figures += [f"{d.words_per_minute:.0f} wpm", f"{d.filler_count} um/uh"]
            # A figure and its unit stay on one line: glued, they are not a place to wrap.
            joined = "  ".join(glue(f) for f in figures)
            lines += wrap(joined, width, indent=indent, hang=indent + "    ")
            q = (a.question.text if a.question else None) or a.source or ""
            if q:
                lines += wrap(q, width, indent=indent + "    ")
    return lines


def render_history(rows: Sequence[Attempt], sessions: Mapping[int, Session] | None = None) -> None:
    from practice.cli.common import markup as escape

    c = _console()
    for line in history_lines(rows, sessions or {}, c.width):
        c.print(escape(line), soft_wrap=True)


def render_models(rows: Sequence[Any], catalogue: Sequence[Any]) -> None:
    from practice.cli.common import markup as escape
    from practice.cli.common import wrap

    c = _console()
    for r in rows:
        ready = "ready" if r.installed else "assembled on first use"
        for line in wrap(f"{r.name} ({r.engine}): {ready}", c.width, hang="    "):
            c.print(escape(line), soft_wrap=True)
        # A path is one unbreakable token: longer than the line, it sticks out whole.
        for line in wrap(str(r.path), c.width, indent="    "):
            c.print(escape(line), soft_wrap=True)
    for e in catalogue:
        for line in wrap(f"{e.name}: {e.description}", c.width, hang="    "):
            c.print(f"[dim]{escape(line)}[/dim]", soft_wrap=True)


def question_lines(bank: Sequence[Any], width: int) -> list[str]:
    """Each question's id, category and target length, then its text wrapped under them."""
    from practice.cli.common import wrap

    out: list[str] = []
    for q in bank:
        secs = glue(f", {q.target_seconds[0]}-{q.target_seconds[1]} s") if q.target_seconds else ""
        out += wrap(f"{q.id}  ({q.category}{secs})", width, hang="    ")
        out += wrap(q.text, width, indent="    ")
    out += wrap(f"{len(bank)} questions; 'practice questions show ID' for guidance", width)
    return out


def render_questions(bank: Sequence[Any]) -> None:
    from practice.cli.common import markup as escape

    c = _console()
    for line in question_lines(bank, c.width):
        c.print(escape(line), soft_wrap=True)
