"""The question bank: the built-in questions, user banks, validation, find, pick, add."""

from __future__ import annotations

import random
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from practice.core.errors import InputError, PracticeError
from practice.core.results import CATEGORIES, Question
from practice.journey.questions import add_question, find, load_bank, pick

GOOD_ENTRY = """
[[question]]
id = "{id}"
category = "{category}"
text = "Tell me about a time you shipped something."
guidance = "Situation, task, your actions, a result with a number."
target_seconds = [60, 120]
tags = ["results"]
"""


def write_bank(directory: Path, name: str, text: str | bytes) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def entry(qid: str = "my-story", category: str = "success-story") -> str:
    return GOOD_ENTRY.format(id=qid, category=category)


@pytest.fixture(scope="module")
def builtin() -> list[Question]:
    return load_bank()


# --- the built-in bank -----------------------------------------------------------------------


def test_builtin_bank_is_large_and_covers_every_category(builtin: list[Question]) -> None:
    assert len(builtin) >= 60
    per_category = Counter(q.category for q in builtin)
    assert set(per_category) == set(CATEGORIES)
    assert all(per_category[c] >= 8 for c in CATEGORIES), per_category
    # Stories are what interviewers probe most, so they get the most practice material.
    assert per_category.most_common(1)[0][0] == "success-story"
    assert per_category["success-story"] >= 18


def test_builtin_ids_are_unique_slugs(builtin: list[Question]) -> None:
    ids = [q.id for q in builtin]
    assert len(ids) == len(set(ids))
    for qid in ids:
        assert qid is not None and qid == qid.lower() and " " not in qid


def test_builtin_questions_have_guidance_and_sensible_targets(builtin: list[Question]) -> None:
    for q in builtin:
        assert q.text.strip().endswith(("?", ".")), q.id
        # Two or three sentences: a coach's brief, not a word and not an essay.
        sentences = q.guidance.count(". ") + 1
        assert len(q.guidance) >= 80 and 2 <= sentences <= 4, (q.id, q.guidance)
        assert q.target_seconds is not None, q.id
        low, high = q.target_seconds
        assert 10 <= low < high <= 180, (q.id, q.target_seconds)


def test_builtin_targets_follow_the_category(builtin: list[Question]) -> None:
    for q in builtin:
        assert q.target_seconds is not None
        low, high = q.target_seconds
        if q.category == "success-story":
            # Behavioural answers of one to two minutes (common career-centre advice).
            assert low >= 45 and high >= 90, q.id
        if q.category == "closing":
            assert high <= 60, q.id


def test_builtin_file_parses_as_plain_toml_with_tags() -> None:
    path = Path(__file__).resolve().parents[1] / "prompts" / "questions.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    assert all(e.get("tags") for e in doc["question"])
    assert [e["id"] for e in doc["question"]] == [q.id for q in load_bank()]


# --- user banks ------------------------------------------------------------------------------


def test_user_banks_are_added_after_the_builtin_in_file_name_order(tmp_path: Path) -> None:
    write_bank(tmp_path, "b.toml", entry("second-story"))
    write_bank(tmp_path, "a.toml", entry("first-story", "fit"))
    write_bank(tmp_path, "notes.txt", "not a bank")
    questions = load_bank([tmp_path])
    assert [q.id for q in questions[-2:]] == ["first-story", "second-story"]
    added = questions[-1]
    assert added.category == "success-story"
    assert added.target_seconds == (60, 120)
    assert added.guidance.startswith("Situation")
    assert len(questions) == len(load_bank()) + 2


def test_missing_user_directory_is_not_an_error(tmp_path: Path) -> None:
    assert len(load_bank([tmp_path / "nowhere"])) == len(load_bank())


def test_optional_fields_may_be_left_out(tmp_path: Path) -> None:
    write_bank(
        tmp_path,
        "min.toml",
        '[[question]]\nid = "bare"\ncategory = "closing"\ntext = "Any questions?"\n',
    )
    q = load_bank([tmp_path])[-1]
    assert (q.id, q.guidance, q.target_seconds) == ("bare", "", None)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            entry("why-this-team", "fitt"),
            ['question 2 ("why-this-team")', 'category "fitt"', "success-story, fit, background"],
        ),
        ('[[question]]\nid = "no-text"\ncategory = "fit"\n', ['("no-text")', '"text" is missing']),
        (
            entry("bad-target").replace("[60, 120]", "[120, 60]"),
            ['("bad-target")', "target_seconds [120, 60]"],
        ),
        (
            entry("float-target").replace("[60, 120]", "[60.5, 90]"),
            ['("float-target")', "target_seconds"],
        ),
        (entry("one-target").replace("[60, 120]", "90"), ["target_seconds 90"]),
        (entry("Bad Id"), ['id "Bad Id"', "slug"]),
        (entry("typo").replace("guidance", "guidence"), ['"guidence"', 'did you mean "guidance"']),
        (entry("tagged").replace('["results"]', '"results"'), ['tags "results"']),
        ('[[questions]]\nid = "x"\n', ['top-level key "questions"', "[[question]]"]),
    ],
)
def test_malformed_user_bank_names_file_question_and_field(
    tmp_path: Path, body: str, expected: list[str]
) -> None:
    path = write_bank(tmp_path, "mine.toml", entry("fine-story") + body)
    with pytest.raises(InputError) as info:
        load_bank([tmp_path])
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    for part in expected:
        assert part in message


