"""Sentence splitting and timing from words."""

import pytest

from practice.core.results import Word
from practice.judgment.sentences import split_sentences


def _words(text: str, step: float = 0.5) -> list[Word]:
    return [Word(w, i * step, i * step + 0.4, 0.9) for i, w in enumerate(text.split())]


def test_splits_at_sentence_punctuation_and_keeps_abbreviations():
    out = split_sentences("I met Dr. Lee at 9.30 on Monday. Was it useful? Yes! It was.")
    assert [s.text for s in out] == [
        "I met Dr. Lee at 9.30 on Monday.",
        "Was it useful?",
        "Yes!",
        "It was.",
    ]
    assert all(s.label == "other" and s.start is None for s in out)


def test_comma_splice_becomes_clauses_but_an_opening_phrase_does_not():
    out = split_sentences("We had a problem, we handled it, it went well.")
    assert [s.text for s in out] == ["We had a problem,", "we handled it,", "it went well."]
    out = split_sentences("At my last job, I led the migration. When I joined, the team was small.")
    assert len(out) == 2


def test_long_unpunctuated_run_on_is_cut_at_connectives():
    text = (
        "so we had this client and they were really unhappy with the delivery times "
        "and I decided to look at the routes and then I rebuilt the schedule with the drivers "
        "and so the complaints went down a lot after that"
    )
    out = split_sentences(text)
    assert [s.text.split()[:3] for s in out[:3]] == [
        ["so", "we", "had"],
        ["and", "they", "were"],  # a new subject with its own past verb starts a clause
        ["and", "I", "decided"],
    ]
    assert " ".join(s.text for s in out) == text
    # A short sentence with "and I" is left whole.
    assert len(split_sentences("My manager and I met the client and I took notes.")) == 1


def test_times_come_from_the_words_in_order():
    text = "Um we shipped it. Then I called the client."
    words = _words("Um we shipped it. Then I called the client.")
    out = split_sentences(text, words)
    assert (out[0].start, out[0].end) == (0.0, 1.9)
    assert (out[1].start, out[1].end) == (2.0, pytest.approx(4.4))


def test_timing_survives_words_that_differ_from_the_text():
    # The engine's words carry a filler the text lacks, and split a hyphenated word.
    words = [
        Word(t, i * 1.0, i * 1.0 + 0.8, 0.9)
        for i, t in enumerate(["We", "um", "hit", "the", "follow", "-up", "date.", "It", "worked."])
    ]
    out = split_sentences("We hit the follow-up date. It worked.", words)
    assert out[0].start == 0.0 and out[0].end == 6.8
    assert out[1].start == 7.0 and out[1].end == 8.8


def test_empty_text_uses_the_words_and_blank_gives_nothing():
    assert split_sentences("   ") == []
    out = split_sentences("", _words("I fixed the build."))
    assert [s.text for s in out] == ["I fixed the build."]
    assert out[0].start == 0.0


def test_bullets_and_line_breaks_split_typed_answers():
    out = split_sentences("- I audited the accounts\n- I found the duplicate payments")
    assert [s.text for s in out] == ["I audited the accounts", "I found the duplicate payments"]


def test_a_turn_to_what_changed_after_a_comma_starts_a_new_clause():
    out = split_sentences("A colleague said my notes were hard to read, so now I write a summary.")
    assert [s.text for s in out] == [
        "A colleague said my notes were hard to read,",
        "so now I write a summary.",
    ]
