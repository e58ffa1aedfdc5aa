"""The cue words in practice/judgment/cues.toml, run on their own examples and counter-examples
through the real parser: each group fires on every example and on no counter-example."""

from __future__ import annotations

import tomllib

import pytest

from practice.judgment import cues
from practice.judgment.parse import parse_sentences

pytestmark = pytest.mark.model

DOC = tomllib.loads(cues.CUES_FILE.read_text("utf-8"))
MATCHERS = {"duty": cues.duty, "change": cues.change}
CASES = [
    (group, text, expected)
    for group in MATCHERS
    for key, expected in (("examples", True), ("counter", False))
    for text in DOC[group][key]
]


@pytest.mark.parametrize(("group", "text", "expected"), CASES)
def test_cue_groups_fire_on_their_examples_only(group: str, text: str, expected: bool) -> None:
    (sentence,) = parse_sentences([text])
    assert MATCHERS[group](sentence) is expected


def test_every_group_has_examples_both_ways() -> None:
    for group in MATCHERS:
        assert DOC[group]["examples"] and DOC[group]["counter"], group


def test_a_cue_inside_a_longer_word_does_not_fire() -> None:
    # "target" is a duty noun, "targeted" an adjective of another sense; "chargeback" holds
    # "charge": matching is on whole lemmas and their place in the parse.
    (s,) = parse_sentences(["I handled the chargeback queue for targeted ads every morning."])
    assert not cues.duty(s)


def test_the_cue_lists_come_from_the_data_file() -> None:
    c = cues.from_data({**DOC, "duty": {**DOC["duty"], "adjectives": []}})
    (s,) = parse_sentences(["I was responsible for the content."])
    assert cues.duty(s, c) is False and cues.duty(s) is True


PHRASE_CASES = [
    (group, text, expected)
    for group in cues.PHRASE_GROUPS
    for key, expected in (("examples", True), ("counter", False))
    for text in DOC[group][key]
]


@pytest.mark.parametrize(("group", "text", "expected"), PHRASE_CASES)
def test_phrase_groups_fire_on_their_examples_only(group: str, text: str, expected: bool) -> None:
    assert cues.says(text, group) is expected


def test_a_phrase_matches_whole_words_only() -> None:
    # "left" is a departure word; "leftover" and "cleft" hold it but say nothing of leaving
    assert not cues.says("What did you do with the leftover budget?", "departure_question")
    assert cues.says("Why you left, in brief?", "departure_question")


def test_red_flag_kinds_follow_the_question() -> None:
    assert cues.red_flag_kind("What did you like least about your last job?") == "departure"
    assert cues.red_flag_kind("What is your biggest weakness?") == "weakness"
    assert cues.red_flag_kind("Tell me about a time you failed.") == "setback"


def test_a_question_topic_leaves_out_the_words_every_question_asks_with() -> None:
    from practice.judgment.features import question_overlap, question_topic

    assert question_topic("Tell me about a time you worked under pressure.") == {"pressur"}
    assert question_topic("Tell me about yourself.") == set()
    story = ["The deadline moved up a week, and the pressure on the team was real."]
    assert question_overlap("How do you handle working under pressure?", story) == 1.0
    assert question_overlap("What is your greatest weakness?", story) == 0.0
