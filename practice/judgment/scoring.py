"""Turn the analysers' findings into 0-100 scores, a reason and one tip per dimension.

Each dimension starts from a base and loses (or gains) named amounts for named findings, so a
score can always be explained. Tips are ranked by how many overall points fixing them is worth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from practice.core.results import (
    Content,
    Delivery,
    DimensionScore,
    Prosody,
    Question,
    Scores,
    Structure,
)
from practice.core.thresholds import (
    ANSWER_HIGH_S,
    ANSWER_LOW_S,
    FILLER_SHARE_MAX,
    MONOTONE_SEMITONES,
    PACE_HIGH_WPM,
    PACE_LOW_WPM,
)
from practice.judgment import content as content_rules
from practice.judgment import cues
from practice.judgment import structure as structure_rules
from practice.judgment.features import filler_count, hedge_count

# Dimension weights per question category (each row sums to 1). Success stories are judged
# mostly on STAR structure; fit answers on enthusiasm and reasons; red-flag answers on handling.
WEIGHTS: dict[str | None, dict[str, float]] = {
    "success-story": {"structure": 0.40, "delivery": 0.20, "enthusiasm": 0.15, "content": 0.25},
    "fit": {"structure": 0.15, "delivery": 0.20, "enthusiasm": 0.35, "content": 0.30},
    "red-flag": {"structure": 0.20, "delivery": 0.20, "enthusiasm": 0.15, "content": 0.45},
    "background": {"structure": 0.25, "delivery": 0.25, "enthusiasm": 0.25, "content": 0.25},
    "closing": {"structure": 0.15, "delivery": 0.25, "enthusiasm": 0.35, "content": 0.25},
    None: {"structure": 0.25, "delivery": 0.25, "enthusiasm": 0.25, "content": 0.25},
}
STAR_CATEGORIES = {"success-story", "red-flag", None}
MAX_TIPS = 3  # the "fix this first" tip and at most two more
MIN_TIP_POINTS = 1.0  # a finding worth less than a point changes no score shown: no tip
QUOTE_CHARS = 70  # longer quoted sentences are cut at a word boundary
LONG_PAUSES_OK = 1  # one long pause to think is normal; more reads as lost
MIN_ACTION_SHARE = 0.3  # coaches suggest spending about half a story on the actions


@dataclass
class _Finding:
    """A deduction with the tip that would win it back."""

    points: float
    reason: str
    tip: str


@dataclass
class _Dimension:
    score: float
    good: str  # the reason when nothing is wrong
    findings: list[_Finding]

    def result(self) -> DimensionScore:
        worst = sorted(
            (f for f in self.findings if f.points >= MIN_TIP_POINTS), key=lambda f: -f.points
        )
        score = int(round(min(100.0, max(0.0, self.score - sum(f.points for f in worst)))))
        reason = worst[0].reason if worst else self.good
        tip = next((f.tip for f in worst if f.tip), None)
        return DimensionScore(score=score, reason=reason, tip=tip)


def score(
    *,
    structure: Structure,
    content: Content,
    delivery: Delivery | None,
    prosody: Prosody | None,
    question: Question | None,
    duration_s: float | None,
) -> tuple[Scores, tuple[str, ...]]:
    """Score every dimension 0-100 and the overall answer; return the tips, most important first.

    `delivery` is None for a typed answer: the overall score then leaves delivery out.
    """
    category = question.category if question else None
    weights = WEIGHTS.get(category, WEIGHTS[None])
    dims: dict[str, _Dimension | None] = {
        "structure": _structure(structure, content, category, _red_flag_kind(question)),
        "delivery": _delivery(delivery, question, duration_s) if delivery else None,
        "enthusiasm": _enthusiasm(structure, content, prosody, category, _red_flag_kind(question)),
        "content": _content(structure, content, category, question),
    }
    results = {k: d.result() for k, d in dims.items() if d is not None}
    total_weight = sum(weights[k] for k in results)
    overall = int(round(sum(weights[k] * r.score for k, r in results.items()) / total_weight))
    ranked: list[tuple[float, str]] = []
    for k, d in dims.items():
        if d is None:
            continue
        for f in d.findings:
            if f.points >= MIN_TIP_POINTS and f.tip:
                ranked.append((weights[k] / total_weight * f.points, f.tip))
    tips: list[str] = []
    quoted: set[str] = set()
    for _, tip in sorted(ranked, key=lambda x: -x[0]):
        # One tip per sentence: a second tip on a sentence already quoted says the same thing
        # another way ("blames someone" beside "puts the blame on someone").
        opening = re.match(r"'(.+?)'[ ,]", tip)  # a tip that opens with a quote (see quote)
        said = opening.group(1) if opening else None
        if tip in tips or (said is not None and said in quoted):
            continue
        tips.append(tip)
        if said is not None:
            quoted.add(said)
    scores = Scores(
        overall=overall,
        structure=results["structure"],
        delivery=results.get("delivery"),
        enthusiasm=results["enthusiasm"],
        content=results["content"],
    )
    return scores, tuple(tips[:MAX_TIPS])


def quote(text: str) -> str:
    """A sentence as it can be quoted in a tip: trimmed, without its final stop, cut if long."""
    t = text.strip().strip(",;").rstrip(".!?").strip()
    if len(t) > QUOTE_CHARS:
        t = t[:QUOTE_CHARS].rsplit(" ", 1)[0] + "..."
    return f"'{t}'"


def _red_flag_kind(question: Question | None) -> str | None:
    """The kind of red-flag question (cues.red_flag_kind), or None for any other question."""
    if question is None or question.category != "red-flag":
        return None
    return cues.red_flag_kind(question.text)


def looks_forward(st: Structure) -> list[str]:
    """The sentences that say what the speaker wants next or why this role (cues.toml)."""
    return [s.text for s in st.sentences if cues.says(s.text, "forward")]


def _sentences(structure: Structure, label: str) -> list[str]:
    return [s.text for s in structure.sentences if s.label == label]


def _structure(
    st: Structure, ct: Content, category: str | None, red_flag_kind: str | None = None
) -> _Dimension:
    if category not in STAR_CATEGORIES:
        return _organisation(st, ct, category)
    if red_flag_kind == "departure":
        return _departure(st)
    red_flag = category == "red-flag"
    d = _Dimension(
        100.0,
        "A complete story: situation, your task, your actions and a measured result, in order.",
        [],
    )
    if red_flag:
        d.good = "What happened, what you did about it and what changed, in order."
    texts = [s.text for s in st.sentences]
    habits = [t for t in texts if structure_rules.is_habitual(t)]
    vague = [t for t in texts if structure_rules.is_vague_action(t)]
    habit_tip = (
        (
            f"{quote(habits[0])} describes what you usually do; pick one particular "
            "occasion and tell what happened then."
        )
        if habits
        else None
    )
    if not st.situation and red_flag_kind == "weakness":
        pass  # a weakness is a habit, not an episode: no scene to set
    elif not st.situation and red_flag:
        d.findings.append(
            _Finding(
                5,
                "The answer never says when or where it happened.",
                "Say briefly when and where it happened, in one sentence, then move on.",
            )
        )
    elif not st.situation:
        steps = _sentences(st, "action")
        scene_tip = (
            f"Before {quote(steps[0])}, say when and where it happened and what was at stake, "
            "in a sentence or two."
            if steps
            else "Open with one specific occasion: when and where it happened and what "
            "was at stake, in a sentence or two."
        )
        d.findings.append(
            _Finding(
                20 if habits else 15,
                "The answer never sets the scene of one particular episode.",
                habit_tip or scene_tip,
            )
        )
    if not st.task and not red_flag:
        scenes = _sentences(st, "situation")
        lead = f"After {quote(scenes[-1])}, say" if scenes else "Say"
        d.findings.append(
            _Finding(
                10,
                "It never says what you were responsible for or aiming at.",
                f"{lead} in one sentence what your own goal or responsibility was, for example "
                "'My job was to ...'.",
            )
        )
    if not st.action:
        if vague:
            tip = (
                f"{quote(vague[0])} doesn't say what you did: name two or three concrete "
                "steps you took, told with 'I'."
            )
        elif habit_tip and not red_flag:
            tip = habit_tip
        elif red_flag:
            tip = "Say what you did about it: one or two concrete steps you took."
        else:
            tip = "Describe the concrete steps you took yourself, told with 'I' and a clear verb."
        d.findings.append(
            _Finding(15 if red_flag else 30, "There is no concrete step that you took.", tip)
        )
    elif st.action_ownership is not None and st.action_ownership < 0.5:
        we = [
            s.text
            for s in st.sentences
            if s.label == "action" and not structure_rules.first_person_singular_actor(s.text)
        ]
        example = f" ({quote(we[0])})" if we else ""
        d.findings.append(
            _Finding(
                12 * (1 - st.action_ownership),
                "Most of your steps are told as 'we', so your own part is unclear.",
                f"Most of your steps are told as 'we'{example}: say which part you did yourself, "
                "with 'I'.",
            )
        )
    if not st.result:
        if red_flag:
            d.findings.append(
                _Finding(
                    30,
                    "The answer never says what changed.",
                    "End with what changed: what you do differently now, or what you learned.",
                )
            )
        else:
            steps = _sentences(st, "action")
            lead = f"The story stops at {quote(steps[-1])}: end" if steps else "End"
            d.findings.append(
                _Finding(
                    25,
                    "The story stops before its outcome.",
                    f"{lead} with the outcome: what changed because of what you did, ideally "
                    "with a number (time saved, money, customers).",
                )
            )
    elif not st.result_quantified and not red_flag:
        results = _sentences(st, "result")
        example = f"Your result, {quote(results[0])}, has" if results else "Your result has"
        d.findings.append(
            _Finding(
                15,
                "The result has no measurable outcome.",
                f"{example} no measurable outcome: say what changed, ideally with a number.",
            )
        )
    if not st.order_ok:
        d.findings.append(
            _Finding(
                5,
                "The parts come out of order, which makes the story hard to follow.",
                "Tell it in order: the situation and your task, then your actions, then the "
                "result.",
            )
        )
    if st.action and st.action_time_share is not None and st.action_time_share < MIN_ACTION_SHARE:
        d.findings.append(
            _Finding(
                5,
                f"Only {st.action_time_share:.0%} of the answer describes your actions.",
                f"Only {st.action_time_share:.0%} of the answer is about what you did: cut the "
                "background and spend about half on your actions.",
            )
        )
    return d


FORWARD_POINTS = 25.0  # an answer about leaving that never turns to what comes next


def _departure(st: Structure) -> _Dimension:
    """Leaving a job, a gap, a past employer: a coach wants a plain reason, no blame (judged in
    content), and a turn to what the person wants next; a situation, steps and a measured
    result are a success story's parts and are not asked for here."""
    d = _Dimension(100.0, "A plain reason, then what you want next.", [])
    if not looks_forward(st):
        d.findings.append(
            _Finding(
                FORWARD_POINTS,
                "The answer never turns to what you want next.",
                "After the reason, say in one sentence what you are looking for now and why "
                "this role offers it.",
            )
        )
    return d


