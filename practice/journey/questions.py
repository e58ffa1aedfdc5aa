"""The question bank: the built-in questions plus the user's own TOML bank files.

A bank file holds an array of tables `[[question]]` with `id`, `category`, `text`, and optionally
`guidance`, `target_seconds = [low, high]` and `tags` (see prompts/README.md). Files are parsed
with tomllib, which only reads data and never runs code.
"""

from __future__ import annotations

import dataclasses
import difflib
import random
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from practice.core.errors import InputError
from practice.core.home import ensure_dir, write_text_atomically
from practice.core.results import CATEGORIES, Question

BUILTIN_FILE = "questions.toml"
USER_BANK_DIR = "questions"  # user banks live in <data home>/questions/*.toml

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # a lowercase slug: "conflict-coworker"
MAX_ID_LENGTH = 60  # characters: ids are typed on the command line
MAX_TARGET_SECONDS = 600  # no interview answer should be planned longer than ten minutes

_REQUIRED = ("id", "category", "text")
_FIELDS = ("id", "category", "text", "guidance", "target_seconds", "tags")
_FIX = "fix the file and retry"
# Forward-compatible: keep the tags once Question grows a field for them.
_QUESTION_HAS_TAGS = "tags" in {f.name for f in dataclasses.fields(Question)}


def load_bank(extra_dirs: Sequence[Path] = ()) -> list[Question]:
    """Load the built-in bank, then every *.toml in each of `extra_dirs` (sorted by name).

    A directory that does not exist is skipped (a new data home has none); a path to a single
    .toml file is loaded as it is. Raises InputError for any invalid file or duplicate id.
    """
    questions: list[Question] = []
    seen: dict[str, str] = {}  # id -> the label of the file that defined it
    builtin = f"{BUILTIN_FILE} (built-in)"
    _add(questions, seen, _parse(_builtin_bytes(), builtin), builtin)
    loaded: set[Path] = set()
    for path in _bank_files(extra_dirs):
        key = path.resolve()
        if key in loaded:  # the same file reached twice is not a duplicate definition
            continue
        loaded.add(key)
        label = str(path)
        _add(questions, seen, _parse(_read_bytes(path), label), label)
    return questions


def user_bank_dirs(home: Path | None) -> list[Path]:
    """Where the user's own bank files live under the data home (none without a home)."""
    return [home / USER_BANK_DIR] if home is not None else []


def resolve(
    question_id: str | None, question_text: str | None, category: str | None, home: Path | None
) -> Question | None:
    """The question an answer was given to: a bank question by id (its category overridden by
    `category` when given), a question by text, a bare category, or None."""
    if question_id:
        q = find(load_bank(user_bank_dirs(home)), question_id)
        if category and category != q.category:
            q = dataclasses.replace(q, category=category)
        return q
    if question_text or category:
        return Question(id=None, text=question_text or "", category=category)
    return None


def find(questions: Sequence[Question], qid: str) -> Question:
    """The question whose id is `qid` (case-insensitive); InputError with close ids if none."""
    wanted = qid.strip().lower()
    for q in questions:
        if q.id is not None and q.id.lower() == wanted:
            return q
    close = _close_ids(wanted, [q.id for q in questions if q.id])
    if close:
        options = " or ".join(f'"{c}"' for c in close)
        raise InputError(
            f'No question "{qid}"; did you mean {options}? Run `practice questions list`.'
        )
    raise InputError(f'No question "{qid}"; run `practice questions list` to see the ids.')


def pick(
    questions: Sequence[Question],
    *,
    category: str | None = None,
    rng: random.Random | None = None,
    counts: Mapping[str, int] | None = None,
) -> Question:
    """A random question, in `category` if given, among the least practised if `counts` is given.

    `counts` maps a question id to the number of attempts at it; a missing id counts as 0.
    """
    if category is not None and category not in CATEGORIES:
        raise InputError(f'Unknown category "{category}"; use one of {", ".join(CATEGORIES)}.')
    pool = [q for q in questions if category is None or q.category == category]
    if not pool:
        where = f' in category "{category}"' if category else ""
        raise InputError(
            f"No questions{where}; add some to a bank file in <data home>/{USER_BANK_DIR}/ "
            "and retry."
        )
    if counts is not None:
        tally = [counts.get(q.id or "", 0) for q in pool]
        least = min(tally)
        pool = [q for q, n in zip(pool, tally, strict=True) if n == least]
    return (rng or random.Random()).choice(pool)


# A bank's name as the user gives it (--bank): a plain file name in <data home>/questions/, letters,
# digits and - _ . (not first), so it can name no other folder ("../x", "/etc/x", "a/b").
_BANK_NAME = re.compile(r"[^\W_][\w.-]{0,99}")


