"""`practice app`: the local web app, started from the terminal (Jupyter's convention)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from practice.cli.common import echo

if TYPE_CHECKING:
    from practice.cli.common import Settings

DEFAULT_PORT = 8765  # a fixed default, so a bookmark survives restarts; 0 picks a free one


@click.command("app")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option("--no-browser", is_flag=True, help="Do not open the default browser.")
@click.pass_obj
def app(settings: Settings, port: int, no_browser: bool) -> None:
    """Rehearse in the browser: a local page with a Record button.

    \b
    Serves on 127.0.0.1 only; the first line printed is the address
    to open, with a token that every request needs (the page trades it
    for a cookie). Nothing leaves this computer: the attempts go to the
    same history as `practice ask`. Ctrl-C stops the server.
    """
    from practice.web.server import serve

    def announce(url: str) -> None:
        echo(f"practice app: {url}")
        sys.stdout.flush()
        echo("Open that address in your browser; Ctrl-C stops the server.", err=True)

    serve(settings.home, port=port, open_browser=not no_browser, announce=announce)
    echo("practice app: stopped.", err=True)


def register(cli: click.Group) -> None:
    cli.add_command(app)