def _organisation(st: Structure, ct: Content, category: str | None) -> _Dimension:
    """Non-story questions: a clear point backed by something concrete."""
    if category == "closing":
        return _closing(st)
    d = _Dimension(100.0, "A clear point backed by a concrete example.", [])
    if not (st.action or st.result):
        d.findings.append(
            _Finding(
                20,
                "No concrete example backs up what you say.",
                "Back your main point with one short, concrete example of something you did.",
            )
        )
    if len(st.sentences) < 2:
        d.findings.append(
            _Finding(
                15,
                "The answer is a single sentence.",
                "Say a little more: your point, a reason, and an example.",
            )
        )
    return d


def asks_questions(st: Structure) -> list[str]:
    """The sentences that ask the interviewer something."""
    return [s.text for s in st.sentences if s.text.rstrip().endswith("?")]


def _closing(st: Structure) -> _Dimension:
    """ "Do you have any questions?": judged by the questions asked, not by a story."""
    d = _Dimension(100.0, "You ask about the work itself.", [])
    if not asks_questions(st):
        d.findings.append(
            _Finding(
                35,
                "You ask the interviewer nothing.",
                "Ask one or two questions about the work itself: what success looks like in the "
                "first six months, or how the team decides what comes first.",
            )
        )
    return d


def _delivery(dl: Delivery, question: Question | None, duration_s: float | None) -> _Dimension:
    d = _Dimension(100.0, "Steady pace, few fillers and a good length.", [])
    wpm = dl.words_per_minute
    if wpm > PACE_HIGH_WPM:
        d.findings.append(
            _Finding(
                min(30.0, (wpm - PACE_HIGH_WPM) * 0.8),
                f"At {wpm:.0f} words a minute you rush.",
                f"At {wpm:.0f} words a minute you are rushing: slow to "
                f"{PACE_LOW_WPM}-{PACE_HIGH_WPM} and pause after each key point.",
            )
        )
    elif 0 < wpm < PACE_LOW_WPM:
        d.findings.append(
            _Finding(
                min(30.0, (PACE_LOW_WPM - wpm) * 0.8),
                f"At {wpm:.0f} words a minute you drag.",
                f"At {wpm:.0f} words a minute you sound hesitant: rehearse the story's outline so "
                "the words come more easily.",
            )
        )
    fillers = dl.filler_count + dl.discourse_filler_count
    share = fillers / dl.spoken_word_count if dl.spoken_word_count else 0.0
    if share > FILLER_SHARE_MAX:
        examples = sorted({f.text.strip(",.").lower() for f in dl.fillers})[:2]
        said = " and ".join(f"'{e}'" for e in examples) or "fillers"
        d.findings.append(
            _Finding(
                min(30.0, (share - FILLER_SHARE_MAX) * 500),
                f"{fillers} fillers in {dl.spoken_word_count} words ({share:.0%}).",
                f"{fillers} fillers in {dl.spoken_word_count} words ({share:.0%}, aim under "
                f"{FILLER_SHARE_MAX:.0%}): when you reach for {said}, pause silently instead.",
            )
        )
    if dl.long_pause_count > LONG_PAUSES_OK:
        d.findings.append(
            _Finding(
                min(15.0, 5.0 * (dl.long_pause_count - LONG_PAUSES_OK)),
                f"{dl.long_pause_count} pauses of 2 s or more.",
                f"You paused for 2 s or more {dl.long_pause_count} times (longest "
                f"{dl.longest_pause_s:.1f} s): rehearse the order of your points so you don't lose "
                "the thread.",
            )
        )
    low, high = (
        question.target_seconds
        if question and question.target_seconds
        else (ANSWER_LOW_S, ANSWER_HIGH_S)
    )
    length = duration_s if duration_s is not None else dl.speaking_time_s
    if length < low:
        d.findings.append(
            _Finding(
                min(25.0, 40.0 * (low - length) / low),
                f"At {length:.0f} s the answer is short.",
                f"At {length:.0f} s the answer is short (aim for {low}-{high} s): add the concrete "
                "steps and the outcome.",
            )
        )
    elif length > high:
        d.findings.append(
            _Finding(
                min(25.0, 40.0 * (length - high) / high),
                f"At {length:.0f} s the answer runs long.",
                f"At {length:.0f} s the answer runs long (aim for {low}-{high} s): cut the "
                "background to two sentences.",
            )
        )
    return d


