"""Where applications end, what that points to, and what to practise next.

Pure functions: the outcome journal (`Outcome` records) and the analyses of the attempts
`History.list()` returns (newest first) go in; a `Diagnosis` and a `Plan` come out. The stage at
which applications stop says what to work on (no interviews: the resume or the kind of role;
stopped after phone screens: red-flag answers, success stories tied to the job, reasons for fit;
stopped after interviews in person: enthusiasm and delivery; the last round again and again: a
strong candidate refining), and the user's own weakest practice numbers say where.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from practice.core.records import Outcome
from practice.core.results import CATEGORIES, Analysis, Question
from practice.core.thresholds import FILLER_SHARE_MAX, PACE_HIGH_WPM, PACE_LOW_WPM
from practice.journey.outcomes import RESULTS, STAGES

# How much evidence a reading needs. Three applications ending at the same stage is the point
# at which coincidence becomes a pattern worth naming (the rule); fewer are tentative.
PATTERN_MIN = 3  # applications
WEAK_SCORE = 70  # a dimension averaging below this (0-100) is worth practising; our choice: the
#                  scorer starts most dimensions at 100 and a single named problem costs 10-25
WEAK_SHARE = 0.4  # a problem in at least 2 of the last 5 answers is a habit, not a slip; ours
LOW_INTERVIEW_RATE = 0.1  # fewer than 1 in 10 applications reaching an interview: our choice
RECENT = 5  # answers per category a "k of your last n" count looks at
AVERAGE_WINDOW = 10  # answers per category an average looks at: recent enough to be current
ALL_WINDOW = 20  # answers of any category an overall average looks at
JOB_TERMS_WEAK = 0.5  # using under half of a posting's key terms: the story is not tied to it
MAX_EVIDENCE = 3  # weak metrics quoted per finding
PLAN_CATEGORIES = 3  # a practice set spread over more categories loses its aim

STOPPED = ("rejected", "no-response")
DIMENSIONS = ("structure", "delivery", "enthusiasm", "content")
NOUNS = {  # how a category's answers are named in a sentence
    "success-story": "success stories",
    "fit": "fit answers",
    "background": "background answers",
    "red-flag": "red-flag answers",
    "closing": "closing answers",
}
WHERE = {  # "N applications ended ..."
    "applied": "without an interview",
    "phone-screen": "after a phone screen",
    "interview": "after an interview",
    "final-round": "at the final round",
}


# -- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Application:
    """One application, folded from its logged steps: the furthest stage and how it ended."""

    company: str
    role: str
    stage: str  # the furthest stage logged
    result: str  # how the step at that stage ended
    outcome_ids: tuple[int, ...]

    @property
    def stopped_at(self) -> str | None:
        """The stage where the employer (or silence) ended it; None if open, won or withdrawn."""
        return self.stage if self.result in STOPPED and self.stage != "offer" else None

    @property
    def offered(self) -> bool:
        """An offer was made (even if later declined)."""
        return self.result == "offer" or self.stage == "offer"

    @property
    def is_open(self) -> bool:
        return self.result == "advanced" and not self.offered

    @property
    def reached(self) -> int:
        """Index in STAGES of the furthest stage reached; "advanced" means the next one."""
        index = STAGES.index(self.stage)
        return min(index + 1, len(STAGES) - 1) if self.result == "advanced" else index


@dataclass(frozen=True)
class Metric:
    """One of the user's practice numbers, in words, with how weak it is."""

    key: str  # "fit.enthusiasm", "red-flag.defensive", "delivery.pace", ...
    category: str | None  # the question category to practise it on; None: any
    text: str  # "your fit answers average 54 on enthusiasm (5 answers)"
    severity: float  # 0 (fine) to 1 (as bad as it gets): ranks the weakest
    weak: bool
    attempts: int  # how many answers it rests on


@dataclass(frozen=True)
class Finding:
    pattern: str  # "no-interviews" | "after-phone-screen" | "after-interview" | "final-rounds"
    stage: str  # the stage the applications ended at
    count: int  # applications that ended there
    confidence: str  # "pattern" (PATTERN_MIN or more) | "tentative"
    headline: str
    basis: str  # how much data the reading rests on, in words
    meaning: str  # what the stage points to
    practise: tuple[str, ...]
    evidence: tuple[Metric, ...]  # the user's weakest practice numbers that bear on it
    evidence_note: str  # how to read the evidence (or its absence)
    categories: tuple[str, ...]  # question categories to practise, most useful first
    unpractised: tuple[str, ...] = ()  # categories it needs that have no attempts yet
    checklist: tuple[str, ...] = ()  # presence points audio cannot judge (in-person rounds)


