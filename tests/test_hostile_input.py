"""More holes from the hardening issue (20): a home's mode, audio limits, typed answers in
another language, model names read as paths, damaged payloads and the report's policy. Every
bad input is built here by the test."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from test_review import invoke


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def _one_line_error(r) -> None:  # noqa: ANN001 - click's Result
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1, r.output


# -- an existing home keeps its mode ------------------------------------------------------------


@pytest.mark.parametrize("how", ["--home", "PRACTICE_HOME"])
def test_an_existing_home_keeps_its_mode(tmp_path: Path, how: str) -> None:
    from click.testing import CliRunner

    from practice.cli.main import cli

    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    args, env = (
        (["--home", str(shared)], {}) if how == "--home" else ([], {"PRACTICE_HOME": str(shared)})
    )
    r = CliRunner().invoke(cli, [*args, "history"], env=env)
    assert r.exit_code == 0, r.output
    assert _mode(shared) == 0o1777
    # What practice made inside it is private.
    assert _mode(shared / "recordings") == 0o700


def test_a_new_home_is_private(tmp_path: Path) -> None:
    home = tmp_path / "a" / "b"
    r = invoke(home, "history")
    assert r.exit_code == 0, r.output
    assert _mode(home) == 0o700 and _mode(home.parent) == 0o700
