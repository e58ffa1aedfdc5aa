"""Between interviews: `practice outcome ...`, `outcomes`, `diagnose`, `plan` and `note ...`.

Commands are attached to the main group by `register(cli)`. Each opens the history, calls one
library function (journey.outcomes, journey.diagnose, journey.notes) and prints the
result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from practice.cli.common import echo, print_json, say
from practice.core.records import RESULTS, STAGES

if TYPE_CHECKING:
    from practice.cli.common import Settings
    from practice.journey.diagnose import Diagnosis, Plan
    from practice.journey.outcomes import Outcome

DEFAULT_PLAN_SIZE = 5  # questions: about a half-hour session at 1-2 minutes an answer plus review


def _settings() -> Callable[..., Any]:
    from practice.cli.common import pass_settings

    return pass_settings


def _wrap(text: str, indent: str = "", first: str | None = None) -> str:
    """`text` wrapped at the terminal's width, the first line after `first` (default `indent`),
    the rest after `indent`."""
    from practice.cli.common import terminal_width, wrap

    return "\n".join(
        wrap(text, terminal_width(), indent=indent if first is None else first, hang=indent)
    )


# -- outcomes -----------------------------------------------------------------------------------


def _outcome_line(o: Outcome) -> str:
    notes = f"  {o.notes}" if o.notes else ""
    return f"{o.id:>4}  {o.date}  {o.company} - {o.role}  {o.stage}: {o.result}{notes}"


def _outcome_lines(o: Outcome) -> str:
    """One outcome wrapped at the terminal's width, its continuation under the company."""
    from practice.cli.common import terminal_width, wrap
    from practice.core.text import glue

    head = f"{o.id:>4}  {o.date}  "
    text = f"{o.company} - {o.role}  {glue(f'{o.stage}: {o.result}')}"
    lines = wrap(text, terminal_width(), indent=head, hang=" " * len(head))
    if o.notes:
        lines += wrap(o.notes, terminal_width(), indent=" " * len(head))
    return "\n".join(lines)


def _outcome_commands(cli: click.Group) -> None:
    pass_settings = _settings()

    @cli.group()
    def outcome() -> None:
        """Log where each application ended: add, edit, delete.

        \b
        Stages:  applied, phone-screen, interview, final-round, offer
        Results: no-response, rejected, advanced, withdrew, offer
        'practice diagnose' reads them to say where you get stopped.
        """

    @outcome.command("add")
    @click.option("--company", required=True, help="The employer.")
    @click.option("--role", required=True, help="The job title applied for.")
    @click.option(
        "--stage",
        required=True,
        type=click.Choice(STAGES),
        help="The furthest stage this application reached.",
    )
    @click.option(
        "--result", required=True, type=click.Choice(RESULTS), help="How that stage ended."
    )
    @click.option("--date", metavar="YYYY-MM-DD", help="When it happened (default today).")
    @click.option("--notes", help="Anything worth remembering: who, what was asked.")
    @pass_settings
    def outcome_add(
        settings: Settings,
        company: str,
        role: str,
        stage: str,
        result: str,
        date: str | None,
        notes: str | None,
    ) -> None:
        """Log one application's outcome."""
        from practice.history.store import History
        from practice.journey.outcomes import add_outcome

        with History.open(settings.home) as h:
            o = add_outcome(
                h, company=company, role=role, stage=stage, result=result, date=date, notes=notes
            )
        say(f"Logged outcome {o.id}: {o.company} - {o.role}, {o.stage}: {o.result}.")

    @outcome.command("edit")
    @click.argument("outcome_id", metavar="ID")
    @click.option("--company", help="The employer.")
    @click.option("--role", help="The job title.")
    @click.option("--stage", type=click.Choice(STAGES), help="The furthest stage reached.")
    @click.option("--result", type=click.Choice(RESULTS), help="How that stage ended.")
    @click.option("--date", metavar="YYYY-MM-DD", help="When it happened.")
    @click.option("--notes", help='New notes ("" clears them).')
    @pass_settings
    def outcome_edit(settings: Settings, outcome_id: str, **changes: Any) -> None:
        """Change fields of outcome ID (see 'practice outcomes')."""
        from practice.history.store import History
        from practice.journey.outcomes import edit_outcome

        if all(v is None for v in changes.values()):
            raise click.UsageError(
                "Give at least one field to change: --company, --role, --stage, --result, "
                "--date or --notes."
            )
        with History.open(settings.home) as h:
            o = edit_outcome(h, outcome_id, **changes)
        say(f"Updated: {_outcome_line(o).strip()}")

    @outcome.command("delete")
    @click.argument("outcome_id", metavar="ID")
    @pass_settings
    def outcome_delete(settings: Settings, outcome_id: str) -> None:
        """Remove outcome ID from the journal."""
        from practice.history.store import History
        from practice.journey.outcomes import delete_outcome

        with History.open(settings.home) as h:
            o = delete_outcome(h, outcome_id)
        say(f"Deleted outcome {o.id} ({o.company} - {o.role}).")

    @cli.command("outcomes")
    @click.option("--json", "as_json", is_flag=True, help="Print a JSON array, newest first.")
    @pass_settings
    def outcomes_list(settings: Settings, as_json: bool) -> None:
        """List the logged outcomes, newest first."""
        from practice.history.store import History
        from practice.journey.outcomes import list_outcomes

        with History.open(settings.home) as h:
            rows = list_outcomes(h)
        if as_json:
            print_json([o.to_dict() for o in rows])
            return
        if not rows:
            say(
                "No outcomes yet; log one with 'practice outcome add --company C --role R "
                "--stage S --result X'."
            )
            return
        for o in rows:
            echo(_outcome_lines(o))


