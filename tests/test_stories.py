"""The story bank: parts from labelled sentences, inferred skills, storage, the practice record,
and the helpers the ask command calls (offer_to_keep, story_question, compare_spoken)."""

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from practice.cli.main import cli
from practice.core.errors import InputError, StoreError
from practice.core.results import Analysis, Question
from practice.history.store import History
from practice.journey import stories as st
from practice.judgment.coach import analyze_text

STORY = (
    "Last year at a software company our support queue had grown to 400 tickets. "
    "My goal was to clear it before the product launch. "
    "I sorted the tickets by topic and I wrote answers for the ten most common questions. "
    "As a result the backlog fell to 40 tickets in three weeks."
)
SUCCESS = Question(
    id="improved-process",
    text="Tell me about a time you improved a process.",
    category="success-story",
    tags=("initiative", "efficiency"),
)


def test_from_text_fills_the_parts_from_the_star_labels():
    story = st.from_text(STORY, title="Support backlog")
    assert "400 tickets" in story.situation
    assert story.task.startswith("My goal was")
    assert "I sorted the tickets" in story.actions
    assert "fell to 40 tickets" in story.result
    assert story.quantified_result is not None and "40" in story.quantified_result


def test_from_sentences_keeps_other_sentences_with_the_part_before():
    story = st.from_sentences(
        [
            {"text": "Intro remark.", "label": "other"},
            {"text": "I rebuilt the rota.", "label": "action"},
            {"text": "It took a weekend.", "label": "other"},
            {"text": "Overtime fell by half.", "label": "result"},
        ]
    )
    assert story.situation == "Intro remark."
    assert story.actions == "I rebuilt the rota. It took a weekend."
    assert story.result == "Overtime fell by half."
    assert story.title  # a default title when none was given


def test_empty_text_is_refused():
    with pytest.raises(InputError):
        st.from_text("   ")


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("I led a team of 6 through the migration.", "leadership"),
        ("My colleague and I disagreed about the design.", "conflict"),
        ("I made a mistake in the report and owned it.", "failure"),
        ("I volunteered to fix the onboarding guide.", "initiative"),
        ("The customer was upset about a late order.", "customer-focus"),
        ("I persuaded the director to approve the budget.", "influence"),
        ("I mentored two junior analysts.", "mentoring"),
        ("I taught myself SQL in two weeks.", "learning"),
    ],
)
def test_infer_skills_finds_each_skill_from_its_cues(text, skill):
    assert skill in st.infer_skills(text)


def test_infer_skills_does_not_invent_skills():
    assert st.infer_skills("The weather was nice on Tuesday.") == ()


def test_an_influencer_is_not_the_influence_skill():
    assert "influence" not in st.infer_skills("Manage our influencer partnerships")
    assert "influence" in st.infer_skills("I influenced the board to fund it")


@pytest.mark.parametrize(
    ("a", "b"),
    [("rates", "rate"), ("manages", "managed"), ("processes", "process"), ("grew", "growing")],
)
def test_stem_brings_forms_of_a_word_together(a, b):
    assert st.stem(a) == st.stem(b)


def test_normalise_skills_maps_what_users_type():
    assert st.normalise_skills(
        ["Customer Focus", "failure and learning", "conflict", "conflict", " "]
    ) == ("customer-focus", "failure", "conflict")


def test_offer_to_keep_wants_a_well_structured_success_story():
    good = analyze_text(STORY, question=SUCCESS)
    assert good.scores.structure.score >= st.OFFER_MIN_STRUCTURE
    assert st.offer_to_keep(good)
    assert st.offer_to_keep(Analysis.from_dict(good.to_dict()))  # as the history gives it
    fit = analyze_text(STORY, question=Question(id=None, text="Why us?", category="fit"))
    assert not st.offer_to_keep(fit)
    weak = analyze_text("I think I am good with people.", question=SUCCESS)
    assert not st.offer_to_keep(weak)