def user_bank_file(home: Path, name: str) -> Path:
    """The bank file named `name` (".toml" added) in the home's questions folder, made if missing;
    a name with a folder in it, or a dot first, is an InputError."""
    stem = name.removesuffix(".toml")
    if not _BANK_NAME.fullmatch(stem) or ".." in stem:
        raise InputError(
            f'"{name}" is not a bank name; give a plain name such as my-questions (letters, '
            "digits, - and _), which is kept in <data home>/questions/."
        )
    return ensure_dir(home / USER_BANK_DIR) / f"{stem}.toml"


def add_question(bank_file: Path, question: Question) -> None:
    """Append `question` to the user bank `bank_file` (created if missing) after validating it.

    Refuses an id already used in the built-in bank, in `bank_file` or in a sibling bank file,
    since any of those would make the next load fail.
    """
    bank_file = Path(bank_file)
    label = str(bank_file)
    if bank_file.suffix != ".toml":
        raise InputError(f"{label}: a question bank file must end in .toml; rename it and retry.")
    entry = _question_to_entry(question)
    qid = question.id if isinstance(question.id, str) else None
    _check_entry(entry, label, _where(None, qid, new=True))

    existing = load_bank([bank_file.parent])  # the built-in bank, this file and its siblings
    if any(q.id == question.id for q in existing):
        raise InputError(
            f'{label}: question id "{question.id}" is already in the bank; '
            "choose another id and retry."
        )

    old = _read_bytes(bank_file).decode("utf-8-sig") if bank_file.exists() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    new_text = old + ("\n" if old else "") + _entry_to_toml(entry)
    # Parse the result before writing, so a bank file is never left in a state that fails to load.
    _parse(new_text.encode("utf-8"), label)
    _write_atomically(bank_file, new_text)


# --- loading -------------------------------------------------------------------------------


def _builtin_bytes() -> bytes:
    try:
        from importlib.resources import files

        return (files("practice.prompts") / BUILTIN_FILE).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        # Running from a checkout (editable install): the bank is not mapped into the package.
        path = Path(__file__).resolve().parents[1] / "prompts" / BUILTIN_FILE
        try:
            return path.read_bytes()
        except OSError as e:
            raise InputError(
                f"The built-in question bank {path} cannot be read ({e.strerror}); "
                "reinstall practice and retry."
            ) from e


