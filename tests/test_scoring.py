"""Scores, reasons and tips on hand-built answers."""

from practice.core.results import Delivery, Prosody, Question
from practice.judgment.content import from_verdict as content_from_verdict
from practice.judgment.scoring import MAX_TIPS, score
from practice.judgment.sentences import split_sentences
from practice.judgment.structure import from_verdict as structure_from_verdict
from practice.judgment.verdict import judge_text

STRONG = (
    "Last spring at a logistics startup, our nightly billing export kept failing and customers "
    "were getting invoices days late. I was responsible for the billing service, so fixing it "
    "was my job. I traced the failures to a query that locked the orders table, rewrote it to "
    "read from a replica, and added an alert for slow runs. After that the export finished in "
    "20 minutes instead of three hours, and late invoices dropped to zero."
)
VAGUE = "We had a problem with a client once. We handled it. It went well."
STORY = Question(
    "q1", "Tell me about a time you fixed a problem.", "success-story", target_seconds=(60, 120)
)


def _delivery(
    wpm: float = 140, fillers: int = 1, words: int = 200, long_pauses: int = 0, span: float = 85.0
) -> Delivery:
    return Delivery(
        words_per_minute=wpm,
        articulation_rate_wpm=wpm + 10,
        speaking_time_s=span,
        pause_count=5,
        long_pause_count=long_pauses,
        longest_pause_s=2.5 if long_pauses else 0.8,
        pauses=(),
        filler_count=fillers,
        fillers_per_minute=fillers / span * 60,
        discourse_filler_count=0,
        fillers=(),
        hedge_count=0,
        spoken_word_count=words,
    )


def _score(text, question=STORY, delivery=None, prosody=None, duration_s=None, job_text=None):
    category = question.category if question else None
    sentences = split_sentences(text)
    asked = question.text if question else None
    verdict = judge_text([s.text for s in sentences], question=asked, category=category)
    st = structure_from_verdict(sentences, verdict)
    ct = content_from_verdict(
        text, verdict, category=category, job_text=job_text, asked=asked is not None
    )
    return score(
        structure=st,
        content=ct,
        delivery=delivery,
        prosody=prosody,
        question=question,
        duration_s=duration_s,
    )


def test_strong_story_outscores_the_vague_one_by_a_wide_margin():
    strong, strong_tips = _score(STRONG, delivery=_delivery(), duration_s=90)
    vague, vague_tips = _score(VAGUE, delivery=_delivery(span=12, words=14), duration_s=12)
    assert strong.overall >= 80
    assert strong.overall - vague.overall >= 30
    assert strong.structure.score - vague.structure.score >= 40
    assert strong.structure.tip is None
    assert len(vague_tips) > len(strong_tips)
    assert all(0 <= d.score <= 100 for d in (vague.structure, vague.enthusiasm, vague.content))


def test_tips_quote_the_users_own_sentences():
    scores, tips = _score(VAGUE)
    assert any("'We handled it'" in t for t in tips)
    assert scores.structure.tip is not None and "'We handled it'" in scores.structure.tip
    unmeasured, _ = _score(
        "At my last job the warehouse kept losing parcels. My job was to stop it. I rebuilt the "
        "scanning process and trained the night shift. It went well."
    )
    assert unmeasured.structure.tip == (
        "Your result, 'It went well', has no measurable outcome: say what changed, ideally "
        "with a number."
    )


def test_tips_are_ranked_and_capped():
    _, tips = _score(
        VAGUE,
        delivery=_delivery(wpm=200, fillers=30, words=150, long_pauses=4, span=20),
        duration_s=20,
    )
    assert 1 <= len(tips) <= MAX_TIPS
    assert len(set(tips)) == len(tips)
    # No concrete action costs a story the most, so it comes first.
    assert "'We handled it'" in tips[0]


def test_typed_answer_without_delivery_still_scores_and_excludes_delivery():
    scores, tips = _score(STRONG, delivery=None)
    assert scores.delivery is None
    assert scores.to_dict()["delivery"] is None
    weights = {"structure": 0.40, "enthusiasm": 0.15, "content": 0.25}
    expected = sum(w * getattr(scores, k).score for k, w in weights.items()) / sum(weights.values())
    assert scores.overall == round(expected)
    assert all("words a minute" not in t for t in tips)