def test_error_counts_questions_from_one(tmp_path: Path) -> None:
    write_bank(tmp_path, "mine.toml", entry("one") + entry("two") + entry("three", "fitt"))
    with pytest.raises(InputError, match=r'question 3 \("three"\): category "fitt"'):
        load_bank([tmp_path])


def test_duplicate_id_within_one_file(tmp_path: Path) -> None:
    write_bank(tmp_path, "mine.toml", entry("twice") + entry("twice", "fit"))
    with pytest.raises(InputError, match=r'question 2 \("twice"\).*already used by question 1'):
        load_bank([tmp_path])


def test_duplicate_id_across_files_names_both(tmp_path: Path) -> None:
    first = write_bank(tmp_path / "one", "a.toml", entry("shared-id"))
    second = write_bank(tmp_path / "two", "b.toml", entry("shared-id"))
    with pytest.raises(InputError) as info:
        load_bank([tmp_path / "one", tmp_path / "two"])
    message = str(info.value)
    assert str(first) in message and str(second) in message and '"shared-id"' in message


def test_user_bank_cannot_redefine_a_builtin_id(tmp_path: Path) -> None:
    path = write_bank(tmp_path, "mine.toml", entry("why-us", "fit"))
    with pytest.raises(InputError) as info:
        load_bank([tmp_path])
    assert str(path) in str(info.value) and "questions.toml (built-in)" in str(info.value)


def test_same_directory_twice_is_not_a_duplicate(tmp_path: Path) -> None:
    write_bank(tmp_path, "mine.toml", entry("only-once"))
    ids = [q.id for q in load_bank([tmp_path, tmp_path])]
    assert ids.count("only-once") == 1


def test_invalid_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write_bank(tmp_path, "broken.toml", entry("ok") + '\n[[question]]\nid = "oops\n')
    with pytest.raises(InputError) as info:
        load_bank([tmp_path])
    message = str(info.value)
    assert message.startswith(f"{path}: not valid TOML")
    assert "line 11" in message