# -- diagnose and plan --------------------------------------------------------------------------


def render_diagnosis(d: Diagnosis) -> str:
    lines = [_wrap(d.summary), ""]
    if not d.findings:
        lines.append(_wrap(d.encouragement))
        if d.weakest:
            lines += ["", "Your weakest practice numbers:"]
            lines += [_wrap(m.text, "    ", "  - ") for m in d.weakest]
        return "\n".join(lines)
    main, *others = d.findings
    lines += [
        _wrap(main.headline),
        _wrap(main.basis, "  "),
        "",
        _wrap(main.meaning),
        "",
        "What to work on:",
    ]
    lines += [_wrap(p, "    ", "  - ") for p in main.practise]
    if main.checklist:
        lines += [
            "",
            _wrap("Presence checklist (audio cannot judge these; ask a friend to watch):"),
        ]
        lines += [_wrap(c, "      ", "  [ ] ") for c in main.checklist]
    lines += ["", _wrap(main.evidence_note)]
    lines += [_wrap(m.text, "    ", "  - ") for m in main.evidence]
    if main.unpractised:
        lines.append(
            _wrap(
                "Not practised yet: " + ", ".join(main.unpractised) + " questions.", "    ", "  - "
            )
        )
    for f in others:
        lines += ["", _wrap(f"Also: {f.headline} {f.basis}")]
    lines += ["", _wrap(d.encouragement), "", _wrap("Next: 'practice plan' picks the questions.")]
    return "\n".join(lines)


def render_plan(p: Plan) -> str:
    lines = [_wrap(p.focus), ""]
    for i, item in enumerate(p.items, start=1):
        times = "never practised" if not item.attempts else f"practised {item.attempts}x"
        lines.append(_wrap(f"[{item.category}] {item.question_id} ({times})", "     ", f"{i}. "))
        lines.append(_wrap(item.text, "     "))
        lines.append(_wrap(f"why: {item.reason}", "     "))
    if p.items:
        lines += ["", _wrap(f"Start with: practice ask --question {p.items[0].question_id}")]
    return "\n".join(lines)


def _coach_commands(cli: click.Group) -> None:
    pass_settings = _settings()

    @cli.command()
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
    @pass_settings
    def diagnose(settings: Settings, as_json: bool) -> None:
        """Where your applications get stopped, and what that points to.

        Reads the outcome journal and your practice history, and links what the
        stage suggests to your own weakest practice numbers.
        """
        from practice.journey.diagnose import load

        d, _ = load(settings.home)
        if as_json:
            print_json(d.to_dict())
            return
        echo(render_diagnosis(d))

    @cli.command()
    @click.option(
        "-n",
        "--count",
        "n",
        type=click.IntRange(min=1),
        default=DEFAULT_PLAN_SIZE,
        show_default=True,
        help="How many questions.",
    )
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
    @pass_settings
    def plan(settings: Settings, n: int, as_json: bool) -> None:
        """The next practice set: questions aimed at where you get stopped and at your
        weakest numbers, least practised first."""
        from practice.journey.diagnose import next_plan

        _, p = next_plan(settings.home, n)
        if as_json:
            print_json(p.to_dict())
            return
        echo(render_plan(p))


# -- notes --------------------------------------------------------------------------------------


def _note_options(f: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--company", required=True, help="The employer."),
        click.option("--role", required=True, help="The job title."),
        click.option("--interviewer", metavar="NAME", help="Who the note is to."),
        click.option(
            "--points",
            multiple=True,
            metavar="TEXT",
            help="Things to mention; separate several with ';' or repeat the option.",
        ),
        click.option(
            "--out",
            metavar="FILE",
            help="Write the draft here (readable by you only) instead of printing it.",
        ),
        click.option("--edit", is_flag=True, help="Open the draft in your editor first."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _note(
    kind: str,
    company: str,
    role: str,
    interviewer: str | None,
    points: tuple[str, ...],
    out: str | None,
    edit: bool,
) -> None:
    from practice.journey import notes

    text = notes.draft(
        kind, company=company, role=role, interviewer=interviewer, points=notes.split_points(points)
    )
    if edit:
        edited = click.edit(text)
        if edited is None:
            say("Editor closed without saving; keeping the draft as it was.", err=True)
        else:
            text = edited
    if out:
        path = notes.write_note(out, text)
        say(f"Wrote the draft to {path}.", err=True)
        return
    # Printed, the draft fits the terminal; --out FILE keeps each paragraph on one line, the
    # form an email client wraps itself.
    say(text, nl=not text.endswith("\n"))


def _note_commands(cli: click.Group) -> None:
    @cli.group()
    def note() -> None:
        """Draft a short note: a prompt thank-you, or a polite request for feedback."""

    @note.command("thank-you")
    @_note_options
    def note_thank_you(
        company: str,
        role: str,
        interviewer: str | None,
        points: tuple[str, ...],
        out: str | None,
        edit: bool,
    ) -> None:
        """A thank-you note to send the same day, tying up loose ends (--points)."""
        _note("thank-you", company, role, interviewer, points, out, edit)

    @note.command("feedback-request")
    @_note_options
    def note_feedback(
        company: str,
        role: str,
        interviewer: str | None,
        points: tuple[str, ...],
        out: str | None,
        edit: bool,
    ) -> None:
        """After a rejection: a respectful request for a few minutes of candid feedback
        (--points: what you would most like their view on)."""
        _note("feedback-request", company, role, interviewer, points, out, edit)


def register(cli: click.Group) -> None:
    """Attach the between-interviews commands to the main group."""
    _outcome_commands(cli)
    _coach_commands(cli)
    _note_commands(cli)
