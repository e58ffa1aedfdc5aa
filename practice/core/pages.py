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