def test_binary_file_is_refused_by_name(tmp_path: Path) -> None:
    path = write_bank(tmp_path, "image.toml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match="binary") as info:
        load_bank([tmp_path])
    assert str(path) in str(info.value)


def test_non_utf8_file_names_file_and_line(tmp_path: Path) -> None:
    text = entry("latin").encode("utf-8") + 'text = "caf\u00e9"\n'.encode("latin-1")
    path = write_bank(tmp_path, "latin.toml", text)
    with pytest.raises(InputError) as info:
        load_bank([tmp_path])
    message = str(info.value)
    assert str(path) in message and "line 9" in message and "UTF-8" in message


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    write_bank(tmp_path, "bom.toml", b"\xef\xbb\xbf" + entry("with-bom").encode("utf-8"))
    assert load_bank([tmp_path])[-1].id == "with-bom"


def test_bank_errors_are_practice_errors(tmp_path: Path) -> None:
    # The CLI turns PracticeError into one line and exit status 1.
    write_bank(tmp_path, "mine.toml", "= nothing")
    with pytest.raises(PracticeError):
        load_bank([tmp_path])


# --- find ------------------------------------------------------------------------------------


def test_find_returns_the_question(builtin: list[Question]) -> None:
    q = find(builtin, "conflict-coworker")
    assert q.id == "conflict-coworker" and q.category == "success-story"
    assert find(builtin, " Conflict-Coworker ").id == "conflict-coworker"


def test_find_suggests_close_ids(builtin: list[Question]) -> None:
    with pytest.raises(InputError) as info:
        find(builtin, "confict")
    message = str(info.value)
    assert message.startswith('No question "confict"; did you mean "conflict-coworker"')
    assert "practice questions list" in message


def test_find_suggests_the_whole_id_first(builtin: list[Question]) -> None:
    with pytest.raises(InputError, match=r'did you mean "why-us"\?'):
        find(builtin, "why-uss")


def test_find_without_any_close_id(builtin: list[Question]) -> None:
    with pytest.raises(InputError) as info:
        find(builtin, "zzqqxx")
    assert "did you mean" not in str(info.value)
    assert '"zzqqxx"' in str(info.value)


# --- pick ------------------------------------------------------------------------------------


def test_pick_honours_the_category(builtin: list[Question]) -> None:
    rng = random.Random(7)
    for category in CATEGORIES:
        picks = {pick(builtin, category=category, rng=rng).id for _ in range(30)}
        assert all(find(builtin, qid).category == category for qid in picks if qid)
        assert len(picks) > 1  # random, not always the first


def test_pick_rejects_unknown_category(builtin: list[Question]) -> None:
    with pytest.raises(InputError, match='"fitt".*success-story'):
        pick(builtin, category="fitt")


def test_pick_with_no_questions_in_category() -> None:
    only_fit = [Question(id="a", text="Why us?", category="fit")]
    with pytest.raises(InputError, match='category "closing"'):
        pick(only_fit, category="closing")


def test_pick_chooses_among_the_least_practised() -> None:
    bank = [Question(id=f"q{i}", text=f"Question {i}?", category="fit") for i in range(5)]
    counts = {"q0": 3, "q1": 1, "q2": 1, "q3": 2}  # q4 never practised
    rng = random.Random(1)
    assert {pick(bank, rng=rng, counts=counts).id for _ in range(20)} == {"q4"}
    counts["q4"] = 1
    assert {pick(bank, rng=rng, counts=counts).id for _ in range(50)} == {"q1", "q2", "q4"}


def test_pick_least_practised_within_the_category(builtin: list[Question]) -> None:
    closing = [q.id for q in builtin if q.category == "closing"]
    counts = {qid: 5 for qid in closing if qid}
    counts[closing[3] or ""] = 0
    # Other categories are never practised, but the category still wins.
    assert pick(builtin, category="closing", counts=counts).id == closing[3]


def test_pick_is_reproducible_with_a_seed(builtin: list[Question]) -> None:
    first = [pick(builtin, rng=random.Random(42)).id for _ in range(3)]
    assert len(set(first)) == 1


# --- add_question ----------------------------------------------------------------------------


def test_add_question_round_trip(tmp_path: Path) -> None:
    bank = tmp_path / "questions" / "mine.toml"
    tricky = 'Tell me about "the" project\\pipeline\twith a tab and\na new line?'
    new = Question(
        id="pipeline-story",
        text=tricky,
        category="success-story",
        guidance="Name the project. Say what you did. Give the number.",
        target_seconds=(60, 100),
    )
    add_question(bank, new)
    add_question(bank, Question(id="team-q", text="What about the team?", category="closing"))
    loaded = load_bank([bank.parent])
    assert loaded[-2] == new
    assert loaded[-1] == Question(id="team-q", text="What about the team?", category="closing")
    assert bank.read_text(encoding="utf-8").count("[[question]]") == 2


def test_add_question_appends_to_a_handwritten_file(tmp_path: Path) -> None:
    bank = write_bank(tmp_path, "mine.toml", "# my questions\n" + entry("mine-1").rstrip("\n"))
    add_question(bank, Question(id="mine-2", text="Why this team?", category="fit"))
    text = bank.read_text(encoding="utf-8")
    assert text.startswith("# my questions\n")
    assert [q.id for q in load_bank([tmp_path])[-2:]] == ["mine-1", "mine-2"]


def test_add_question_refuses_duplicate_ids(tmp_path: Path) -> None:
    bank = tmp_path / "mine.toml"
    add_question(bank, Question(id="once", text="Once?", category="fit"))
    before = bank.read_bytes()
    with pytest.raises(InputError, match='"once" is already in the bank'):
        add_question(bank, Question(id="once", text="Twice?", category="fit"))
    with pytest.raises(InputError, match='"why-us" is already in the bank'):
        add_question(bank, Question(id="why-us", text="Why us?", category="fit"))
    # A sibling bank is loaded with this one, so its ids are taken too.
    write_bank(tmp_path, "other.toml", entry("sibling"))
    with pytest.raises(InputError, match='"sibling"'):
        add_question(bank, Question(id="sibling", text="Again?", category="fit"))
    assert bank.read_bytes() == before


@pytest.mark.parametrize(
    ("question", "field"),
    [
        (Question(id="x-1", text="Why?", category="fitt"), 'category "fitt"'),
        (Question(id="x-2", text="   ", category="fit"), '"text"'),
        (Question(id=None, text="Why?", category="fit"), '"id" is missing'),
        (Question(id="x-3", text="Why?", category=None), '"category" is missing'),
        (Question(id="x-4", text="Why?", category="fit", target_seconds=(0, 30)), "target_seconds"),
    ],
)
def test_add_question_validates_first(tmp_path: Path, question: Question, field: str) -> None:
    bank = tmp_path / "mine.toml"
    with pytest.raises(InputError) as info:
        add_question(bank, question)
    assert field in str(info.value) and str(bank) in str(info.value)
    assert not bank.exists()


def test_add_question_needs_a_toml_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.toml"):
        add_question(tmp_path / "mine.txt", Question(id="a-b", text="Why?", category="fit"))
