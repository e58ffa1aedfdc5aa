"""STAR labelling on hand-built answers."""

import pytest

from practice.core.results import Sentence
from practice.judgment.sentences import split_sentences
from practice.judgment.structure import analyze_structure, quantified_outcome

STRONG = (
    "Last spring at a logistics startup, our nightly billing export kept failing and customers "
    "were getting invoices days late. I was responsible for the billing service, so fixing it "
    "was my job. I traced the failures to a query that locked the orders table, rewrote it to "
    "read from a replica, and added an alert for slow runs. After that the export finished in "
    "20 minutes instead of three hours, and late invoices dropped to zero."
)
VAGUE = "We had a problem with a client once, we handled it, it went well."
HABIT = (
    "I always stay calm under pressure. When things get busy I make a list and prioritise. "
    "I usually talk to my manager if deadlines slip."
)
CONTEXT_NUMBERS = (
    "In 2019 I was on a team of 5 engineers at a bank, and we had a migration due in 6 months. "
    "My task was to move the reporting jobs. I wrote a migration plan and moved the jobs one by "
    "one. The migration was completed and the business was happy with it."
)


def _structure(text: str, category: str | None = "success-story"):
    return analyze_structure(split_sentences(text), category=category)


def test_strong_story_has_all_four_parts_in_order_with_a_measured_result():
    st = _structure(STRONG)
    assert [s.label for s in st.sentences] == ["situation", "task", "action", "result"]
    assert (st.situation, st.task, st.action, st.result) == (True, True, True, True)
    assert st.result_quantified
    assert st.action_ownership == 1.0
    assert st.order_ok


def test_vague_answer_has_no_action_and_an_unmeasured_result():
    st = _structure(VAGUE)
    labels = {s.text: s.label for s in st.sentences}
    assert labels["it went well."] == "result"
    assert labels["we handled it,"] != "action"
    assert not st.action and not st.task
    assert st.result and not st.result_quantified
    assert st.action_ownership is None


def test_general_habits_are_not_a_situation():
    st = _structure(HABIT)
    assert not st.situation and not st.action and not st.result
    assert all(s.label == "other" for s in st.sentences)


def test_numbers_in_context_and_timeline_do_not_quantify_the_result():
    st = _structure(CONTEXT_NUMBERS)
    assert st.situation and st.task and st.action and st.result
    assert not st.result_quantified


def test_hedged_or_hypothetical_steps_are_not_actions():
    st = _structure("I think I would probably call the client and maybe move the deadline.")
    assert not st.action


def test_ownership_counts_i_against_we():
    st = _structure(
        "At my last job our release was late. We rewrote the build scripts. "
        "I set up nightly test runs. We moved the deploy to Tuesdays."
    )
    assert st.action_ownership == pytest.approx(1 / 3)


def test_results_before_actions_break_the_order():
    st = _structure(
        "Sales went up by 20 percent as a result. The team was happy in the end. "
        "At my last job the shop was losing customers. I redesigned the loyalty card. "
        "I trained the cashiers on the new offers."
    )
    assert st.result and st.action
    assert not st.order_ok


def test_action_time_share_uses_sentence_times_then_word_counts():
    timed = [
        Sentence("At my last job the build was slow.", "other", 0.0, 2.0),
        Sentence("I cached the dependencies in the pipeline.", "other", 2.0, 8.0),
    ]
    st = analyze_structure(timed, category="success-story")
    assert st.action_time_share == pytest.approx(0.75)
    untimed = [Sentence(s.text, "other") for s in timed]
    share = analyze_structure(untimed, category="success-story").action_time_share
    assert share == pytest.approx(7 / 15)


def test_empty_answer_has_nothing():
    st = analyze_structure([], category=None)
    assert not (st.situation or st.task or st.action or st.result or st.result_quantified)
    assert st.action_ownership is None and st.action_time_share is None


def test_career_history_and_experience_are_neither_scene_nor_steps():
    st = _structure(
        "So I grew up in Leeds, I studied history at university, and then I worked in a "
        "bookshop. After that I moved into admin at an estate agent.",
        "background",
    )
    assert not (st.situation or st.action)
    # A present-perfect step with no episode is experience; inside an episode it is a step.
    assert not _structure("I've applied to a hundred places this year.", "fit").action
    gap = _structure(
        "I was let go in March after a restructuring. I've since taken a sales course.", "red-flag"
    )
    assert gap.situation and gap.action


def test_what_follows_the_steps_is_a_result_even_without_an_outcome_verb():
    st = _structure(
        "At my last job the claims dashboard was slow. I rebuilt it in Power BI and added a "
        "filter per region. People used it a lot more after that."
    )
    assert [s.label for s in st.sentences][-1] == "result"
    assert not st.result_quantified


def test_it_was_up_to_me_to_is_a_task_but_owning_a_mistake_is_not():
    assert _structure("It was up to me to save the dinner.").task
    assert not _structure("That was on me.", "red-flag").task


def test_causative_got_is_a_step_and_a_question_tells_no_part():
    st = _structure(
        "Last May our supplier went bust. I got a local baker to supply us for a month."
    )
    assert st.action
    asked = _structure("You mentioned the stores moved to a new system last year, how did it go?")
    assert not (asked.situation or asked.action or asked.result)


def test_clock_times_and_counts_of_change():
    assert not quantified_outcome("The couple got the invitations by 9 in the morning.")
    assert quantified_outcome("That check has caught 30 more duplicates since.")
    assert quantified_outcome("We got the average delivery down from 3 days to 2.")


def test_a_hyphenated_past_verb_is_a_step_and_a_hyphenated_adjective_is_no_scene():
    st = _structure("Last year our rota kept breaking. I re-planned the shifts around school runs.")
    assert [s.label for s in st.sentences] == ["situation", "action"]
    assert _structure("Scores and tips on hand-built answers.").sentences[0].label == "other"
