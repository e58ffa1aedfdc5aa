"""The behavioural changes do what their names say, on a labelled answer built for the purpose."""

from __future__ import annotations

import pytest

from practice.judgment import behaviour as bh

STORY = bh.LabelledAnswer(
    id="t",
    question="Tell me about a time you improved a process.",
    category="success-story",
    sentences=(
        ("Last spring our support queue had 300 open tickets.", "situation"),
        ("I had to bring it down before the launch.", "task"),
        ("I sorted the tickets and I wrote answers to the 10 most common questions.", "action"),
        ("I'm proud that my team then closed 80% of them in a week.", "result"),
    ),
)


def test_removals_drop_exactly_the_labelled_sentences() -> None:
    assert bh.drop_result(STORY) == " ".join(t for t, _ in STORY.sentences[:3])
    text = bh.drop_actions(STORY)
    assert text is not None and "sorted" not in text and "300" in text and "80%" in text


def test_actions_told_with_we_change_only_the_action_sentences() -> None:
    text = bh.actions_with_we(STORY)
    assert text is not None
    assert "We sorted the tickets and we wrote answers" in text
    assert "I had to bring it down" in text and "I'm proud that my team" in text


def test_numbers_leave_the_result_only() -> None:
    text = bh.result_without_numbers(STORY)
    assert text is not None and "80%" not in text and "300 open tickets" in text
    # the words around a number stay apart, and a sentence keeps its full stop
    timed = bh.LabelledAnswer(
        "u", "q", "success-story", (("It was live 31 hours early.", "result"),)
    )
    assert bh.result_without_numbers(timed) == "It was live a lot hours early."


def test_additions_and_reordering() -> None:
    assert (bh.hedged(STORY) or "").count(bh.HEDGED_OPENING) == 2
    assert (bh.with_fillers(STORY) or "").count(bh.FILLER_OPENING) == 4
    assert (bh.with_blame(STORY) or "").endswith(bh.BLAME)
    back = bh.reordered(STORY)
    assert back is not None and back.startswith("I'm proud") and back.endswith("tickets.")


def test_the_invariant_change_moves_one_number_by_one() -> None:
    assert bh.number_changed(STORY) == STORY.text.replace("300", "301")
    assert bh.passes("same", 70, 72) and not bh.passes("same", 70, 73)
    assert bh.passes("lower", 70, 69) and not bh.passes("lower", 70, 70)


def test_every_change_applies_to_a_full_story() -> None:
    kinds = [v.kind for v in bh.variants(STORY)]
    assert len(kinds) == len(bh.CHANGES) + 1 and "answer to another question" in kinds


def _strong_stories(limit: int) -> list[bh.LabelledAnswer]:
    """Strong published success stories from the sites the models were fitted on, every part
    told, so each change has something to change."""
    import json
    from pathlib import Path

    corpus = Path(__file__).parent / "data" / "corpus"
    blind = {line.strip() for line in (corpus / "split.txt").read_text().splitlines()}
    out = []
    for line in (corpus / "published-star.jsonl").read_text().splitlines():
        a = json.loads(line)
        labels = {s["label"] for s in a["sentences"]}
        if (
            a["category"] == "success-story"
            and a["quality"] == "strong"
            and {"situation", "action", "result"} <= labels
            and a["source"]["site"] not in blind
        ):
            sentences = tuple((s["text"], s["label"]) for s in a["sentences"])
            out.append(bh.LabelledAnswer(a["id"], a["question"], a["category"], sentences))
    return out[:limit]


@pytest.mark.model
def test_the_verdict_moves_as_a_coach_would_on_published_stories() -> None:
    from practice.core.results import Question
    from practice.judgment.coach import analyze_text

    def overall(question: str, text: str) -> int:
        q = Question(id=None, text=question, category="success-story")
        return analyze_text(text, question=q).scores.overall

    tally: dict[str, list[bool]] = {}
    stories = _strong_stories(12)
    assert len(stories) >= 10
    for a in stories:
        base = overall(a.question, a.text)
        for v in bh.variants(a):
            tally.setdefault(v.kind, []).append(
                bh.passes(v.expect, base, overall(v.question, v.text))
            )
    rates = {kind: sum(r) / len(r) for kind, r in tally.items()}
    every = [ok for r in tally.values() for ok in r]
    assert sum(every) / len(every) >= 0.9, rates
    for kind in ("actions removed", "answer to another question", "a number changed"):
        assert rates[kind] >= 0.9, (kind, rates)
