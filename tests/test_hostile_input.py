"""More holes from the hardening issue (20): a home's mode, audio limits, typed answers in
another language, model names read as paths, damaged payloads and the report's policy. Every
bad input is built here by the test."""

from __future__ import annotations

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


# -- audio: absurd headers and corrupt samples -------------------------------------------------


def _wav_header(rate: int, data_bytes: int) -> bytes:
    """A 16-bit mono PCM WAV header declaring `rate` Hz, as a damaged or crafted file could."""
    import struct

    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


@pytest.mark.parametrize("rate", [1, 100, 3_999, 384_001, 10_000_000])
def test_an_absurd_sample_rate_is_refused_before_decoding(tmp_path: Path, rate: int) -> None:
    import time

    import numpy as np

    from practice.core.errors import AudioError
    from practice.speech.audio import load

    noise = (np.random.default_rng(0).normal(0, 3000, 16_000)).astype("<i2").tobytes()
    wav = tmp_path / "crafted.wav"
    wav.write_bytes(_wav_header(rate, len(noise)) + noise)  # 32 KB of samples
    started = time.monotonic()
    with pytest.raises(AudioError, match="sample rate"):
        load(wav)
    assert time.monotonic() - started < 2.0


def test_a_wav_declaring_1_hz_is_one_line_from_the_command(tmp_path: Path) -> None:
    noise = bytes(32_000)
    wav = tmp_path / "slow.wav"
    wav.write_bytes(_wav_header(1, len(noise)) + noise)
    r = invoke(tmp_path / "home", "analyze", str(wav), "--no-save")
    _one_line_error(r)
    assert "sample rate of 1 Hz" in r.output