def test_delivery_penalises_pace_fillers_pauses_and_length():
    good, _ = _score(STRONG, delivery=_delivery(), duration_s=90)
    assert good.delivery is not None and good.delivery.score == 100
    assert good.delivery.tip is None
    fast, _ = _score(STRONG, delivery=_delivery(wpm=195), duration_s=90)
    assert fast.delivery.score < 90 and "195 words a minute" in fast.delivery.tip
    umm, _ = _score(STRONG, delivery=_delivery(fillers=20, words=200), duration_s=90)
    assert umm.delivery.score < 80 and "20 fillers in 200 words" in umm.delivery.tip
    short, _ = _score(STRONG, delivery=_delivery(), duration_s=25)
    assert short.delivery.score < 90 and "aim for 60-120 s" in short.delivery.tip
    pauses, _ = _score(STRONG, delivery=_delivery(long_pauses=4), duration_s=90)
    assert pauses.delivery.score < good.delivery.score


def test_enthusiasm_uses_value_orientation_and_prosody():
    fit = Question("f1", "Why do you want this job?", "fit")
    keen = (
        "I'm excited by how your clinics are adding telehealth for rural patients. "
        "I'd like to help your team set up the scheduling."
    )
    money = "Honestly, I need the money and the benefits are good."
    keen_text, _ = _score(keen, question=fit)
    money_text, money_tips = _score(money, question=fit)
    assert keen_text.enthusiasm.score - money_text.enthusiasm.score >= 40
    assert any("'Honestly, I need the money and the benefits are good'" in t for t in money_tips)
    flat = Prosody(pitch_variation_semitones=1.2, energy_variation_db=3.0, monotone=True)
    lively = Prosody(pitch_variation_semitones=5.0, energy_variation_db=8.0, monotone=False)
    keen_flat, _ = _score(keen, question=fit, prosody=flat)
    keen_lively, _ = _score(keen, question=fit, prosody=lively)
    assert keen_flat.enthusiasm.score < keen_text.enthusiasm.score < keen_lively.enthusiasm.score
    assert "1.2 semitones" in keen_flat.enthusiasm.tip


def test_weights_follow_the_category():
    fit = Question("f1", "Why this job?", "fit")
    as_story, _ = _score(VAGUE, question=STORY)
    as_fit, _ = _score(VAGUE, question=fit)
    # Success stories weigh structure most (0.40 of 0.80 without delivery); fit answers weigh
    # enthusiasm and content.
    s = as_story
    assert s.overall == round(
        (0.40 * s.structure.score + 0.15 * s.enthusiasm.score + 0.25 * s.content.score) / 0.80
    )
    f = as_fit
    assert f.overall == round(
        (0.15 * f.structure.score + 0.35 * f.enthusiasm.score + 0.30 * f.content.score) / 0.80
    )


def test_red_flag_defensive_scores_below_constructive_with_a_specific_tip():
    rf = Question("r1", "What is your greatest weakness?", "red-flag")
    good, _ = _score(
        "I find it hard to delegate. Since then I've started handing one task a week "
        "to a junior colleague and checking in instead of redoing it.",
        question=rf,
    )
    bad, tips = _score("I'm a perfectionist. I just care too much about my work.", question=rf)
    assert good.content.score - bad.content.score >= 40
    assert good.overall > bad.overall
    assert "strength in disguise" in bad.content.tip and "'I'm a perfectionist'" in tips[0]


def test_no_question_is_an_even_mix():
    scores, _ = _score(STRONG, question=None, delivery=_delivery(), duration_s=90)
    parts = [scores.structure, scores.delivery, scores.enthusiasm, scores.content]
    assert scores.overall == round(sum(p.score for p in parts) / 4)


def test_missed_job_terms_lower_content_and_are_named():
    job = "Support Engineer. You will use Zendesk and SQL daily. Zendesk macros and SQL reports."
    with_terms, _ = _score(STRONG + " I also wrote SQL reports and Zendesk macros.", job_text=job)
    without, tips = _score(STRONG, job_text=job)
    assert with_terms.content.score > without.content.score
    assert any("Zendesk" in t for t in tips)