def _bank_files(extra_dirs: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for d in extra_dirs:
        d = Path(d)
        if d.is_dir():
            files.extend(sorted(p for p in d.glob("*.toml") if p.is_file()))
        elif d.is_file():
            files.append(d)
        # A missing directory simply holds no user banks yet.
    return files


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read the question bank ({e.strerror}); {_FIX}.") from e


def _parse(data: bytes, label: str) -> list[Question]:
    """Decode, parse and validate one bank file's bytes; `label` names the file in errors."""
    if b"\x00" in data:
        raise InputError(
            f"{label}: this looks like a binary file, not a TOML question bank; "
            "give a UTF-8 text file and retry."
        )
    try:
        text = data.decode("utf-8-sig")  # tolerate the byte-order mark some editors write
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(
            f"{label}: line {line} is not valid UTF-8 text; save the file as UTF-8 and retry."
        ) from e
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        # tomllib's message already ends with "(at line N, column M)".
        raise InputError(f"{label}: not valid TOML: {e}; {_FIX}.") from e

    unknown = sorted(set(doc) - {"question"})
    if unknown:
        raise InputError(
            f'{label}: unknown top-level key "{unknown[0]}"; each question is a '
            f"[[question]] table; {_FIX}."
        )
    entries = doc.get("question", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InputError(
            f'{label}: "question" must be an array of tables written [[question]]; {_FIX}.'
        )

    questions: list[Question] = []
    first_index: dict[str, int] = {}
    for index, entry in enumerate(entries, start=1):
        qid = entry.get("id") if isinstance(entry.get("id"), str) else None
        where = _where(index, qid)
        _check_entry(entry, label, where)
        assert qid is not None  # _check_entry proved it
        if qid in first_index:
            raise InputError(
                f'{label}: {where}: id "{qid}" is already used by question '
                f"{first_index[qid]} in the same file; give each question its own id and retry."
            )
        first_index[qid] = index
        questions.append(_entry_to_question(entry))
    return questions


def _add(questions: list[Question], seen: dict[str, str], new: list[Question], label: str) -> None:
    for index, q in enumerate(new, start=1):
        assert q.id is not None
        if q.id in seen:
            raise InputError(
                f'{label}: {_where(index, q.id)}: id "{q.id}" is already defined in {seen[q.id]}; '
                "rename one of them and retry."
            )
        seen[q.id] = label
        questions.append(q)


def _where(index: int | None, qid: str | None, *, new: bool = False) -> str:
    base = "new question" if new else f"question {index}"
    return f'{base} ("{qid}")' if qid else base


def _check_entry(entry: Mapping[str, Any], label: str, where: str) -> None:
    """Raise InputError naming file, question and field for the first problem in `entry`."""

    def fail(problem: str) -> InputError:
        return InputError(f"{label}: {where}: {problem}; {_FIX}.")

    for key in entry:
        if key not in _FIELDS:
            hint = difflib.get_close_matches(key, _FIELDS, n=1)
            also = f' (did you mean "{hint[0]}"?)' if hint else ""
            raise fail(f'unknown field "{key}"{also}; the fields are {", ".join(_FIELDS)}')
    for key in _REQUIRED:
        if key not in entry:
            raise fail(f'field "{key}" is missing')

    qid = entry["id"]
    if not isinstance(qid, str) or not ID_PATTERN.match(qid) or len(qid) > MAX_ID_LENGTH:
        raise fail(
            f"id {_show(qid)} must be a short slug of lowercase letters, digits and hyphens, "
            'like "conflict-coworker"'
        )
    category = entry["category"]
    if category not in CATEGORIES:
        raise fail(f"category {_show(category)} is not one of {', '.join(CATEGORIES)}")
    text = entry["text"]
    if not isinstance(text, str) or not text.strip():
        raise fail('field "text" must be the question, as non-empty text')
    guidance = entry.get("guidance", "")
    if not isinstance(guidance, str):
        raise fail('field "guidance" must be text')

    if "target_seconds" in entry:
        target = entry["target_seconds"]
        ok = (
            isinstance(target, list)
            and len(target) == 2
            and all(isinstance(t, int) and not isinstance(t, bool) for t in target)
            and 0 < target[0] <= target[1] <= MAX_TARGET_SECONDS
        )
        if not ok:
            raise fail(
                f"target_seconds {_show(target)} must be [low, high], two whole numbers of "
                f"seconds with 0 < low <= high <= {MAX_TARGET_SECONDS}"
            )
    if "tags" in entry:
        tags = entry["tags"]
        if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
            raise fail(f'tags {_show(tags)} must be a list of words, like ["conflict", "teamwork"]')


def _show(value: Any) -> str:
    """A value as the user wrote it in TOML, for error messages."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def _entry_to_question(entry: Mapping[str, Any]) -> Question:
    target = entry.get("target_seconds")
    kwargs: dict[str, Any] = {
        "id": entry["id"],
        "text": entry["text"].strip(),
        "category": entry["category"],
        "guidance": entry.get("guidance", "").strip(),
        "target_seconds": (target[0], target[1]) if target is not None else None,
    }
    if _QUESTION_HAS_TAGS:
        kwargs["tags"] = tuple(t.strip() for t in entry.get("tags", ()))
    return Question(**kwargs)


# --- writing -------------------------------------------------------------------------------


def _question_to_entry(question: Question) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": question.id,
        "category": question.category,
        "text": question.text,
    }
    if question.guidance:
        entry["guidance"] = question.guidance
    if question.target_seconds is not None:
        entry["target_seconds"] = list(question.target_seconds)
    tags = getattr(question, "tags", ())
    if tags:
        entry["tags"] = list(tags)
    # Missing required values are reported by _check_entry as missing fields.
    return {k: v for k, v in entry.items() if v is not None}


def _entry_to_toml(entry: Mapping[str, Any]) -> str:
    lines = ["[[question]]"]
    for key in _FIELDS:
        if key in entry:
            lines.append(f"{key} = {_toml_value(entry[key])}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to a question bank")


def _toml_string(s: str) -> str:
    """A TOML basic string: escape quotes, backslashes and the control characters TOML forbids."""
    named = {
        '"': '\\"',
        "\\": "\\\\",
        "\b": "\\b",
        "\t": "\\t",
        "\n": "\\n",
        "\f": "\\f",
        "\r": "\\r",
    }
    out = []
    for ch in s:
        if ch in named:
            out.append(named[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _write_atomically(path: Path, text: str) -> None:
    # Write a sibling temporary file and rename it over the bank, so a crash mid-write never
    # truncates the user's existing questions.
    try:
        write_text_atomically(path, text)
    except OSError as e:
        raise InputError(
            f"{path}: cannot write the question bank ({e.strerror}); "
            "check the folder's permissions and retry."
        ) from e


# --- suggestions ---------------------------------------------------------------------------


def _close_ids(wanted: str, ids: Sequence[str], n: int = 3) -> list[str]:
    """Ids that look like `wanted`, best first: whole-id similarity or a close hyphenated part.

    Matching parts as well as whole ids finds "conflict-coworker" for the typo "confict", which
    plain difflib misses because the rest of the id dilutes the ratio.
    """
    if not wanted:
        return []
    scored: list[tuple[float, str]] = []
    for qid in ids:
        whole = difflib.SequenceMatcher(None, wanted, qid).ratio()
        parts = [difflib.SequenceMatcher(None, wanted, p).ratio() for p in qid.split("-")]
        prefix = 1.0 if qid.startswith(wanted) and len(wanted) >= 3 else 0.0
        # A part match is discounted a little so an id that matches as a whole ranks first.
        score = max(whole, max(parts, default=0.0) * 0.95, prefix)
        if score >= 0.75:
            scored.append((score, qid))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [qid for _, qid in scored[:n]]