ENTHUSIASM_BASE = 90.0  # specific enthusiasm in words; a lively voice adds the rest
LIVELY_BONUS = 10.0
NEUTRAL_PENALTY = 25.0  # no specific enthusiasm or offer to help
STORY_NEUTRAL_PENALTY = 10.0  # the same in a story or red-flag answer, where it matters less
SELF_INTEREST_PENALTY = 55.0  # self-interest, apathy or blame as the message
MONOTONE_PENALTY = 20.0


def _enthusiasm(
    st: Structure,
    ct: Content,
    prosody: Prosody | None,
    category: str | None,
    red_flag_kind: str | None = None,
) -> _Dimension:
    d = _Dimension(
        ENTHUSIASM_BASE, "You sound keen on this work and on what you can do for them.", []
    )
    texts = [s.text for s in st.sentences]
    if ct.value_orientation < 0:
        blamed = ct.negativity
        if blamed:
            d.findings.append(
                _Finding(
                    SELF_INTEREST_PENALTY,
                    "Blaming someone else takes over the answer.",
                    f"{quote(blamed[0])} blames someone else: state the facts neutrally, then say "
                    "what you learned or would do differently.",
                )
            )
        else:
            said = f"{quote(ct.self_interest[0])} puts" if ct.self_interest else "The answer puts"
            d.findings.append(
                _Finding(
                    SELF_INTEREST_PENALTY,
                    "What you would get out of the job comes across as your main motive.",
                    f"{said} what you get first: lead with what you would do for them and what "
                    "about the work excites you.",
                )
            )
    elif ct.value_orientation == 0 and red_flag_kind == "departure":
        # The turn to what comes next is this answer's link to the job; the structure's tip
        # asks for it when it is missing, so this finding costs points but adds no second tip.
        if not looks_forward(st):
            d.findings.append(
                _Finding(STORY_NEUTRAL_PENALTY, "Nothing links the answer to this job.", "")
            )
    elif ct.value_orientation == 0 and category in STAR_CATEGORIES:
        # A story is not expected to praise the company; a closing link to the job still helps.
        told = "the story" if category != "red-flag" else "what you learned"
        d.findings.append(
            _Finding(
                STORY_NEUTRAL_PENALTY,
                "Nothing links the answer to this job.",
                f"Close with one sentence linking {told} to this job: what you would do for them "
                "with the same skill.",
            )
        )
    elif ct.value_orientation == 0 and category == "closing" and asks_questions(st):
        pass  # questions about the work are the enthusiasm a closing answer shows
    elif ct.value_orientation == 0:
        praise = content_rules.generic_praise(texts)
        lead = f"{quote(praise[0])} is praise anyone could give: name" if praise else "Name"
        d.findings.append(
            _Finding(
                NEUTRAL_PENALTY,
                "No specific enthusiasm for the role and no offer to help them.",
                f"{lead} one specific thing about this role or company that excites you, and one "
                "way you would help their team or customers.",
            )
        )
    if prosody is not None and prosody.monotone:
        spread = prosody.pitch_variation_semitones
        said = f" ({spread:.1f} semitones)" if spread is not None else ""
        d.findings.append(
            _Finding(
                MONOTONE_PENALTY,
                f"Your voice stayed flat{said}.",
                f"Your pitch stayed flat{said}, under {MONOTONE_SEMITONES:.0f}: lift your voice on "
                "the words that matter, such as the result and why you want the job.",
            )
        )
    elif (
        prosody is not None
        and prosody.pitch_variation_semitones is not None
        and (prosody.pitch_variation_semitones >= 2 * MONOTONE_SEMITONES)
    ):
        d.score += LIVELY_BONUS  # a lively voice carries enthusiasm the words alone don't
    return d