def test_a_recording_longer_than_the_limit_is_refused(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import numpy as np
    import soundfile as sf

    from practice.core.errors import AudioError
    from practice.speech import audio

    monkeypatch.setattr(audio, "MAX_DURATION_S", 2)
    wav = tmp_path / "long.wav"
    sf.write(wav, np.full(16_000 * 3, 0.1, np.float32), 16_000)
    with pytest.raises(AudioError, match="longer than"):
        audio.load(wav)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
@pytest.mark.parametrize("rate", [44_100, 16_000])
def test_a_few_corrupt_samples_do_not_silence_an_answer(
    tmp_path: Path, bad: float, rate: int
) -> None:
    import numpy as np
    import soundfile as sf

    from practice.speech.audio import load

    t = np.arange(rate * 2) / rate
    tone = (0.3 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
    tone[::1000] = bad  # one corrupt sample in every 1000
    wav = tmp_path / "corrupt.wav"
    sf.write(wav, tone, rate, subtype="FLOAT")
    samples = load(wav).samples
    assert np.isfinite(samples).all()
    rms = float(np.sqrt(np.mean(samples**2)))
    assert rms == pytest.approx(0.3 / np.sqrt(2), rel=0.05)


# -- typed answers in another language ---------------------------------------------------------

HEBREW = "שיפרתי את התור בעצמי והזמן ירד בארבעים אחוז כי הצוות היה עמוס"
RUSSIAN = "Я сам переписал очередь, и время ожидания упало на сорок процентов за месяц."
GREEK_WITH_LATIN = (
    "Το release ήταν αργά, οπότε ξανάγραψα το queue μόνος μου και ο χρόνος έπεσε 40%."
)


@pytest.mark.parametrize("answer", [HEBREW, RUSSIAN, GREEK_WITH_LATIN], ids=["he", "ru", "el"])
@pytest.mark.parametrize("how", ["file", "stdin"])
def test_a_typed_answer_in_another_script_is_refused(tmp_path: Path, answer: str, how: str) -> None:
    question = ["--question-text", "Tell me about a time you fixed something."]
    if how == "file":
        path = tmp_path / "answer.txt"
        path.write_text(answer, encoding="utf-8")
        r = invoke(tmp_path / "home", "score", str(path), *question)
    else:
        r = invoke(tmp_path / "home", "score", "-", *question, input=answer)
    _one_line_error(r)
    assert "English answers only" in r.output


def test_an_english_answer_naming_foreign_words_is_scored(tmp_path: Path) -> None:
    answer = (
        "At Yandex (Яндекс) I rebuilt the queue myself because releases were late, and the "
        "waits fell by forty percent; the café team in Zürich adopted it too."
    )
    r = invoke(tmp_path / "home", "score", "-", "--question-text", "Tell me", input=answer)
    assert r.exit_code == 0, r.output


def test_foreign_script_share_counts_letters_only() -> None:
    from practice.core.text import foreign_script_share

    assert foreign_script_share("1234 !!") == 0.0
    assert foreign_script_share("naïve café") == 0.0
    assert foreign_script_share(RUSSIAN) > 0.9
    assert foreign_script_share("ab вг") == 0.5


# -- a folder in the working directory never replaces a catalogue model ------------------------


@pytest.mark.parametrize("asked", [None, "default-name"])
@pytest.mark.parametrize("engine", ["faster-whisper", "openai-whisper"])
def test_a_folder_named_like_a_catalogue_model_is_not_loaded(
    tmp_path: Path,
    monkeypatch,
    asked: str | None,
    engine: str,  # noqa: ANN001
) -> None:
    from practice.speech import models

    name = models.default_model()
    decoy = tmp_path / "cwd" / name
    decoy.mkdir(parents=True)
    (decoy / "model.bin").write_bytes(b"not a model")  # what a stray folder could hold
    monkeypatch.chdir(decoy.parent)
    built: list[str] = []
    monkeypatch.setattr(models, "quantized", lambda home, n: built.append(n) or tmp_path / "ours")
    monkeypatch.setattr(models, "convert", lambda home, n: built.append(n) or tmp_path / "ours")
    shown, path = models.resolve(tmp_path / "home", None if asked is None else name, engine)
    assert (shown, path, built) == (name, tmp_path / "ours", [name])
    if engine == "faster-whisper":  # written as a path, the folder is what the user means
        assert models.resolve(tmp_path / "home", f"./{name}", engine) == (name, decoy)


# -- a stored payload of valid JSON with the wrong shape ---------------------------------------

PAYLOADS = {
    "list": "[]",
    "empty": "{}",
    "null": "null",
    "number": "42",
    "string": '"an answer"',
    "scores-int": None,  # the real payload with its parts replaced, below
    "words-int": None,
    "overall-text": None,
    "question-list": None,
    "sentences-dict": None,
    "deep": "[" * 100_000 + "]" * 100_000,
}


def _shape(real: dict, kind: str) -> str:
    import copy
    import json

    if PAYLOADS[kind] is not None:
        return PAYLOADS[kind]
    p = copy.deepcopy(real)
    if kind == "scores-int":
        p["scores"] = 5
    elif kind == "words-int":
        p["transcript"]["words"] = 7
    elif kind == "overall-text":
        p["scores"]["overall"] = {"x": 1}
    elif kind == "question-list":
        p["question"] = ["q"]
    elif kind == "sentences-dict":
        p["structure"]["sentences"] = {"a": 1}
    return json.dumps(p)


COMMANDS = {
    "history": ["history"],
    "history-json": ["history", "--json"],
    "review": ["review", "{id}"],
    "review-last": ["review", "last"],
    "report": ["report", "--html", "{out}/r.html"],
    "export-json": ["export", "--format", "json", "--out", "{out}/h.json"],
    "export-csv": ["export", "--format", "csv", "--out", "{out}/h.csv"],
    "export-bundle": ["export", "{id}", "--bundle", "{out}/b.zip"],
    "diagnose": ["diagnose"],
    "progress": ["progress"],
    "progress-json": ["progress", "--json"],
    "plan": ["plan"],
    "rescore": ["rescore", "--all"],
}


@pytest.mark.parametrize("kind", list(PAYLOADS))
def test_a_payload_of_the_wrong_shape_is_one_line_naming_the_attempt(
    tmp_path: Path, kind: str
) -> None:
    import json
    import sqlite3

    from test_review import fill_history

    home = tmp_path / "home"
    ids = fill_history(home, tmp_path, [40, 60])
    conn = sqlite3.connect(home / "history.sqlite3")
    try:
        real = json.loads(
            conn.execute("SELECT payload FROM attempts WHERE id = ?", (ids[1],)).fetchone()[0]
        )
        conn.execute("UPDATE attempts SET payload = ? WHERE id = ?", (_shape(real, kind), ids[1]))
        conn.commit()
    finally:
        conn.close()
    out = tmp_path / "out"
    out.mkdir()
    failed = []
    for name, args in COMMANDS.items():
        r = invoke(home, *[a.format(id=ids[1], out=out) for a in args])
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            failed.append(f"{name}: {type(r.exception).__name__}: {r.exception}")
            continue
        if r.exit_code != 0:
            lines = r.output.strip().splitlines()
            if r.exit_code != 1 or len(lines) != 1 or f"Attempt {ids[1]}" not in r.output:
                failed.append(f"{name}: exit {r.exit_code}: {r.output!r}")
            elif (
                "history --delete" in r.output or f"practice delete {ids[1]} --yes" not in r.output
            ):
                failed.append(f"{name}: names no real command: {r.output!r}")
    assert not failed, "\n".join(failed)
    # The command the message names removes it, and the history reads again.
    r = invoke(home, "delete", str(ids[1]), "--yes")
    assert r.exit_code == 0, r.output
    r = invoke(home, "history", "--json")
    assert r.exit_code == 0 and [a["id"] for a in json.loads(r.output)] == [ids[0]], r.output


# -- the HTML report: every field escaped, only its own script allowed -------------------------

EVIL_MARKUP = "<img src=x onerror=alert(1)></script><script>alert(2)</script>\"'><b onclick=x>"


def _poison(value: object) -> object:
    """`value` (a payload) with markup appended to every string in it."""
    if isinstance(value, str):
        return value + EVIL_MARKUP
    if isinstance(value, list):
        return [_poison(v) for v in value]
    if isinstance(value, dict):
        return {k: _poison(v) for k, v in value.items()}
    return value


class _Tags:
    def __init__(self, page: str) -> None:
        from html.parser import HTMLParser

        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        outer = self

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):  # noqa: ANN001, ANN202
                outer.tags.append((tag, attrs))

            def handle_data(self, data):  # noqa: ANN001, ANN202
                if self.lasttag == "script":
                    outer.scripts.append(data)
                elif self.lasttag == "style":
                    outer.styles.append(data)

        Parser().feed(page)


def test_the_report_escapes_every_field_and_allows_only_its_own_script(tmp_path: Path) -> None:
    import base64
    import hashlib
    import json
    import re
    import sqlite3

    from test_review import fill_history

    home = tmp_path / "home"
    ids = fill_history(home, tmp_path, [40, 60])
    clean = tmp_path / "clean.html"
    assert invoke(home, "report", "--html", str(clean)).exit_code == 0
    conn = sqlite3.connect(home / "history.sqlite3")
    try:
        for number in ids:
            real = json.loads(
                conn.execute("SELECT payload FROM attempts WHERE id = ?", (number,)).fetchone()[0]
            )
            poisoned = _poison(real)
            conn.execute(
                "UPDATE attempts SET payload = ?, source = ?, question_text = ? WHERE id = ?",
                (json.dumps(poisoned), EVIL_MARKUP, EVIL_MARKUP, number),
            )
        conn.commit()
    finally:
        conn.close()
    page_path = tmp_path / "report.html"
    r = invoke(home, "report", "--html", str(page_path))
    assert r.exit_code == 0, r.output
    page = page_path.read_text()
    assert "alert(1)" in page  # the text is shown, as text
    hostile, plain = _Tags(page), _Tags(clean.read_text())
    assert {t for t, _ in hostile.tags} == {t for t, _ in plain.tags}
    assert not [a for _, attrs in hostile.tags for a, _ in attrs if a.startswith("on")]
    assert sum(t == "script" for t, _ in hostile.tags) == 1
    # The policy allows that one script and that one stylesheet by their hashes, nothing else
    # inline: no 'unsafe-inline', and no style attribute in the page (the charts included).
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert "unsafe" not in csp
    assert sum(t == "style" for t, _ in hostile.tags) == 1
    assert not [a for _, attrs in hostile.tags for a, _ in attrs if a == "style"]
    for directive, body in (("script-src", hostile.scripts[0]), ("style-src", hostile.styles[0])):
        allowed = re.search(rf"{directive} ([^;]*)", csp).group(1).split()
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert allowed == [f"'sha256-{digest}'"], directive


def test_chart_styles_become_presentation_attributes() -> None:
    from practice.history.charts import _without_css

    svg = '<svg><defs><style>*{x: y}</style></defs><path style="fill: #fff; stroke-width: 0.8"/>'
    assert _without_css(svg) == '<svg><defs></defs><path fill="#fff" stroke-width="0.8"/>'
    with pytest.raises(ValueError, match="filter"):
        _without_css('<g style="filter: url(#a)"/>')