def test_story_question_prefers_a_question_sharing_its_skills():
    bank = [
        Question(
            id="why-us", text="Why do you want this job?", category="fit", tags=("motivation",)
        ),
        Question(
            id="led-team",
            text="Tell me about a time you led a team.",
            category="success-story",
            tags=("leadership", "teamwork"),
        ),
        Question(
            id="conflict-coworker",
            text="Tell me about a conflict with a coworker.",
            category="success-story",
            tags=("conflict", "teamwork"),
        ),
        Question(
            id="biggest-failure",
            text="Tell me about a failure.",
            category="red-flag",
            tags=("failure", "ownership"),
        ),
    ]
    conflict = st.Story(
        title="Code style", actions="We disagreed and I listened.", skills=("conflict", "teamwork")
    )
    assert st.story_question(conflict, bank).id == "conflict-coworker"
    failure = st.Story(
        title="Rushed migration", actions="I rushed it and lost data.", skills=("failure",)
    )
    assert st.story_question(failure, bank).id == "biggest-failure"
    # No fitting question: a general achievement question, never a fit question.
    unrelated = st.Story(title="Zzz", actions="Qqq.", skills=("unknown-skill",))
    fallback = st.story_question(unrelated, bank[:1])
    assert fallback.id is None and fallback.category == "success-story"


def test_compare_spoken_finds_dropped_parts_and_missing_numbers():
    story = st.from_text(STORY)
    told = analyze_text(
        "At a software company the support queue had grown. I sorted the tickets by topic "
        "and I wrote answers for the common questions.",
        question=SUCCESS,
    )
    diff = st.compare_spoken(story, told)
    assert diff.result_left_out is True
    assert "result" in diff.parts_dropped and "task" in diff.parts_dropped
    assert diff.quantified_result_missing is True
    assert "40" in diff.numbers_missed
    assert any("result" in tip for tip in diff.tips)
    doc = diff.to_dict()  # what `ask --json` and `review --json` carry under "story"
    assert list(doc) == [
        "story_id",
        "parts_dropped",
        "result_left_out",
        "quantified_result_missing",
        "numbers_missed",
        "terms_missed",
        "tips",
    ]
    assert doc["parts_dropped"] == list(diff.parts_dropped) and json.dumps(doc)

    full = st.compare_spoken(story, analyze_text(STORY, question=SUCCESS))
    assert full.parts_dropped == () and not full.result_left_out
    assert not full.quantified_result_missing and full.numbers_missed == ()


def test_compare_spoken_flags_a_result_told_without_its_number():
    story = st.from_text(STORY)
    vague = STORY.replace("fell to 40 tickets in three weeks", "got much smaller")
    diff = st.compare_spoken(story, analyze_text(vague, question=SUCCESS))
    assert not diff.result_left_out
    assert diff.quantified_result_missing is True


def test_form_round_trips_and_rejects_bad_fields():
    story = st.from_text(STORY, title='A "quoted" title', skills=["initiative"])
    fields = st.parse_form(st.to_form(story))
    assert fields["title"] == 'A "quoted" title'
    assert fields["skills"] == ("initiative",)
    assert fields["result"] == story.result
    with pytest.raises(InputError):
        st.parse_form('title = "x"\ncolour = "red"\n')
    with pytest.raises(InputError):
        st.parse_form('title = ""\n')
    with pytest.raises(InputError):
        st.parse_form("title = [unclosed\n")


def test_bank_stores_edits_deletes_and_counts_rehearsals(tmp_path):
    home = tmp_path / "home"
    with History.open(home) as history:
        first = history.save(analyze_text(STORY, question=SUCCESS), None)
    with st.StoryBank.open(home) as bank:
        kept = bank.add(st.from_attempt(bank.history.get(first.id).analysis, title="Backlog"))
        assert kept.id is not None and kept.source_attempt_id == first.id
        assert kept.record.attempts == 1  # the attempt it was taken from
        # An attempt that rehearsed it (as `practice ask --story` saves it).
        second = bank.history.save(
            analyze_text(STORY + " Everyone was pleased.", question=SUCCESS),
            None,
            story_id=kept.id,
        )
        record = bank.get(kept.id).record
        assert record.attempts == 2
        assert record.latest_score == second.scores.overall
        assert record.best_score == max(first.scores.overall, second.scores.overall)
        assert record.last_practised is not None

        edited = bank.update(kept.id, result="Tickets fell by 90 percent.", skills=["Influence"])
        assert edited.skills == ("influence",)
        assert edited.quantified_result == "Tickets fell by 90 percent."
        assert [s.id for s in bank.stories()] == [kept.id]
        bank.delete(kept.id)
        assert bank.stories() == []
        with pytest.raises(StoreError):
            bank.get(kept.id)
        with pytest.raises(InputError):
            bank.get("abc")


def run(tmp_path, *args, input=None):
    return CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), *args], input=input)