# The content score is the fitted quality model's call (the probability that a coach would
# call the answer strong, scaled from CONTENT_FLOOR to 100); the findings below share out what it
# lost, so the reason and the tip name what pulls it down. Relevance, hedges and typed fillers
# cost points of their own: the corpus answers all answer their question and few hedge, so the
# quality model cannot have learned what they cost.
CONTENT_FLOOR = 10.0
SPECIFICITY_OK = 0.5  # below: mostly general talk (the specificity model's 0-1 scale)
RELEVANCE_POINTS = 45.0  # an answer to another question loses this much content at relevance 0
DEFENSIVE_POINTS = 40.0  # a red flag met defensively is the answer's main problem
COMPLAINT_POINTS = 25.0  # a coach hears one complaint about others above everything else
HEDGES_PER_SENTENCE_OK = 0.25  # one hedge in four sentences is normal speech
HEDGE_POINTS = 6.0  # per hedge beyond that, at most MAX_WORDING_POINTS
TYPED_FILLER_POINTS = 4.0  # per filler written into a typed answer
MAX_WORDING_POINTS = 30.0


def _content(
    st: Structure, ct: Content, category: str | None, question: Question | None
) -> _Dimension:
    quality = ct.quality if ct.quality is not None else 0.8
    fitted_score = CONTENT_FLOOR + (100.0 - CONTENT_FLOOR) * quality
    d = _Dimension(100.0, "Relevant and specific.", [])
    texts = [s.text for s in st.sentences]
    shared: list[tuple[float, str, str]] = []  # (weight, reason, tip) sharing the shortfall
    if category == "red-flag" and ct.red_flag_handling == "defensive":
        signals = content_rules.red_flag_signals(texts)
        if not signals["blame"] and ct.negativity:
            # the fitted blame call hears complaints no cue word names ("I can't stand my boss")
            signals = {**signals, "blame": ct.negativity}
        kind, tip = _defensive_tip(signals, departure=_red_flag_kind(question) == "departure")
        defensive = f"The answer sounds defensive ({kind})."
        shared.append((3.0, defensive, tip))
    elif category == "red-flag":
        d.good = "Honest and brief, and you own it."
    if category == "fit" and len(ct.fit_reasons) < 2:
        if ct.fit_reasons:
            tip = (
                f"Beside {quote(ct.fit_reasons[0])}, give a second reason you fit: a skill or "
                "experience the job asks for, with where you used it."
            )
        else:
            tip = (
                "Give two clear reasons you fit: a skill the job needs that you have used (say "
                "where), and something about the work you want to do."
            )
        shared.append((2.0, "Fewer than two clear reasons the job fits you.", tip))
    if ct.specificity is not None and ct.specificity < SPECIFICITY_OK:
        lead = f"{quote(ct.vague[0])} is general: say" if ct.vague else "Say"
        tip = f"{lead} what exactly you did, with a name, a tool or a number."
        if category in ("fit", "background"):
            # a reason or a career, not a story: "what you did" would ask for an episode
            lead = f"{quote(ct.vague[0])} is general: back it" if ct.vague else "Back your point"
            tip = f"{lead} with something concrete: where you did it, a tool or a number."
            if not (st.action or st.result):
                tip = ""  # the structure's "back your point with an example" tip comes first
        if category in STAR_CATEGORIES and not st.action:
            tip = ""  # the missing-step tip of the structure says the same, and says it first
        if category == "closing":
            tip = ""  # a closing answer is judged by the questions it asks, and its tip says so
        shared.append((1.5, "Mostly general statements, with few concrete details.", tip))
    shortfall = max(0.0, 100.0 - fitted_score)
    if shortfall and not shared:
        # No named finding: the other dimensions' tips say what to add, so this one has none.
        shared.append(
            (1.0, "Thinner than the strong answers a coach hears to this kind of question.", "")
        )
    total = sum(w for w, _, _ in shared)
    for weight, reason, tip in shared:
        points = shortfall * weight / total
        if reason.startswith("The answer sounds defensive"):
            points = max(points, DEFENSIVE_POINTS)
        d.findings.append(_Finding(points, reason, tip))
    ok = _relevance_ok(category)
    if ct.relevance is not None and ct.relevance < ok:
        asked = _asked_about(question)
        how = "does not address" if not ct.answers_question else "only partly addresses"
        d.findings.append(
            _Finding(
                RELEVANCE_POINTS * (ok - ct.relevance) / ok,
                f"The answer {how} the question{asked}.",
                f"The question asked{asked or ' something else'}; your answer {how} it. Answer "
                "it in your opening sentence, then back that up with your example.",
            )
        )
    if ct.negativity and ct.value_orientation >= 0:
        d.findings.append(
            _Finding(
                COMPLAINT_POINTS,
                "Part of the answer complains about someone.",
                f"{quote(ct.negativity[0])} sounds like a complaint: keep to the facts and what "
                "you did.",
            )
        )
    hedges = sum(hedge_count(t) for t in texts)
    extra = hedges - HEDGES_PER_SENTENCE_OK * len(texts)
    if extra > 0:
        hedged = next((t for t in texts if hedge_count(t)), texts[0] if texts else "")
        d.findings.append(
            _Finding(
                min(MAX_WORDING_POINTS, HEDGE_POINTS * extra),
                f"{hedges} hedges ('I think', 'maybe') weaken what you claim.",
                f"{quote(hedged)} hedges: say what you did plainly, without 'I think' or 'maybe'.",
            )
        )
    typed_fillers = (
        sum(filler_count(t) for t in texts)
        if not any(s.start is not None for s in st.sentences)
        else 0
    )
    if typed_fillers:
        d.findings.append(
            _Finding(
                min(MAX_WORDING_POINTS, TYPED_FILLER_POINTS * typed_fillers),
                f"{typed_fillers} fillers ('um', 'you know') in the answer.",
                "Leave out the fillers ('um', 'uh', 'you know'): a short silent pause does "
                "their job better.",
            )
        )
    terms = ct.job_terms_used + ct.job_terms_missed
    if terms:
        coverage = len(ct.job_terms_used) / len(terms)
        if coverage < 0.5 and ct.job_terms_missed:
            missed = ", ".join(f"'{t}'" for t in ct.job_terms_missed[:3])
            d.findings.append(
                _Finding(
                    15 * (1 - coverage),
                    f"The answer uses {coverage:.0%} of the posting's key terms.",
                    f"The posting stresses {missed} and you didn't mention them: tie your answer "
                    "to at least one of them.",
                )
            )
    return d


