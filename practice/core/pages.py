"""HTML pages from the Jinja2 templates shipped in `practice/templates/`, escaped by default.

Every value a template prints is HTML-escaped unless the template says otherwise, so text from
the user (a job posting, a story title, a transcript) can never become markup. Named `pages`,
not `html`, so it never stands in for the standard library's `html` module.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2


@cache
def _environment() -> jinja2.Environment:
    # jinja2 is imported here, not at the top, so `practice --help` never pays for it.
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("practice", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt name fails instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template_name: str, **context: Any) -> str:
    """The page `template_name` (a file in practice/templates) filled with `context`."""
    return _environment().get_template(template_name).render(**context)


def inline(template_name: str) -> tuple[Any, str]:
    """The file `template_name` (in practice/templates) as the body of an inline <script> or
    <style>, and the Content-Security-Policy source that allows exactly that body:
    `'sha256-<base64>'`. The hash is of the text as the page will carry it, so the policy needs
    no 'unsafe-inline', and a script or style anything else put in the page (a crafted backup's
    text) is never applied."""
    import base64
    import hashlib

    import markupsafe

    env = _environment()
    source = env.loader.get_source(env, template_name)[0] if env.loader else ""
    if "</" in source:  # would end the element early in the HTML parser
        raise ValueError(f"{template_name} holds '</', which would end its inline element early")
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")
    return markupsafe.Markup(source), f"'sha256-{digest}'"
