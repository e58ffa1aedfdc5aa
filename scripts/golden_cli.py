#!/usr/bin/env python3
"""Golden outputs of the `practice` CLI: run a fixed list of commands against one checkout.

    python scripts/golden_cli.py CHECKOUT OUTDIR [--python PY] [--data DIR] [--keep]

Runs `python -m practice --home <tmp>/home ...` from CHECKOUT's root with PYTHONPATH=CHECKOUT
(checked: `practice` must import from CHECKOUT), in a fresh data home under a temporary
folder, and writes each invocation's command line, stdout, stderr and exit code to
OUTDIR/NNN-<name>.txt, numbered in the order run. The help of the group and of every command
and subcommand (found by walking the help's "Commands:" sections) goes to
OUTDIR/000-help/<command path>.txt, so a new command does not renumber the rest.

Files a command writes (HTML reports, zips, notes, the progress chart) are added to its output
file: text as text, a zip's members (text members in full, audio by size and sha256), a PNG by
its size in pixels. What varies from run to run is normalised: the temporary folder and the
checkout's path, ISO timestamps (the report's "made" time too), today's date, elapsed times,
and the random stream serial of the Ogg audio embedded in reports. Two runs on the same
checkout on the same day give identical folders, so `diff -r` between the folders of two
checkouts shows what a change did to what the commands print. A run takes about a minute and
a half (three `analyze` runs load the speech model).

A development script (standard library only); the package never imports it. The inputs
(typed answers, job postings, the example recording) come from --data, by default the
tests/data beside this script, and are copied into the temporary folder, so every checkout
gets the same ones. Never touches the microphone: ask, interview, mic-check and devices only
show their --help.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent / "tests" / "data"

# The typed answers (ids in tests/data/judgment_cases.jsonl) and the question each answers.
ANSWERS = {
    "billing-export": "Tell me about a time you solved a difficult problem at work.",
    "vague-client": "Tell me about a time you handled a difficult client.",
    "fit-routes": "Why do you want to work for us?",
    "fit-money": "Why do you want this job?",
    "bg-analyst": "Tell me about yourself.",
    "rf-gap-care": "Can you explain the gap in your CV?",
    "rf-unfair-manager": "Why did you leave your last job?",
    "closing-90-days": "Do you have any questions for us?",
    "none-supplier": "Tell me about a setback and how you dealt with it.",
}
EXAMPLE_QUESTION = "Tell me about a time you improved a process."
STORY_TEXT = "billing-export"  # the typed answer kept as a story with `stories add --text`
PREP_JOBS = ("software", "nursing")  # tests/data/prep/<job>/posting.txt and stories.json

# Rewrites whatever an editor opened by `fix` or `note --edit` shows, the same way every run.
EDITOR_SCRIPT = """\
import sys
from pathlib import Path

path = Path(sys.argv[-1])
text = path.read_text(encoding="utf-8")
if "road as old as" in text:
    text = text.replace("road as old as", "rota so that")
else:
    text += "\\nP.S. Added in the editor.\\n"