def test_missing_parts_tips_quote_the_sentence_they_follow():
    _, tips = _score(
        "At my last job the warehouse kept losing parcels. I rebuilt the scanning process, added "
        "two checkpoints and trained the night shift on them."
    )
    assert any(t.startswith("The story stops at 'I rebuilt the scanning process") for t in tips)
    assert any(
        t.startswith("After 'At my last job the warehouse kept losing parcels', say") for t in tips
    )
    fit = Question("f1", "Why this job?", "fit")
    scores, _ = _score("You're a great company with a great culture. I think I'd fit in.", fit)
    assert scores.enthusiasm.tip.startswith("'You're a great company with a great culture' is")


LEAVE = Question("r2", "Why did you leave your last job?", "red-flag")


def test_a_reason_for_leaving_is_not_judged_as_a_story():
    # A plain reason and what comes next is the whole of a good answer here: no scene, steps
    # or measured result is asked for, and no tip talks of them.
    good, tips = _score(
        "My role moved to head office in another city when the company restructured, and I "
        "chose not to relocate. Now I'm looking for a role where I can keep building the "
        "reporting tools I enjoy, which is what drew me to this one.",
        question=LEAVE,
    )
    assert good.structure.score == 100
    assert not any("what changed" in t or "when and where" in t for t in tips)


def test_a_reason_for_leaving_without_what_comes_next_costs_and_says_so():
    with_next, _ = _score(
        "The company closed our office. I'm ready for a role where I can lead a small team.",
        question=LEAVE,
    )
    without, tips = _score("The company closed our office and I did not want to move.", LEAVE)
    assert without.structure.score < with_next.structure.score
    assert any("what you are looking for now" in t for t in tips)


def test_a_number_in_a_step_does_not_measure_the_result():
    # LABELLING.md: a number that measures a step ("cut the list from 12 to 4") is not the
    # outcome's; the outcome here has no number.
    steps_counted = (
        "Last year at a bakery our flour supplier went bust a week before the holiday rush. "
        "I was asked to find a new one. I cut our supplier list from 12 to 4 and called each one. "
        "We signed with a local mill and the shelves stayed full through the holidays."
    )
    measured = steps_counted.replace(
        "the shelves stayed full through the holidays", "sales rose 18 percent over the holidays"
    )
    v_steps, v_measured = (
        judge_text([s.text for s in split_sentences(t)], question=None, category="success-story")
        for t in (steps_counted, measured)
    )
    assert v_steps.told["result"] and not v_steps.result_quantified
    assert v_measured.result_quantified


def test_a_complaint_naming_someone_is_quoted_and_costs_the_story():
    complaint = "My manager was useless at planning, which is why it got that bad."
    verdict = judge_text(
        [s.text for s in split_sentences(STRONG + " " + complaint)],
        question=STORY.text,
        category=STORY.category,
    )
    assert verdict.negativity == (complaint,)
    clean, _ = _score(STRONG)
    blamed, _ = _score(STRONG + " " + complaint)
    assert blamed.overall < clean.overall


def test_no_tip_asks_a_closing_or_fit_answer_what_you_did():
    # "say what exactly you did" asks for a story; a closing answer is judged by its questions
    # and a fit answer by its reasons.
    closing = Question("c1", "Do you have any questions for us?", "closing")
    fit = Question("f2", "Where do you see yourself in five years?", "fit")
    _, closing_tips = _score("No, I think you covered everything.", closing)
    _, fit_tips = _score("I see myself doing well somewhere good.", fit)
    assert closing_tips and fit_tips
    assert not any("what exactly you did" in t for t in (*closing_tips, *fit_tips))


def test_a_thin_fit_answer_is_asked_for_an_example_once():
    fit = Question("f3", "Why do you want this job?", "fit")
    _, tips = _score("I want to be part of something great and grow with you.", fit)
    assert sum("concrete" in t for t in tips) == 1, tips


def test_each_kind_of_question_has_its_own_relevance_floor():
    # A story answers "tell me about a time..." far more plainly than any answer matches "tell
    # me about yourself": the fitted floors differ by kind, and a kind without one falls back.
    from practice.judgment.fitted import load
    from practice.judgment.verdict import relevance_bar

    m = load()
    story, background = (relevance_bar(m, "floor", c) for c in ("success-story", "background"))
    assert story > background
    assert relevance_bar(m, "floor", None) == m.thresholds["relevance_floor"]