@dataclass(frozen=True)
class Diagnosis:
    outcomes: int
    applications: int
    stopped: dict[str, int]  # stage -> applications that ended there
    reached_interview: int  # applications that got at least a phone screen
    offers: int
    open: int  # still advancing
    withdrew: int
    attempts: int
    findings: tuple[Finding, ...]  # the main reading first
    weakest: tuple[Metric, ...]  # the weakest practice numbers overall
    summary: str
    encouragement: str

    @property
    def main(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class PlanItem:
    question_id: str
    category: str
    text: str
    reason: str  # why this category is in the set
    attempts: int  # times practised so far


@dataclass(frozen=True)
class Plan:
    focus: str  # one line: what the set aims at
    items: tuple[PlanItem, ...]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# -- what each stage points to ------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    pattern: str
    headline: str
    meaning: str
    practise: tuple[str, ...]
    metrics: tuple[str, ...]  # metric keys that bear on it; "*" for any
    categories: tuple[str, ...]
    evidence_note: str
    aim: str  # why a plan practises for it, in a few words
    tags: frozenset[str] = field(default_factory=frozenset)  # questions to prefer in a plan
    checklist: tuple[str, ...] = ()


READINGS: dict[str, _Reading] = {
    "applied": _Reading(
        pattern="no-interviews",
        headline="Your applications are not turning into interviews.",
        meaning=(
            "When applications end before any conversation, nobody has heard you answer yet: "
            "the resume and cover letter, or the kind of role you are aiming at, need the work."
        ),
        practise=(
            "Tailor the resume and cover letter to each posting: lead with the two or three "
            "results that match what it asks for, in its own words.",
            "Check the target: aim some applications at roles one step from what you can "
            "already show evidence for.",
            "Ask someone who hires in your field to read your resume against one posting.",
            "Keep 'tell me about yourself' ready: it is your resume said aloud, and the first "
            "question once the calls come.",
        ),
        metrics=("job-terms", "background.content", "background.structure", "fit.content"),
        categories=("background", "fit", "success-story"),
        evidence_note=(
            "Practice scores cannot judge a resume; these are the nearest signals in your answers."
        ),
        aim="applications end before an interview",
        tags=frozenset({"self-presentation", "career-story", "value"}),
    ),
    "phone-screen": _Reading(
        pattern="after-phone-screen",
        headline="You are getting calls, and the applications stop after the phone screen.",
        meaning=(
            "A resume that earns calls is doing its job. A phone screen mostly checks for red "
            "flags and for a reason to believe you fit this particular job, so practise those."
        ),
        practise=(
            "Red-flag questions (gaps, leaving a job, weaknesses): a short, honest answer that "
            "ends on what you learned or changed, with no blame.",
            "Success stories tied to what this job needs: one story with a measured result for "
            "each of the posting's top needs.",
            "Solid reasons why the job fits you: concrete things about the work and what you "
            "bring to it.",
            "Send a prompt thank-you note that ties up loose ends from the call "
            "(practice note thank-you).",
        ),
        metrics=(
            "red-flag.defensive",
            "red-flag.content",
            "success-story.unquantified",
            "success-story.structure",
            "job-terms",
            "fit.no-reasons",
            "fit.content",
            "fit.enthusiasm",
        ),
        categories=("red-flag", "success-story", "fit"),
        evidence_note="Where your practice answers fall short on what a phone screen checks:",
        aim="applications stop after phone screens",
        tags=frozenset({"honesty", "failure", "gap", "motivation", "research", "results"}),
    ),
    "interview": _Reading(
        pattern="after-interview",
        headline="You get past the screen, and the applications stop after the interviews.",
        meaning=(
            "Once they meet you, interviewers weigh delivery and presence, and above all "
            "enthusiasm: that you want this work and want to add value for them, rather than "
            "what the job can do for you."
        ),
        practise=(
            "Let enthusiasm for the work itself show, in your voice as well as your words.",
            "Frame answers around what you will do for the employer: their problems, your results.",
            "Delivery: a steady pace, few fillers, a varied voice. Record, replay, compare.",
        ),
        metrics=(
            "all.enthusiasm",
            "fit.enthusiasm",
            "self-interest",
            "all.delivery",
            "delivery.monotone",
            "delivery.fillers",
            "delivery.pace",
            "closing.enthusiasm",
        ),
        categories=("fit", "closing", "success-story"),
        evidence_note="Where your practice answers fall short on enthusiasm, value and delivery:",
        aim="applications stop after interviews",
        tags=frozenset({"value", "motivation"}),
        checklist=(
            "Punctuality: arrive, or log in, ten minutes early.",
            "Posture: sit upright, lean in a little, hands relaxed and visible.",
            "Eye contact: while listening and on your main points (on video, the camera).",
            "Greeting: a firm handshake or a warm hello, and use the interviewer's name.",
            "Attire: a notch above what the team wears day to day.",
            "Listening: hear the whole question, pause, answer what was asked.",
        ),
    ),
    "final-round": _Reading(
        pattern="final-rounds",
        headline="You keep reaching the final round.",
        meaning=(
            "Getting that far means employers count you among their few strongest candidates. "
            "Between strong people the choice is often close, so a near miss is normal; small "
            "refinements and an outside view make the difference."
        ),
        practise=(
            "Get outside critique: a mock interview with someone in the field, or a coach.",
            "Refine your weakest numbers rather than starting over.",
            "Ask the last interviewer for a few minutes of feedback "
            "(practice note feedback-request).",
            "Prepare sharp closing questions and a short summary of why you and the role fit.",
        ),
        metrics=("*",),
        categories=("closing", "fit"),  # final rounds test motivation and how you close
        evidence_note="Small refinements: your weakest practice numbers.",
        aim="refinement for final rounds",
        tags=frozenset({"value", "curiosity", "preparation"}),
    ),
}


# -- folding the journal ------------------------------------------------------------------------


def applications(outcomes: Sequence[Outcome]) -> list[Application]:
    """Group logged steps into applications by company and role (case and spacing ignored)."""
    groups: dict[tuple[str, str], list[Outcome]] = {}
    for o in outcomes:
        if o.stage not in STAGES or o.result not in RESULTS:
            continue  # a row a newer practice wrote with a stage this one does not know
        key = (" ".join(o.company.casefold().split()), " ".join(o.role.casefold().split()))
        groups.setdefault(key, []).append(o)
    apps = []
    for steps in groups.values():
        # The furthest stage decides; among its steps the latest logged says how it ended.
        last = max(steps, key=lambda o: (STAGES.index(o.stage), o.date, o.id))
        apps.append(
            Application(
                company=last.company,
                role=last.role,
                stage=last.stage,
                result=last.result,
                outcome_ids=tuple(sorted(o.id for o in steps)),
            )
        )
    return apps


# -- practice metrics ---------------------------------------------------------------------------


def metrics(attempts: Sequence[Analysis]) -> list[Metric]:
    """Every practice number the diagnosis can quote, from analyses newest first."""
    out: list[Metric] = []
    by_cat: dict[str, list[Analysis]] = {c: [] for c in CATEGORIES}
    for a in attempts:
        if a.category in by_cat:
            by_cat[a.category].append(a)

    for cat, rows in by_cat.items():
        for dim in DIMENSIONS:
            m = _average(f"{cat}.{dim}", cat, f"your {NOUNS[cat]}", dim, rows[:AVERAGE_WINDOW])
            if m:
                out.append(m)
    for dim in DIMENSIONS:
        m = _average(f"all.{dim}", None, "your answers", dim, list(attempts[:ALL_WINDOW]))
        if m:
            out.append(m)

    red_flags = [a for a in by_cat["red-flag"] if a.content.red_flag_handling]
    out += _count(
        "red-flag.defensive",
        "red-flag",
        red_flags[:RECENT],
        "red-flag answers",
        lambda a: a.content.red_flag_handling == "defensive",
        "read defensive",
    )
    out += _count(
        "fit.no-reasons",
        "fit",
        by_cat["fit"][:RECENT],
        "fit answers",
        lambda a: not a.content.fit_reasons,
        "gave no concrete reason the job fits you",
    )
    out += _count(
        "success-story.unquantified",
        "success-story",
        by_cat["success-story"][:RECENT],
        "success stories",
        lambda a: not a.structure.result_quantified,
        "ended without a measurable result",
    )
    judged = [a for a in attempts if a.content.value_orientation is not None]
    out += _count(
        "self-interest",
        "fit",
        judged[:RECENT],
        "answers",
        lambda a: a.content.value_orientation == -1,
        "spoke more about what the job gives you than what you would give it",
    )
    out += _job_terms(attempts[:AVERAGE_WINDOW])
    out += _delivery([a for a in attempts if a.delivery is not None][:RECENT])
    return out


def _average(
    key: str, category: str | None, who: str, dim: str, rows: Sequence[Analysis]
) -> Metric | None:
    values = [float(v) for a in rows if (v := a.scores.score(dim)) is not None]
    if not values:
        return None
    avg = round(sum(values) / len(values))
    n = len(values)
    return Metric(
        key=key,
        category=category,
        text=f"{who} average {avg} on {dim} ({n} answer{'s' if n != 1 else ''})",
        severity=(100 - avg) / 100,
        weak=avg < WEAK_SCORE,
        attempts=n,
    )


def _count(
    key: str,
    category: str | None,
    rows: Sequence[Any],
    noun: str,
    test: Callable[[Any], Any],
    verb: str,
) -> list[Metric]:
    if not rows:
        return []
    k = sum(1 for a in rows if test(a))
    n = len(rows)
    if n == 1:
        text = f"your only {noun[:-1]} so far {verb}" if k else f"your only {noun[:-1]} did not"
    else:
        text = f"{k} of your last {n} {noun} {verb}"
    share = k / n
    return [Metric(key, category, text, share, k > 0 and share >= WEAK_SHARE, n)]


def _job_terms(rows: Sequence[Analysis]) -> list[Metric]:
    used = missed = n = 0
    for a in rows:
        u, m = len(a.content.job_terms_used), len(a.content.job_terms_missed)
        if u + m:
            used, missed, n = used + u, missed + m, n + 1
    if not n:
        return []
    share = used / (used + missed)
    text = (
        f"your answers used {used} of the {used + missed} job-posting terms they were checked "
        f"against ({n} answer{'s' if n != 1 else ''})"
    )
    # Any kind of answer can be tied to the posting, so it names no one category to practise.
    return [Metric("job-terms", None, text, 1 - share, share < JOB_TERMS_WEAK, n)]


def _delivery(spoken: Sequence[Analysis]) -> list[Metric]:
    """Pace, fillers and monotone over the recent spoken answers (typed answers have none)."""
    rows = [a.delivery for a in spoken if a.delivery is not None]
    if not rows:
        return []
    out: list[Metric] = []
    n = len(rows)
    answers = f"{n} spoken answer{'s' if n != 1 else ''}"
    wpm = sum(float(d.words_per_minute) for d in rows) / n
    off = max(PACE_LOW_WPM - wpm, wpm - PACE_HIGH_WPM, 0.0)
    out.append(
        Metric(
            "delivery.pace",
            None,
            f"you average {wpm:.0f} words a minute "
            f"(aim for {PACE_LOW_WPM}-{PACE_HIGH_WPM}; {answers})",
            min(1.0, off / 50),
            off > 0,
            n,  # 50 wpm outside the range is as bad as it gets
        )
    )
    words = sum(int(d.spoken_word_count) for d in rows)
    fillers = sum(int(d.filler_count) + int(d.discourse_filler_count) for d in rows)
    if words:
        share = fillers / words
        out.append(
            Metric(
                "delivery.fillers",
                None,
                f"fillers make up {share:.0%} of your words (aim under {FILLER_SHARE_MAX:.0%}; "
                f"{answers})",
                min(1.0, share / (3 * FILLER_SHARE_MAX)),
                share > FILLER_SHARE_MAX,
                n,
            )
        )
    judged = [a.prosody for a in spoken if a.prosody is not None and a.prosody.monotone is not None]
    out += _count(
        "delivery.monotone",
        None,
        judged,
        "spoken answers",
        lambda p: p.monotone,
        "sounded monotone",
    )
    return out


# -- the diagnosis ------------------------------------------------------------------------------


def diagnose(outcomes: Sequence[Outcome], attempts: Sequence[Analysis]) -> Diagnosis:
    """Read the journal and the practice history together; see the module docstring."""
    apps = applications(outcomes)
    stopped = Counter(a.stopped_at for a in apps if a.stopped_at)
    reached_interview = sum(1 for a in apps if a.reached >= STAGES.index("phone-screen"))
    all_metrics = metrics(attempts)
    weakest = tuple(sorted((m for m in all_metrics if m.weak), key=lambda m: -m.severity))
    practised = Counter(a.category for a in attempts)

    findings: list[Finding] = []
    for stage in ("applied", "phone-screen", "interview", "final-round"):
        count = stopped.get(stage, 0)
        if not count:
            continue
        # Many applications go unanswered in any search; only a low reply rate points at paper.
        if stage == "applied" and reached_interview > LOW_INTERVIEW_RATE * len(apps):
            continue
        findings.append(_finding(stage, count, apps, all_metrics, weakest, practised))
    # The stage where most applications stop leads; on a tie the earlier one, which cuts off more.
    findings.sort(key=lambda f: (-f.count, STAGES.index(f.stage)))

    return Diagnosis(
        outcomes=len(outcomes),
        applications=len(apps),
        stopped={s: stopped.get(s, 0) for s in STAGES[:-1]},
        reached_interview=reached_interview,
        offers=sum(1 for a in apps if a.offered),
        open=sum(1 for a in apps if a.is_open),
        withdrew=sum(1 for a in apps if a.result == "withdrew"),
        attempts=len(attempts),
        findings=tuple(findings),
        weakest=weakest[:MAX_EVIDENCE],
        summary=_summary(len(outcomes), apps, stopped, reached_interview, len(attempts)),
        encouragement=_encouragement(findings, apps),
    )


def _finding(
    stage: str,
    count: int,
    apps: Sequence[Application],
    all_metrics: Sequence[Metric],
    weakest: Sequence[Metric],
    practised: Mapping[Any, int],
) -> Finding:
    r = READINGS[stage]
    if "*" in r.metrics:
        evidence = list(weakest)
    else:
        wanted = set(r.metrics)
        evidence = sorted(
            (m for m in all_metrics if m.key in wanted and m.weak), key=lambda m: -m.severity
        )
    evidence = evidence[:MAX_EVIDENCE]
    categories = list(r.categories)
    if stage == "final-round":
        # Refinement aims at whatever is weakest, after closing and fit.
        categories += [m.category for m in evidence if m.category]
    categories = list(dict.fromkeys(categories))
    unpractised = tuple(c for c in categories if not practised.get(c))

    where = WHERE[stage]
    plural = "s" if count != 1 else ""
    if count >= PATTERN_MIN:
        confidence = "pattern"
        basis = f"{count} applications ended {where}: enough to call it a pattern."
    else:
        confidence = "tentative"
        basis = (
            f"Only {count} application{plural} ended {where} so far: a tentative reading; log "
            "more outcomes to see whether it holds."
        )
    if stage == "applied":
        basis += f" {_reached_phrase(apps)}"
    if stage == "final-round":
        roles = Counter(a.role.casefold() for a in apps if a.stopped_at == "final-round")
        role, same = roles.most_common(1)[0]
        if same >= 2:
            basis += f" {same} of them were for {role} roles."

    note = r.evidence_note
    if not evidence:
        note = (
            "No practice answers to link this to yet: the plan starts there."
            if all(not practised.get(c) for c in r.categories)
            else "Your practice numbers on this look sound; the gap may be in the live "
            "conversation, so try a mock interview with another person."
        )
    return Finding(
        pattern=r.pattern,
        stage=stage,
        count=count,
        confidence=confidence,
        headline=r.headline,
        basis=basis,
        meaning=r.meaning,
        practise=r.practise,
        evidence=tuple(evidence),
        evidence_note=note,
        categories=tuple(categories),
        unpractised=unpractised,
        checklist=r.checklist,
    )


def _reached_phrase(apps: Sequence[Application]) -> str:
    reached = sum(1 for a in apps if a.reached >= STAGES.index("phone-screen"))
    if reached == 0:
        return f"None of your {len(apps)} applications has reached an interview yet."
    return f"Only {reached} of your {len(apps)} applications reached an interview."


def _summary(
    n_outcomes: int,
    apps: Sequence[Application],
    stopped: Mapping[str, int],
    reached_interview: int,
    n_attempts: int,
) -> str:
    if not apps:
        return f"No outcomes logged yet; {_n(n_attempts, 'practice answer')}."
    parts = [f"{stopped[s]} ended {WHERE[s]}" for s in WHERE if stopped.get(s)]
    still = sum(1 for a in apps if a.is_open)
    if still:
        parts.append(f"{still} still open")
    offers = sum(1 for a in apps if a.offered)
    if offers:
        parts.append(f"{offers} with an offer")
    detail = ": " + ", ".join(parts) if parts else ""
    return (
        f"{_n(n_outcomes, 'outcome')} across {_n(len(apps), 'application')}{detail}. "
        f"{reached_interview} reached at least a phone screen. "
        f"Based also on {_n(n_attempts, 'practice answer')}."
    )


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _encouragement(findings: Sequence[Finding], apps: Sequence[Application]) -> str:
    if not apps:
        return (
            "Log where each application ends (practice outcome add) and this will show where you "
            "get stopped. Until then, the plan aims at your weakest practice numbers."
        )
    if not findings:
        return (
            "Nothing has stopped yet, so there is no pattern to read. Keep practising while you "
            "wait: the next conversation is material for the one after."
        )
    lead = (
        "Rejection is normal in any search, and each one is instructive: it shows where to aim "
        "the next round of practice."
    )
    main = findings[0]
    if main.pattern == "final-rounds":
        return lead + " You are getting close; keep going."
    if main.pattern == "no-interviews":
        return lead + " Silence says nothing yet about how you interview. Keep going."
    return lead + " Practise the answers above and keep applying."


# -- the plan -----------------------------------------------------------------------------------


DEFAULT_CATEGORIES = ("background", "success-story", "fit")  # a first set with nothing to go on


def plan(
    diagnosis: Diagnosis,
    bank: Sequence[Question],
    counts: Mapping[str, int],
    *,
    n: int = 5,
) -> Plan:
    """The next `n` questions: aimed at the main finding's stage and the weakest metrics,
    spread over at most PLAN_CATEGORIES categories, least practised first (`counts`:
    attempts per question id, as `History.count_by_question()`)."""
    reasons: dict[str, str] = {}

    def want(category: str | None, reason: str) -> None:
        if category and category not in reasons:
            reasons[category] = reason

    main = diagnosis.main
    tags: frozenset[str] = frozenset()
    if main is not None:
        r = READINGS[main.stage]
        tags = r.tags
        for m in main.evidence:
            want(m.category, m.text)
        for c in main.unpractised:
            want(c, f"not practised yet ({r.aim})")
        for c in main.categories:
            want(c, r.aim)
        focus = (
            f"{main.headline} ({main.confidence}: {main.count} application"
            f"{'s' if main.count != 1 else ''} ended {WHERE[main.stage]})"
        )
    else:
        # Nothing logged or nothing stopped yet: aim at the weakest numbers, else a rounded start.
        focus = "Your weakest practice numbers."
        for m in diagnosis.weakest:
            want(m.category, m.text)
        for c in DEFAULT_CATEGORIES:
            want(c, "a well-rounded start")
        if not diagnosis.weakest:
            focus = "A well-rounded start: who you are, a success story, why this job."

    chosen = [c for c in reasons if any(q.category == c for q in bank)][:PLAN_CATEGORIES]
    queues = {c: _ranked([q for q in bank if q.category == c], counts, tags) for c in chosen}
    items: list[PlanItem] = []
    while len(items) < n and any(queues.values()):
        for c in chosen:
            if queues[c] and len(items) < n:
                q = queues[c].pop(0)
                assert q.id is not None
                items.append(PlanItem(q.id, c, q.text, reasons[c], counts.get(q.id, 0)))
    return Plan(focus=focus, items=tuple(items))


def _ranked(
    pool: Sequence[Question], counts: Mapping[str, int], tags: frozenset[str]
) -> list[Question]:
    """Least practised first; among equals, questions whose skills suit the stage, then bank
    order (stable, so the same history gives the same plan)."""
    order = {id(q): i for i, q in enumerate(pool)}
    return sorted(
        (q for q in pool if q.id),
        key=lambda q: (counts.get(q.id or "", 0), not (tags & set(q.tags)), order[id(q)]),
    )


# -- read from a data home ----------------------------------------------------------------------


def load(home: Path) -> tuple[Diagnosis, dict[str, int]]:
    """The diagnosis of the outcome journal and the practice history under `home`, and the
    attempts per question: what `practice diagnose` and the app's journal page show."""
    from practice.history.store import History
    from practice.journey.outcomes import list_outcomes

    with History.open(home) as h:
        # A follow-up answer is half of its question's conversation: the main answers alone
        # say how the person meets a question, as they do in progress.
        main = [r.analysis for r in h.list() if r.follow_up_of is None]
        d = diagnose(list_outcomes(h), main)
        counts = h.count_by_question()
    return d, counts


def next_plan(home: Path, n: int = 5) -> tuple[Diagnosis, Plan]:
    """The diagnosis under `home` and the next practice set it points to (`practice plan`)."""
    from practice.journey import questions

    d, counts = load(home)
    bank = questions.load_bank(questions.user_bank_dirs(home))
    return d, plan(d, bank, counts, n=n)