def test_cli_add_list_show_edit_delete(tmp_path):
    r = run(tmp_path, "stories", "add", "--text", "-", "--title", "Backlog", "--json", input=STORY)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["id"] == 1 and doc["title"] == "Backlog" and "400" in doc["situation"]

    r = run(tmp_path, "stories", "list", "--json")
    assert [s["title"] for s in json.loads(r.output)] == ["Backlog"]
    assert json.loads(r.output)[0]["practice"]["attempts"] == 0

    r = run(
        tmp_path,
        "stories",
        "edit",
        "1",
        "--title",
        "Support backlog",
        "--skills",
        "initiative,efficiency",
    )
    assert r.exit_code == 0, r.output
    shown = json.loads(run(tmp_path, "stories", "show", "1", "--json").output)
    assert shown["title"] == "Support backlog"
    assert shown["skills"] == ["initiative", "efficiency"]

    r = run(tmp_path, "stories", "show", "1")
    assert "Situation:" in r.output and "400 tickets" in r.output

    r = run(tmp_path, "stories", "delete", "1", input="n\n")
    assert r.exit_code == 1  # declined: nothing deleted
    assert len(json.loads(run(tmp_path, "stories", "list", "--json").output)) == 1
    assert run(tmp_path, "stories", "delete", "1", "--yes").exit_code == 0
    r = run(tmp_path, "stories", "show", "1")
    assert r.exit_code == 1 and "No story 1" in r.output


def test_cli_add_from_attempt_and_bad_usage(tmp_path):
    with History.open(tmp_path / "home") as history:
        history.save(analyze_text(STORY, question=SUCCESS), None)
    r = run(tmp_path, "stories", "add", "--from", "last", "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["source_attempt_id"] is not None and doc["practice"]["attempts"] == 1
    r = run(tmp_path, "stories", "add", "--from", "last", "--text", "-", input=STORY)
    assert r.exit_code == 2
    r = run(tmp_path, "stories", "add", "--from", "99")
    assert r.exit_code == 1 and "No attempt 99" in r.output


def test_cli_edit_in_the_editor(tmp_path, monkeypatch):
    assert run(tmp_path, "stories", "add", "--text", "-", input=STORY).exit_code == 0

    def fake_edit(text, **kwargs):
        assert "title = " in text
        return text.replace("skills = [", 'skills = ["leadership", ')

    monkeypatch.setattr("click.edit", fake_edit)
    r = run(tmp_path, "stories", "edit", "1")
    assert r.exit_code == 0, r.output
    shown = json.loads(run(tmp_path, "stories", "show", "1", "--json").output)
    assert shown["skills"][0] == "leadership"


def test_the_bank_uses_the_historys_one_connection(tmp_path, monkeypatch):
    import sqlite3

    opened = []
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: opened.append(a[0]) or connect(*a, **k))
    with st.StoryBank.open(tmp_path / "home") as bank:
        kept = bank.add(st.from_text(STORY, title="Backlog"))
        bank.update(kept.id, title="Support backlog")
        # What the bank wrote, the history reads on the same connection, and the reverse.
        assert bank.history.stories() == bank.stories() == [bank.get(kept.id)]
        assert bank.history.story(kept.id).title == "Support backlog"
        rehearsal = bank.history.save(analyze_text(STORY, question=SUCCESS), None, story_id=kept.id)
        assert bank.get(kept.id).record.attempts == 1
        assert bank.get(kept.id).record.latest_score == rehearsal.scores.overall
        bank.delete(kept.id)
        assert bank.history.stories() == []
        # The rehearsal stays, no longer pointing at a story (ON DELETE SET NULL).
        assert bank.history.get(rehearsal.id).story_id is None
    assert len(opened) == 1  # History.open's; the bank opens no second connection


def test_the_store_keeps_stories_as_given(tmp_path):
    with History.open(tmp_path / "home") as history:
        kept = history.add_story(st.Story(title="T", result="Costs fell 20%.", skills=("a", "b")))
        assert (kept.title, kept.result, kept.skills, kept.quantified_result) == (
            "T",
            "Costs fell 20%.",
            ("a", "b"),
            None,
        )  # completing it is the bank's work
        assert history.update_story(replace(kept, task="Cut costs.")).task == "Cut costs."
        with pytest.raises(ValueError):
            history.update_story(st.Story(title="never kept"))
        with pytest.raises(StoreError, match="No story 9; run `practice stories list`"):
            history.story(9)