path.write_text(text, encoding="utf-8")
"""

ISO_TIMESTAMP = re.compile(
    r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\b"
)
COMPACT_TIMESTAMP = re.compile(r"\b\d{8}T\d{6}Z\b")
# Elapsed time in what `ask` prints; measured pauses and durations ("longest 2.6 s") stay.
ELAPSED = re.compile(r"(?<=feedback )\d+\.\d s\b")
LONG_BASE64 = re.compile(r"(?<=base64,)[A-Za-z0-9+/=]{200,}")


class Golden:
    """One run: a temporary folder with the inputs and the data home, and the output folder."""

    def __init__(self, checkout: Path, outdir: Path, python: str, data: Path, tmp: Path) -> None:
        self.checkout = checkout
        self.outdir = outdir
        self.python = python
        self.tmp = tmp
        self.home = tmp / "home"
        self.inputs = tmp / "in"
        self.out = tmp / "out"  # files the commands write
        self.n = 0
        for d in (self.inputs, self.out, tmp / "user"):
            d.mkdir(parents=True)
        self._copy_inputs(data)
        editor = tmp / "editor.py"
        editor.write_text(EDITOR_SCRIPT, encoding="utf-8")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp / "user"),
            "XDG_CONFIG_HOME": str(tmp / "user" / ".config"),
            "XDG_DATA_HOME": str(tmp / "user" / ".local" / "share"),
            "XDG_CACHE_HOME": str(tmp / "user" / ".cache"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TZ": "UTC",
            "COLUMNS": "100",
            "LINES": "40",
            "TERM": "dumb",
            "NO_COLOR": "1",
            "PYTHONPATH": str(checkout),
            "PYTHONIOENCODING": "utf-8",
            "PYTHONHASHSEED": "0",
            "EDITOR": f'"{python}" "{editor}"',
            "VISUAL": f'"{python}" "{editor}"',
        }
        self.today = {dt.datetime.now(dt.UTC).date()}
        # Longest first, and the resolved spelling too (/tmp may be a link).
        pairs = {str(tmp): "<TMP>", str(tmp.resolve()): "<TMP>"}
        pairs |= {str(checkout): "<CHECKOUT>", str(checkout.resolve()): "<CHECKOUT>"}
        self.paths = sorted(pairs.items(), key=lambda kv: -len(kv[0]))

    def _copy_inputs(self, data: Path) -> None:
        shutil.copy(data / "example_answer.flac", self.inputs / "answer.flac")
        cases = {}
        for line in (data / "judgment_cases.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                cases[case["id"]] = case
        self.categories: dict[str, str | None] = {}
        for case_id in ANSWERS:
            (self.inputs / f"{case_id}.txt").write_text(cases[case_id]["text"] + "\n")
            self.categories[case_id] = cases[case_id]["category"]
        for job in PREP_JOBS:
            shutil.copy(data / "prep" / job / "posting.txt", self.inputs / f"{job}-posting.txt")
            shutil.copy(data / "prep" / job / "stories.json", self.inputs / f"{job}-stories.json")
        (self.inputs / "empty.txt").write_text("\n")
        (self.inputs / "not-a-zip.zip").write_text("not a zip\n")

    # -- normalising ---------------------------------------------------------------------------

    def normalise(self, text: str) -> str:
        for path, placeholder in self.paths:
            text = text.replace(path, placeholder)
        text = LONG_BASE64.sub(_digest, text)
        text = ISO_TIMESTAMP.sub("<TIMESTAMP>", text)
        text = COMPACT_TIMESTAMP.sub("<TIMESTAMP>", text)
        for day in sorted(self.today):
            for spelling in _spellings(day):
                text = re.sub(rf"(?<![\w-]){re.escape(spelling)}(?![\w-])", "<TODAY>", text)
        return ELAPSED.sub("<ELAPSED>", text)

    # -- running -------------------------------------------------------------------------------

    def python_run(self, code: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.python, "-c", code],
            cwd=self.checkout,
            env=self.env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
            timeout=120,
        )

    def raw(self, args: list[str], stdin: str | None) -> subprocess.CompletedProcess[str]:
        argv = [self.python, "-m", "practice", *args]
        return subprocess.run(
            argv,
            cwd=self.checkout,
            env=self.env,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
            timeout=300,
        )

    def write(
        self, path: Path, args: list[str], proc: subprocess.CompletedProcess[str], extra: str = ""
    ) -> None:
        shown = " ".join(_quote(a) for a in args)
        text = (
            f"$ practice {shown}\n--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}"
            f"--- exit {proc.returncode}\n{extra}"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.normalise(text), encoding="utf-8")

    def run(
        self,
        *args: str,
        name: str | None = None,
        stdin: str | None = None,
        home: bool = True,
        files: tuple[str, ...] = (),
    ) -> subprocess.CompletedProcess[str]:
        """One numbered invocation; `files` (names under the output folder) are shown after."""
        full = (["--home", str(self.home)] if home else []) + list(args)
        proc = self.raw(full, stdin)
        self.n += 1
        extra = "".join(self.show_file(self.out / f) for f in files)
        if stdin is not None:
            extra = f"--- stdin\n{stdin}" + extra
        self.write(self.outdir / f"{self.n:03d}-{name or _slug(args)}.txt", full, proc, extra)
        return proc

    def show_file(self, path: Path) -> str:
        head = f"--- file {path}\n"
        if not path.exists():
            return head + "(missing)\n"
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                names = sorted(z.namelist())
                listing = "".join(f"  {n}\n" for n in names)
                members = "".join(f"--- member {n} {_zip_member(z, n)}" for n in names)
            return f"{head}zip members:\n{listing}{members}"
        data = path.read_bytes()
        if data.startswith(b"\x89PNG"):
            width, height = int.from_bytes(data[16:20]), int.from_bytes(data[20:24])
            return head + f"PNG image {width} x {height}\n"
        return head + data.decode("utf-8", errors="replace")

    def help_tree(self) -> list[list[str]]:
        """`--help` of the group and every command and subcommand, walked through the help's
        "Commands:" sections; written to 000-help/<path>.txt."""
        done: list[list[str]] = []
        todo: list[list[str]] = [[]]
        while todo:
            path = todo.pop(0)
            proc = self.raw([*path, "--help"], None)
            name = "-".join(["practice", *path])
            self.write(self.outdir / "000-help" / f"{name}.txt", [*path, "--help"], proc)
            done.append(path)
            todo[:0] = [[*path, sub] for sub in _subcommands(proc.stdout)]
        tree = "".join(" ".join(["practice", *p]) + "\n" for p in done)
        (self.outdir / "000-help" / "_commands.txt").write_text(tree, encoding="utf-8")
        return done

    def check_import(self) -> None:
        proc = self.python_run("import practice; print(practice.__file__)")
        where = Path(proc.stdout.strip() or "/").resolve()
        if proc.returncode != 0 or not where.is_relative_to(self.checkout.resolve()):
            sys.exit(
                f"golden_cli: 'import practice' from {self.checkout} gives "
                f"{proc.stdout.strip() or proc.stderr.strip()}, not that checkout's code."
            )


def _digest(m: re.Match[str]) -> str:
    """A data URI's payload as its length and digest; an Ogg stream's digest leaves out the
    random stream serial number (and the page checksums over it)."""
    blob = m.group(0)
    try:
        data = _ogg_without_serials(base64.b64decode(blob, validate=True))
    except ValueError:  # not base64: the text as it is
        data = blob.encode()
    return f"<{len(blob)} base64 chars sha256:{hashlib.sha256(data).hexdigest()[:16]}>"


def _ogg_without_serials(data: bytes) -> bytes:
    """Ogg pages with their serial number and CRC zeroed (unchanged if not Ogg)."""
    if not data.startswith(b"OggS"):
        return data
    out = bytearray(data)
    at = 0
    while at + 27 <= len(out) and out[at : at + 4] == b"OggS":
        out[at + 14 : at + 18] = bytes(4)  # stream serial number
        out[at + 22 : at + 26] = bytes(4)  # page checksum
        segments = out[at + 26]
        body = sum(out[at + 27 : at + 27 + segments])
        at += 27 + segments + body
    return bytes(out)


def _zip_member(z: zipfile.ZipFile, name: str) -> str:
    """A member's size and digest; a text member (JSON, HTML, CSV, TOML) with its content,
    normalised later like the rest; the SQLite database by name alone (its pages may differ)."""
    data = z.read(name)
    if name.endswith((".sqlite3", ".sqlite", ".db")):
        return "(database)\n"
    if name.endswith((".json", ".html", ".csv", ".toml", ".txt")):
        text = data.decode("utf-8", errors="replace")
        return "(text)\n" + (text if text.endswith("\n") else text + "\n")
    return f"{len(data)} bytes sha256:{hashlib.sha256(data).hexdigest()[:16]}\n"


def _spellings(day: dt.date) -> list[str]:
    return [
        day.isoformat(),
        f"{day.day} {day:%b %Y}",
        f"{day.day} {day:%B %Y}",
        f"{day:%B} {day.day}, {day.year}",
        f"{day:%b} {day.day}, {day.year}",
    ]


def _subcommands(help_text: str) -> list[str]:
    names: list[str] = []
    inside = False
    for line in help_text.splitlines():
        if line.rstrip().endswith(":") and not line.startswith(" "):
            inside = line.strip() == "Commands:"
            continue
        m = re.match(r"  ([a-z][\w-]*)(?:\s|$)", line)
        if inside and m:
            names.append(m.group(1))
    return names


def _quote(arg: str) -> str:
    return arg if re.fullmatch(r"[\w@%+=:,./-]+", arg) else json.dumps(arg)


def _slug(args: tuple[str, ...]) -> str:
    words = []
    for a in args:
        if "/" in a:
            a = Path(a).name
        words.append(re.sub(r"[^A-Za-z0-9.]+", "-", a).strip("-").replace(".", "_"))
    return "-".join(w for w in words if w)[:60].strip("-") or "practice"


def scenario(g: Golden) -> None:
    """The fixed list of invocations, in order: each sees what the ones before it saved."""
    i, o = g.inputs, g.out
    run = g.run

    def answer(case: str) -> str:
        return str(i / f"{case}.txt")

    run("--version", home=False)
    # An empty data home, and inputs that must be refused with the same one-line error.
    run("history", name="history-empty")
    run("history", "--json", name="history-empty-json")
    run("review", "last", name="review-last-empty")
    run("progress", name="progress-empty")
    run("progress", "--json", name="progress-empty-json")
    run("outcomes", name="outcomes-empty")
    run("diagnose", name="diagnose-empty")
    run("plan", name="plan-empty")
    run("stories", "list", name="stories-list-empty")
    run("export", "--format", "csv", name="export-csv-empty")
    why = ["--question-text", "Why us?"]
    run("score", str(i / "missing.txt"), *why, name="bad-score-missing-file")
    run("score", answer("fit-routes"), "--question", "nope", name="bad-score-unknown-id")
    run(
        "score",
        answer("fit-routes"),
        "--question-text",
        "Why us?",
        "--category",
        "bogus",
        name="bad-score-category",
    )
    run("score", answer("fit-routes"), name="bad-score-no-question")
    run("score", str(i / "empty.txt"), "--question-text", "Why us?", name="bad-score-empty")
    run(
        "score",
        answer("fit-routes"),
        "--question-text",
        "Why us?",
        "--job",
        str(i / "missing-posting.txt"),
        name="bad-score-missing-job",
    )
    run(
        "analyze",
        str(i / "missing.flac"),
        "--question-text",
        "Why us?",
        name="bad-analyze-missing-file",
    )
    run("analyze", answer("fit-routes"), "--question-text", "Why us?", name="bad-analyze-not-audio")
    run("questions", "show", "no-such-question", name="bad-questions-show")
    run("questions", "list", "--category", "bogus", name="bad-questions-category")
    run("review", "999", name="bad-review-id")
    run("review", "abc", name="bad-review-not-a-number")
    run("delete", "999", "--yes", name="bad-delete-id")
    run("export", "999", "--bundle", str(o / "none.zip"), name="bad-export-bundle-id")
    run("export", "--format", "xml", name="bad-export-format")
    run("report", name="bad-report-no-html")
    run("restore", str(i / "missing.zip"), name="bad-restore-missing")
    run("restore", str(i / "not-a-zip.zip"), name="bad-restore-not-zip")
    run("prep", "--job", str(i / "missing.txt"), name="bad-prep-missing-job")
    run("prep", "--job", str(i / "empty.txt"), name="bad-prep-empty-job")
    run("stories", "show", "9", name="bad-stories-show")
    run("stories", "add", "--text", str(i / "missing.txt"), name="bad-stories-add-missing")
    run("outcome", "edit", "9", "--stage", "offer", name="bad-outcome-edit")
    run(
        "outcome",
        "add",
        "--company",
        "X",
        "--role",
        "Y",
        "--stage",
        "interview",
        "--result",
        "rejected",
        "--date",
        "07/12/2025",
        name="bad-outcome-date",
    )
    run("config", "set", "no-such-key", "1", name="bad-config-key")
    run("config", "set", "max-seconds", "lots", name="bad-config-value")
    run("history", "--since", "yesterday", name="bad-history-since")
    run("models", "install", "huge", name="bad-models-install")
    run("fix", "1", name="bad-fix-id")

    # Typed answers: every category, text and JSON, from a file and from standard input.
    for case, question in ANSWERS.items():
        category = g.categories[case]
        cat = ["--category", category] if category else []
        run("score", answer(case), "--question-text", question, *cat, name=f"score-{case}")
    for case in ("billing-export", "fit-routes", "rf-gap-care", "none-supplier"):
        category = g.categories[case]
        cat = ["--category", category] if category else []
        run(
            "score",
            answer(case),
            "--question-text",
            ANSWERS[case],
            *cat,
            "--json",
            name=f"score-{case}-json",
        )
    run(
        "score",
        "-",
        "--question-text",
        ANSWERS["bg-analyst"],
        "--category",
        "background",
        stdin=(i / "bg-analyst.txt").read_text(),
        name="score-stdin",
    )
    run(
        "score",
        "--question",
        "improved-process",
        "--json",
        stdin=(i / "billing-export.txt").read_text(),
        name="score-bank-question-json",
    )
    run(
        "score",
        answer("billing-export"),
        "--question-text",
        ANSWERS["billing-export"],
        "--category",
        "success-story",
        "--job",
        str(i / "software-posting.txt"),
        name="score-with-job",
    )
    run(
        "score",
        answer("fit-routes"),
        "--question-text",
        ANSWERS["fit-routes"],
        "--category",
        "fit",
        "--job",
        str(i / "software-posting.txt"),
        "--json",
        name="score-with-job-json",
    )

    # The example recording: once not saved (text), then saved (JSON), then two at once.
    flac = str(i / "answer.flac")
    run(
        "analyze",
        flac,
        "--question-text",
        EXAMPLE_QUESTION,
        "--category",
        "success-story",
        "--no-save",
        name="analyze-no-save",
    )
    run("history", name="history-after-no-save")
    run("analyze", flac, "--question", "improved-process", "--json", name="analyze-json")
    run(
        "analyze",
        flac,
        flac,
        "--question-text",
        "Tell me about yourself.",
        "--category",
        "background",
        "--job",
        str(i / "software-posting.txt"),
        name="analyze-two-files-job",
    )

    run("models", "list")
    run("models", "list", "--json")
    run("models", "verify")

    # Looking back.
    run("history")
    run("history", "--json")
    run("history", "--category", "success-story")
    run("history", "--category", "background", "--json")
    run("history", "--question", "improved-process")
    run("history", "-n", "1")
    run("history", "--since", "2000-01-01", "--until", "2999-01-01", name="history-since-until")
    run("history", "--since", "2999-01-01", name="history-since-future")
    run("review", "last")
    run("review", "1", "--json")
    run("review", "2")
    run("progress")
    run("progress", "--json")
    run("progress", "--category", "background")
    run("progress", "--plot", str(o / "progress.png"), files=("progress.png",))
    run("report", "--html", str(o / "report.html"), files=("report.html",), name="report-html")
    run(
        "report",
        "--html",
        str(o / "report-last.html"),
        "--last",
        "1",
        files=("report-last.html",),
        name="report-html-last-1",
    )
    run(
        "report",
        "--html",
        str(o / "report-ids.html"),
        "1",
        "3",
        files=("report-ids.html",),
        name="report-html-ids",
    )
    run(
        "report",
        "--html",
        str(o / "report-since.html"),
        "--since",
        "2999-01-01",
        files=("report-since.html",),
        name="report-html-since-future",
    )
    run("export", "--format", "csv")
    run("export", "--format", "json")
    run(
        "export",
        "--format",
        "json",
        "--out",
        str(o / "export.json"),
        files=("export.json",),
        name="export-json-out",
    )
    run(
        "export",
        "2",
        "--bundle",
        str(o / "bundle.zip"),
        files=("bundle.zip",),
        name="export-bundle",
    )
    run("fix", "1")
    run("review", "1", name="review-1-after-fix")
    run("rescore")
    run("rescore", "--all")
    run("rescore", "--all", "--json")

    # Backup and restore: refused over a history, then forced; then into a second home.
    run("backup", str(o / "backup.zip"), files=("backup.zip",), name="backup")
    run("restore", str(o / "backup.zip"), name="restore-without-force")
    run("delete", "3", "--yes")
    run("delete", "2", stdin="n\n", name="delete-answer-no")
    run("history", name="history-after-delete")
    run("restore", str(o / "backup.zip"), "--force", name="restore-force")
    run("history", name="history-after-restore")
    run(
        "--home",
        str(g.tmp / "home2"),
        "restore",
        str(o / "backup.zip"),
        home=False,
        name="restore-into-new-home",
    )
    run("--home", str(g.tmp / "home2"), "history", home=False, name="history-new-home")

    # The question bank.
    run("questions", "list")
    run("questions", "list", "--category", "closing")
    run("questions", "list", "--json")
    run("questions", "show", "improved-process")
    run(
        "questions",
        "add",
        "my-biggest-bet",
        "--text",
        "What is the biggest bet you have made?",
        "--category",
        "success-story",
        "--guidance",
        "A real risk, your reasoning, the outcome.",
        "--target",
        "60-90",
        name="questions-add",
    )
    run(
        "questions",
        "add",
        "my-biggest-bet",
        "--text",
        "Again?",
        "--category",
        "fit",
        name="questions-add-duplicate",
    )
    run(
        "questions",
        "add",
        "my-bad-target",
        "--text",
        "Why?",
        "--category",
        "fit",
        "--target",
        "ninety",
        name="questions-add-bad-target",
    )
    run("questions", "show", "my-biggest-bet")
    run("questions", "list", "--category", "success-story")
    run(
        "score", answer("billing-export"), "--question", "my-biggest-bet", name="score-own-question"
    )

    # Settings.
    run("config")
    run("config", "--json")
    run("config", "path")
    run("config", "set", "max-seconds", "90")
    run("config", "set", "engine", "openai-whisper")
    run("config", "set", "prep", "5")
    run("config", name="config-after-set")
    run("config", "unset", "max-seconds")
    run("config", "unset", "max-seconds", name="config-unset-again")
    run("config", "--json", name="config-json-after-unset")

    # Between interviews.
    run(
        "outcome",
        "add",
        "--company",
        "Routewise",
        "--role",
        "Backend Engineer",
        "--stage",
        "interview",
        "--result",
        "rejected",
        "--date",
        "2025-01-15",
        "--notes",
        "Asked about on-call.",
        name="outcome-add-rejected",
    )
    run(
        "outcome",
        "add",
        "--company",
        "Fresco Foods",
        "--role",
        "Data Analyst",
        "--stage",
        "phone-screen",
        "--result",
        "advanced",
        "--date",
        "2025-02-01",
        name="outcome-add-advanced",
    )
    run(
        "outcome",
        "add",
        "--company",
        "Northwind",
        "--role",
        "Engineer",
        "--stage",
        "applied",
        "--result",
        "no-response",
        name="outcome-add-today",
    )
    run(
        "outcome",
        "add",
        "--company",
        "Acme",
        "--role",
        "Lead",
        "--stage",
        "final-round",
        "--result",
        "offer",
        "--date",
        "2025-03-01",
        name="outcome-add-offer",
    )
    run("outcomes")
    run("outcomes", "--json")
    run("outcome", "edit", "1", "--stage", "final-round", "--notes", "", name="outcome-edit")
    run("outcome", "delete", "2")
    run("outcome", "delete", "2", name="outcome-delete-again")
    run("outcomes", name="outcomes-after-edit")
    run("diagnose")
    run("diagnose", "--json")
    run("plan")
    run("plan", "-n", "3", "--json")
    run(
        "note",
        "thank-you",
        "--company",
        "Routewise",
        "--role",
        "Backend Engineer",
        "--interviewer",
        "Priya",
        "--points",
        "the routing demo; the on-call rota",
        name="note-thank-you",
    )
    run(
        "note",
        "feedback-request",
        "--company",
        "Routewise",
        "--role",
        "Backend Engineer",
        name="note-feedback-request",
    )
    run(
        "note",
        "thank-you",
        "--company",
        "Acme",
        "--role",
        "Lead",
        "--points",
        "pairing",
        "--points",
        "the roadmap",
        "--out",
        str(o / "note.txt"),
        files=("note.txt",),
        name="note-thank-you-out",
    )
    run(
        "note",
        "feedback-request",
        "--company",
        "Acme",
        "--role",
        "Lead",
        "--interviewer",
        "Sam",
        "--edit",
        name="note-feedback-request-edit",
    )

    # The story bank, and job prep against it.
    run("stories", "add", "--text", answer(STORY_TEXT), name="stories-add-text")
    run(
        "stories",
        "add",
        "--text",
        "-",
        "--title",
        "Freezer",
        "--skills",
        "leadership,calm",
        stdin=(i / "none-supplier.txt").read_text(),
        name="stories-add-stdin",
    )
    run("stories", "add", "--from", "last", name="stories-add-from-last")
    for job in PREP_JOBS:
        kept = json.loads((i / f"{job}-stories.json").read_text(encoding="utf-8"))
        for k, s in enumerate(kept[:3]):
            run(
                "stories",
                "add",
                "--title",
                s["title"],
                "--situation",
                s["situation"],
                "--task",
                s["task"],
                "--actions",
                s["actions"],
                "--result",
                s["result"],
                *(["--json"] if k == 0 else []),
                name=f"stories-add-{job}-{k + 1}",
            )
    run(
        "stories",
        "add",
        "--text",
        answer(STORY_TEXT),
        "--situation",
        "x",
        name="bad-stories-add-two-sources",
    )
    run("stories", "list")
    run("stories", "list", "--json")
    run("stories", "show", "1")
    run("stories", "show", "3", "--json")
    run(
        "stories",
        "edit",
        "1",
        "--title",
        "Nightly billing export",
        "--skills",
        "problem-solving,ownership",
        "--quantified-result",
        "The export finished in 20 minutes instead of three hours.",
        name="stories-edit",
    )
    run("stories", "show", "1", name="stories-show-1-after-edit")
    run("stories", "delete", "2", "--yes")
    run("stories", "delete", "2", "--yes", name="stories-delete-again")
    run("stories", "list", name="stories-list-after-delete")
    for job in PREP_JOBS:
        posting = str(i / f"{job}-posting.txt")
        run("prep", "--job", posting, name=f"prep-{job}")
        run("prep", "--job", posting, "--json", name=f"prep-{job}-json")
    run(
        "prep",
        "--job",
        str(i / "software-posting.txt"),
        "--html",
        str(o / "prep.html"),
        files=("prep.html",),
        name="prep-software-html",
    )
    run("prep", "--job", "-", stdin=(i / "nursing-posting.txt").read_text(), name="prep-stdin")
    run("plan", name="plan-at-end")
    run("diagnose", name="diagnose-at-end")
    run("progress", name="progress-at-end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", type=Path, help="The checkout whose code runs.")
    parser.add_argument("outdir", type=Path, help="Where the outputs go (emptied first).")
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="The interpreter with practice's dependencies (default: this one).",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=f"The inputs' folder (default {DEFAULT_DATA}).",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder.")
    args = parser.parse_args()
    checkout = args.checkout.absolute()
    if not (checkout / "practice" / "__init__.py").is_file():
        sys.exit(f"golden_cli: {checkout} holds no practice package.")
    if args.outdir.exists():
        shutil.rmtree(args.outdir)
    args.outdir.mkdir(parents=True)
    tmp = Path(tempfile.mkdtemp(prefix="golden-cli-"))
    start = time.monotonic()
    try:
        g = Golden(checkout, args.outdir.absolute(), args.python, args.data, tmp)
        g.check_import()
        commands = g.help_tree()
        scenario(g)
        if dt.datetime.now(dt.UTC).date() not in g.today:
            print("golden_cli: the run crossed midnight (UTC); run it again.", file=sys.stderr)
    finally:
        if args.keep:
            print(f"golden_cli: kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"golden_cli: {len(commands)} help pages and {g.n} invocations from {checkout} "
        f"in {time.monotonic() - start:.0f} s -> {args.outdir}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
