"""`practice stories ...` (the story bank) and `practice prep` (a job posting against it).

Thin: parse, call journey.stories / journey.prep, render. Registered by cli.main.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from practice.cli.common import echo, print_json, say
from practice.core.when import local_day

if TYPE_CHECKING:
    from practice.cli.common import Settings
    from practice.journey.stories import Story, StoryBank

_PART_OPTIONS = ("situation", "task", "actions", "result")


def _bank(settings: Settings) -> StoryBank:
    from practice.journey.stories import StoryBank

    return StoryBank.open(settings.home)


def _read_input(path: str, what: str) -> str:
    from practice.core.files import read_text_file

    if path == "-" and sys.stdin.isatty():
        say(f"Type or paste the {what}, then Ctrl-D:", err=True)
    return read_text_file(path, what)


def _skills(value: str | None) -> tuple[str, ...]:
    return tuple(s for s in (value or "").split(",") if s.strip())


def _summary_line(story: Story) -> str:
    skills = ", ".join(story.skills) or "no skills yet"
    return f'#{story.id} "{story.title}" ({skills})'


@click.group()
def stories() -> None:
    """Your success stories: the STAR parts, the skills they show, how often rehearsed."""


@stories.command("add")
@click.option(
    "--from",
    "from_attempt",
    metavar="ATTEMPT_ID",
    help="Take the story from a saved attempt ('last' for the newest).",
)
@click.option(
    "--text",
    "text_file",
    metavar="FILE|-",
    help="Take the story from a text file, or standard input with '-'.",
)
@click.option("--title", metavar="T", help="A short title (default: the story's opening words).")
@click.option("--skills", metavar="a,b", help="Skills it shows (default: inferred from the words).")
@click.option("--situation", metavar="TEXT", help="The situation, typed.")
@click.option("--task", metavar="TEXT", help="Your task, typed.")
@click.option("--actions", metavar="TEXT", help="What you did, typed.")
@click.option("--result", metavar="TEXT", help="The result, typed.")
@click.option("--json", "as_json", is_flag=True, help="Print the kept story as JSON.")
@click.pass_obj
def stories_add(
    settings: Settings,
    from_attempt: str | None,
    text_file: str | None,
    title: str | None,
    skills: str | None,
    situation: str | None,
    task: str | None,
    actions: str | None,
    result: str | None,
    as_json: bool,
) -> None:
    """Keep a story: from an attempt, from text, from the part options, or in your editor.

    \b
    From an attempt or text, each sentence goes to the part its STAR label says.
    With nothing given, an editor opens on a blank story form.
    """
    from practice.journey import stories as st

    typed = {"situation": situation, "task": task, "actions": actions, "result": result}
    sources = sum(bool(x) for x in (from_attempt, text_file, any(typed.values())))
    if sources > 1:
        raise click.UsageError("Give one of --from, --text or the part options, not several.")
    with _bank(settings) as bank:
        if from_attempt:
            story = st.from_attempt(
                bank.history.get(from_attempt).analysis, title=title or "", skills=_skills(skills)
            )
        elif text_file:
            story = st.from_text(
                _read_input(text_file, "story"), title=title or "", skills=_skills(skills)
            )
        elif any(typed.values()):
            story = st.typed_story(title=title or "", skills=_skills(skills), **typed)
        else:
            edited = click.edit(st.to_form(st.Story(title=title or "")), extension=".toml")
            if edited is None:
                say("Nothing saved: the editor was closed without saving.", err=True)
                return
            fields = st.parse_form(edited)
            story = st.Story(**{"title": "", **fields})
        if not story.text.strip():
            raise click.ClickException("The story is empty; give at least one of its parts.")
        kept = bank.add(story)
    if as_json:
        print_json(kept.to_dict())
    else:
        say(f"Kept story {_summary_line(kept)}.")
        if kept.quantified_result is None:
            say("Tip: add a number to the result (how much, how many, how fast).", err=True)


@stories.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of stories.")
@click.pass_obj
def stories_list(settings: Settings, as_json: bool) -> None:
    """List the stories with their skills and practice record."""
    with _bank(settings) as bank:
        rows = bank.stories()
    if as_json:
        print_json([s.to_dict() for s in rows])
        return
    if not rows:
        say("No stories yet; add one with 'practice stories add --text FILE'.")
        return
    for s in rows:
        r = s.record
        practised = (
            f"{r.attempts} attempt(s), best {r.best_score}, latest {r.latest_score}, "
            f"last {local_day(r.last_practised) if r.last_practised else '-'}"
            if r.attempts
            else "not rehearsed yet"
        )
        from practice.cli.common import terminal_width, wrap

        width = terminal_width()
        lines = wrap(s.title, width, indent=f"{s.id:>3}  ", hang="     ")
        lines += wrap(f"skills: {', '.join(s.skills) or '-'}; {practised}", width, indent="     ")
        echo("\n".join(lines))


@stories.command("show")
@click.argument("story_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the story as JSON.")
@click.pass_obj
def stories_show(settings: Settings, story_id: str, as_json: bool) -> None:
    """Show one story in full."""
    with _bank(settings) as bank:
        s = bank.get(story_id)
    if as_json:
        print_json(s.to_dict())
        return
    say(f"#{s.id} {s.title}")
    for name in _PART_OPTIONS:
        say(f"\n{name.capitalize()}:\n  {getattr(s, name) or '-'}")
    say(f"\nSkills: {', '.join(s.skills) or '-'}")
    say(f"Quantified result: {s.quantified_result or '- (add a number to the result)'}")
    r = s.record
    say(
        f"Practice: {r.attempts} attempt(s)"
        + (
            f", best {r.best_score}, latest {r.latest_score}, last practised "
            f"{local_day(r.last_practised) if r.last_practised else '-'}"
            if r.attempts
            else ""
        )
    )


@stories.command("edit")
@click.argument("story_id", metavar="ID")
@click.option("--title", metavar="T", help="New title.")
@click.option("--skills", metavar="a,b", help="Replace the skills.")
@click.option("--situation", metavar="TEXT", help="New situation.")
@click.option("--task", metavar="TEXT", help="New task.")
@click.option("--actions", metavar="TEXT", help="New actions.")
@click.option("--result", metavar="TEXT", help="New result.")
@click.option(
    "--quantified-result",
    metavar="TEXT",
    help="The sentence with the number that proves the result.",
)
@click.pass_obj
def stories_edit(
    settings: Settings,
    story_id: str,
    title: str | None,
    skills: str | None,
    situation: str | None,
    task: str | None,
    actions: str | None,
    result: str | None,
    quantified_result: str | None,
) -> None:
    """Change a story with the field options, or in your editor without them."""
    from practice.journey import stories as st

    changes: dict[str, Any] = {
        k: v
        for k, v in {
            "title": title,
            "situation": situation,
            "task": task,
            "actions": actions,
            "result": result,
            "quantified_result": quantified_result,
        }.items()
        if v is not None
    }
    if skills is not None:
        changes["skills"] = _skills(skills)
    with _bank(settings) as bank:
        if not changes:
            story = bank.get(story_id)
            edited = click.edit(st.to_form(story), extension=".toml")
            if edited is None:
                say("No changes: the editor was closed without saving.", err=True)
                return
            changes = st.parse_form(edited)
        updated = bank.update(story_id, **changes)
    say(f"Updated story {_summary_line(updated)}.")


@stories.command("delete")
@click.argument("story_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def stories_delete(settings: Settings, story_id: str, yes: bool) -> None:
    """Delete a story (its rehearsals stay in the history)."""
    with _bank(settings) as bank:
        story = bank.get(story_id)
        if not yes:
            click.confirm(f'Delete story #{story.id} "{story.title}"?', abort=True, err=True)
        bank.delete(story_id)
    say(f'Deleted story #{story.id} "{story.title}".')


@click.command()
@click.option(
    "--job",
    "job",
    required=True,
    metavar="FILE|-",
    help="The job posting as plain text ('-' for standard input).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.option(
    "--html",
    "html_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Also write a self-contained HTML page.",
)
@click.pass_obj
def prep(settings: Settings, job: str, as_json: bool, html_file: str | None) -> None:
    """Prepare for a job: its requirements, your stories that show them, the gaps,
    the likely questions and which story to rehearse for each."""
    from practice.journey import prep as p

    posting = _read_input(job, "job posting")
    result = p.prepare_at(settings.home, posting, source=job)
    if html_file:
        title = next((line.strip() for line in posting.splitlines() if line.strip()), "Job prep")
        try:
            from practice.core.files import open_private

            with open_private(html_file, "w", encoding="utf-8") as f:
                f.write(p.render_html(result, title=f"Prep: {title}"))
        except OSError as e:
            raise click.ClickException(f"Cannot write {html_file}: {e.strerror}.") from e
        say(f"Wrote {html_file}.", err=True)
    if as_json:
        print_json(result.to_dict())
    else:
        from practice.cli.common import terminal_width

        echo(p.render_text(result, width=terminal_width()))


def register(cli: click.Group) -> None:
    """Add `stories` and `prep` to the `practice` group."""
    cli.add_command(stories)
    cli.add_command(prep)
