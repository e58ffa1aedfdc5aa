"""The text module: tokens, fillers and hedges (and, below, lemmas, stems and stop words)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from practice.core import text
from practice.core.results import Word
from practice.judgment.pacing import discourse_fillers


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Don't cut it by 40%, I said.", ["don't", "cut", "it", "by", "40%", "i", "said"]),
        ("I\u2019m sure we\u2019ve saved $1,500.", ["i'm", "sure", "we've", "saved", "$1,500"]),
        (
            "Load time fell from 2.5 to 0.8 s",
            ["load", "time", "fell", "from", "2.5", "to", "0.8", "s"],
        ),
        ("a follow-up in node.js and C++", ["a", "follow-up", "in", "node.js", "and", "c++"]),
        ("'Quoted,' she said -- yes,no", ["quoted", "she", "said", "yes", "no"]),
        ("", []),
    ],
)
def test_tokens_keep_apostrophes_numbers_and_names_whole(sentence, expected):
    assert text.tokens(sentence) == expected


def test_words_keep_case_and_the_signs_of_names():
    assert text.words("Our KPIs: C++, Node.js and non-technical staff\u2019s Excel/Sheets.") == [
        "Our",
        "KPIs",
        "C++",
        "Node.js",
        "and",
        "non-technical",
        "staff's",
        "Excel",
        "Sheets",
    ]


def test_normalize_strips_punctuation_around_a_transcript_word():
    assert [text.normalize(w) for w in ("Um,", "...", "(well)", "don't.", "I'm")] == [
        "um",
        "",
        "well",
        "don't",
        "i'm",
    ]


@pytest.mark.parametrize("word", ["um", "Uh,", "ERM.", "hmm", "mm", "ah", "er"])
def test_the_filled_pauses_of_the_design_are_filled_pauses(word):
    assert text.is_filled_pause(word)


@pytest.mark.parametrize("word", ["umbrella", "like", "a", "her", "hum"])
def test_words_are_not_filled_pauses(word):
    assert not text.is_filled_pause(word)


def test_the_discourse_fillers_found_are_the_listed_ones():
    said = "So basically I mean, you know, it was, like, sort of literally actually done"
    words = [Word(w, i * 0.3, i * 0.3 + 0.2, 0.9) for i, w in enumerate(said.split())]
    found = [f.text for f in discourse_fillers(words)]
    assert found and set(found) <= set(text.DISCOURSE_FILLERS)
    assert not set(text.DISCOURSE_FILLERS) & text.FILLED_PAUSES


def _hedges(sentence: str) -> list[str]:
    return [p for _, _, p in text.hedge_spans([text.normalize(w) for w in sentence.split()])]


def test_the_design_hedges_are_found_in_a_sentence():
    said = "I think it was maybe fine, I guess, and I'm not sure it will probably just hopefully"
    assert _hedges(said) == [
        "i think",
        "maybe",
        "i guess",
        "i'm not sure",
        "probably",
        "just",
        "hopefully",
    ]
    assert _hedges("It was sort of slow and kind of late") == ["sort of", "kind of"]
    assert _hedges("I am not sure") == ["i am not sure"]


def test_kind_of_naming_a_kind_is_not_a_hedge():
    assert _hedges("What kind of team is it, the sort of place I like") == []
    assert text.names_a_kind(["the", "best", "kind", "of"], 2)
    assert not text.names_a_kind(["it", "was", "kind", "of"], 2)


def test_hedge_spans_cover_whole_phrases():
    words = [text.normalize(w) for w in "Well I think it's kind of done".split()]
    assert text.hedge_spans(words) == [(1, 3, "i think"), (4, 6, "kind of")]


def test_doubt_markers_are_the_hedges_that_doubt_a_claim():
    assert "just" in text.HEDGES and "just" not in text.DOUBT_MARKERS
    assert set(text.HEDGES) - {"just"} <= set(text.DOUBT_MARKERS)
    assert {"perhaps", "might", "i suppose", "i believe"} <= set(text.DOUBT_MARKERS)


def test_the_module_imports_only_the_standard_library():
    code = (
        "import sys; import practice.core.text; "
        "print(sorted(m for m in ('numpy', 'click', 'rich') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# -- verbs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "base"),
    [
        ("led", "lead"),
        ("Wrote", "write"),
        ("written", "write"),
        ("grew", "grow"),
        ("dealt", "deal"),
        ("was", "be"),
        ("been", "be"),
        ("cut", "cut"),
        ("oversaw", "oversee"),
        ("managed", "managed"),  # regular forms are the stemmer's work
        ("team", "team"),
    ],
)
def test_lemma_of_irregular_verbs(form, base):
    assert text.lemma(form) == base


def test_every_irregular_form_is_a_past_form_and_its_base_is_not_unless_the_same():
    for base, forms in text.IRREGULAR_VERBS.items():
        assert set(forms) <= text.PAST_FORMS
        assert (base in text.PAST_FORMS) == (base in forms), base


@pytest.mark.parametrize(
    ("word", "past"),
    [
        ("rewrote", True),
        ("cut", True),
        ("planned", True),
        ("agreed", True),
        ("dealt", True),
        ("need", False),
        ("speed", False),
        ("indeed", False),
        ("hundred", False),
        ("red", False),
        ("plan", False),
        ("become", False),  # a participle that reads as the present is left out
    ],
)
def test_is_past_form(word, past):
    assert text.is_past_form(word) is past


@pytest.mark.parametrize(
    ("verb", "past"),
    [
        ("working", "worked"),
        ("dealing", "dealt"),
        ("handling", "handled"),
        ("planning", "planned"),
        ("making", "made"),
        ("running", "ran"),
        ("deal", "dealt"),
        ("manage", "managed"),
        ("carry", "carried"),
        ("bring", "brought"),
    ],
)
def test_past_tense(verb, past):
    assert text.past_tense(verb) == past


# -- stems ---------------------------------------------------------------------------------------

# Forms that the two stemmers this one replaced (journey/stories and judgment/content) brought
# together, on the words their tests and data use: they must still meet.
KEPT_TOGETHER = [
    ("rates", "rate"),
    ("manages", "managed"),
    ("managing", "manage"),
    ("processes", "process"),
    ("grew", "growing"),
    ("grown", "grow"),
    ("dashboards", "dashboard"),
    ("testing", "tested"),
    ("stakeholders", "stakeholder"),
    ("boxes", "box"),
    ("policies", "policy"),
    ("mentored", "mentors"),
    ("planned", "plan"),
    ("led", "leading"),
    ("sold", "sell"),
]
# Forms one of them kept apart that belong together.
NOW_TOGETHER = [
    ("costings", "costing"),  # stories: "costing" against "cost"
    ("meetings", "meeting"),
    ("running", "ran"),  # the doubled "nn" of a four-letter stem
    ("planning", "plans"),
    ("apps", "app"),  # stories left words of four letters whole
    ("beds", "bed"),
    ("rebuilt", "rebuilding"),  # an irregular form only sentences knew
    ("speeding", "speed"),  # "speed" lost its "ed" to "spe"
    ("succeeded", "succeeds"),
    ("patient's", "patients"),  # the possessive left "patient'" behind
    ("manager\u2019s", "manager"),
]


@pytest.mark.parametrize(("a", "b"), KEPT_TOGETHER + NOW_TOGETHER)
def test_stem_brings_forms_of_a_word_together(a, b):
    assert text.stem(a) == text.stem(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("care", "car"),
        ("left", "leave"),  # "turn left" is no form of "annual leave"
        ("analysis", "analyst"),
        ("status", "state"),
        ("need", "ne"),
    ],
)
def test_stem_keeps_different_words_apart(a, b):
    assert text.stem(a) != text.stem(b)


@pytest.mark.parametrize("name", ["node.js", "c++", "c#", "3d", "b2b", "sql"])
def test_names_and_numbers_are_kept_whole(name):
    assert text.stem(name) == name


# -- stop words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word", ["the", "The", "we've", "we\u2019ve", "within", "didn't", "yourself"]
)
def test_function_words_are_stop_words(word):
    assert text.is_stop(word)


@pytest.mark.parametrize("word", ["python", "budget", "customers", "rota", "one", "year"])
def test_topic_words_are_not_stop_words(word):
    assert not text.is_stop(word)


def test_the_lists_that_used_to_disagree_now_share_one_core():
    from practice.journey import stories
    from practice.judgment import content

    story_words = stories.content_words("Within a year we've rebuilt the rota for the ward.")
    assert story_words == {"rebuild", "rota", "ward"}
    terms = content.job_terms("Title\n\nWe're hiring. Python within a team; Python within reach.")
    assert [t.lower() for t in terms] == ["python"]
