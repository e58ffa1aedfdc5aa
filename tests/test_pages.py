"""HTML pages from the templates shipped in the package: escaped by default, strict about names,
and every template declared as package data so a wheel carries it."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import jinja2
import pytest

from practice.core import pages

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "practice" / "templates"


def test_values_are_escaped_and_a_missing_name_fails():
    page = pages.render(
        "prep.html",
        title='<b>"Analyst" & co</b>',
        prep=type("Empty", (), {"coverage": 0.5, "requirements": (), "questions": (), "plan": ()}),
    )
    assert "<title>&lt;b&gt;&#34;Analyst&#34; &amp; co&lt;/b&gt;</title>" in page
    assert "<b>50%</b>" in page  # the template's own markup stays markup
    with pytest.raises(jinja2.UndefinedError, match="prep"):
        pages.render("prep.html", title="no prep given")


def test_every_template_ships_in_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "practice.templates" in config["packages"]
    globs = config["package-data"]["practice.templates"]
    templates = [p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*") if p.is_file()]
    assert templates
    for name in templates:
        assert any(fnmatch.fnmatch(name, g) for g in globs), f"{name} is not package data"
    assert not list(TEMPLATES.rglob("*.py")), "templates/ is data only"