def _relevance_ok(category: str | None) -> float:
    """The relevance under which an answer starts to lose points: fitted with the models, at
    the lowest quarter of real answers to their own kind of question (scripts/fit_judgment.py)."""
    from practice.judgment.fitted import load
    from practice.judgment.verdict import relevance_bar

    return relevance_bar(load(), "ok", category)


def _asked_about(question: Question | None) -> str:
    """' (how you ...)': what the question asked, quoted, or '' when no question was given."""
    if question is None or not question.text.strip():
        return ""
    return f" ({quote(question.text)})"


def _defensive_tip(
    signals: dict[str, tuple[str, ...]], *, departure: bool = False
) -> tuple[str, str]:
    if signals["blame"]:
        return "blame", (
            f"{quote(signals['blame'][0])} puts the blame on someone else: own your "
            "part in one sentence, then say what you do differently now."
        )
    if signals["disguised_strength"]:
        return "a strength in disguise", (
            f"{quote(signals['disguised_strength'][0])} sounds like a strength in disguise: name "
            "a real weakness and the steps you are taking on it."
        )
    if signals["evasion"]:
        return "evasion", (
            f"{quote(signals['evasion'][0])} dodges the question: name a real "
            "example, briefly, and what you learned from it."
        )
    if signals["over_apology"]:
        return "over-apologising", (
            f"{quote(signals['over_apology'][0])} apologises too much: state the fact once, "
            "calmly, and move on to what you did about it."
        )
    if signals["vague_excuse"]:
        return "a vague excuse", (
            f"{quote(signals['vague_excuse'][0])} is vague: say plainly what happened in one "
            "sentence, then what you did next."
        )
    if departure:
        return "no plain reason", (
            "Give the reason in one plain sentence, without blame or excuses."
        )
    return "no ownership", "Own what happened in one sentence, then say what changed."
