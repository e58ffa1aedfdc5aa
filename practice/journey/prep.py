"""Job prep: a posting's requirements, the stories that show each one, the likely questions, a plan.

Deterministic and offline. Requirements come from the posting's bullet lines and from sentences
with requirement cues ("you will", "experience with", "ability to", "must"); benefits and
company blurbs are left out. A story shows a requirement in proportion to the requirement's
words it shares (rare words and named tools weigh more; a synonym from CONCEPTS or another form
of the word counts in part) and the skills both show (the cue lists in practice.journey.stories; a
neighbouring skill counts in part). Measured on the postings under tests/data/prep
(scripts/eval_prep.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from practice.core import pages
from practice.core.errors import InputError
from practice.core.results import Question
from practice.core.text import WORD, fit, past_tense, stem
from practice.core.when import local_day
from practice.journey.stories import (
    SKILLS,
    TAG_SKILLS,
    Story,
    content_words,
    infer_skills,
    skill_label,
)

# Thresholds, set on the four tuning postings of tests/data/prep (the fifth is held out).
# COVERED_MIN: on the tuning postings the strongest uncovered requirement scores 0.39 and the
# weakest covered one 0.415; 0.40 is the only value in a 0.30-0.54 sweep with no mistakes there.
COVERED_MIN = 0.40  # strength (0-1) from which a story shows a requirement
ADAPT_MIN = 0.20  # a weaker best story is still worth adapting rather than finding a new one
NAMED_MISS_CAP = 0.30  # a requirement naming a tool no story mentions is at most this strong
ACTIVITY_MISS_CAP = 0.35  # nor covers one whose activity ("managing ...") the story never shows
TERM_WEIGHT = 0.70  # share of strength from shared words; the rest from shared skills
MAX_STORIES_PER_REQUIREMENT = 3
MAX_BANK_QUESTIONS = 6
MAX_REQUIREMENT_WORDS = 25  # a longer bullet is cut here for display

# -- requirements ------------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-*\u2022\u00b7\u2013\u2014\u25aa\u25e6>]|\d{1,2}[.)])\s+")
# Sections whose lines are the employer's offer or blurb, not what the job asks for.
_SKIP_SECTION = re.compile(
    r"\b(benefits?|perks?|what we offer|we offer|why join|why work|about us|about the company|"
    r"who we are|salary|compensation|how to apply|equal opportunit\w*|our values)\b",
    re.IGNORECASE,
)
_CUE = re.compile(
    r"\b(you will|you'll|you should|you must|must|experience (with|in|of)|ability to|able to|"
    r"responsible for|essential|desirable|preferred|a plus|bonus|comfortable (with|presenting|"
    r"working)|knowledge of|track record|proficien\w*|familiar\w* with|required)\b",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(
    r"^.*?\b(you will|you'll|you should be|you must be|you should|you must|you are|you're)\s+",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r"(\s*\((desirable|preferred|essential|a plus|nice to have)\)|"
    r",?\s+(is|are|would be)\s+(a plus|a bonus|an advantage|essential|desirable|preferred|"
    r"useful|helpful|nice to have)\b.*)$",
    re.IGNORECASE,
)
_NICE = re.compile(
    r"\b(preferred|a plus|bonus|desirable|ideally|would be useful|nice to have|advantage)\b",
    re.IGNORECASE,
)
# A credential or working condition: stated, not shown with a story.
_CONDITION = re.compile(
    r"\b(registration|licen[cs]e|certificat\w*|certified|degree|diploma|right to work|visa|"
    r"security clearance|driving|fluent|fluency|spanish|french|german|portuguese|italian|"
    r"mandarin|arabic|polish|welsh|(night|rotating|weekend) shifts|shifts and weekends|"
    r"nights and weekends|work weekends|willing to travel|relocat\w*)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
MAX_HEADING_WORDS = 8

# Words a requirement uses for any job; they say nothing about which story shows it. (Stop words
# need no place here: content_words has already left them out.)
_GENERIC = frozenset(
    stem(w)
    for w in """experience experienced ability able strong excellent good great proven solid
    working knowledge skills skill previous track record history bonus ideally essential
    desirable preferred useful including include well confident comfortable accurately safely
    smoothly clear clearly daily weekly environment setting role using use shift least
    current""".split()
)


@dataclass(frozen=True)
class Requirement:
    text: str
    kind: str  # "skill" (shown with a story) | "condition" (a credential or working condition)
    nice_to_have: bool
    skills: tuple[str, ...]


def extract_requirements(posting: str) -> list[Requirement]:
    """The posting's requirements as short phrases, in the order they appear."""
    out: list[Requirement] = []
    seen: set[str] = set()
    skipping = False
    first = True
    for raw in posting.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            continue
        bullet = _BULLET.match(raw)
        if first and not bullet:
            first = False
            continue  # the job title
        first = False
        if not bullet and _is_heading(line):
            skipping = bool(_SKIP_SECTION.search(line))
            continue
        label = line.split(":", 1)[0] if ":" in line else ""
        if label and len(label.split()) <= 4 and _SKIP_SECTION.search(label):
            continue  # "Perks: ..." on one line
        if skipping:
            continue
        if bullet:
            candidates = [line[bullet.end() - (len(raw) - len(raw.lstrip())) :]]
        else:
            candidates = [s for s in _SENTENCE_END.split(line) if _CUE.search(s)]
        for text in candidates:
            requirement = _requirement(text)
            key = requirement.text.lower() if requirement else ""
            if requirement and key not in seen:
                seen.add(key)
                out.append(requirement)
    return out


def _is_heading(line: str) -> bool:
    words = line.rstrip(":").split()
    if line.endswith(":") and len(words) <= MAX_HEADING_WORDS:
        return True
    # "What you will do" is a heading despite its cue: short and without a full stop.
    return len(words) <= MAX_HEADING_WORDS - 3 and not re.search(r"[.!?,;]$", line)


def _requirement(text: str) -> Requirement | None:
    nice = bool(_NICE.search(text))
    clean = _LEAD_IN.sub("", text.strip()).strip()
    clean = _TRAILING.sub("", clean).strip().rstrip(".;:,").strip()
    if len(clean.split()) < 1 or not re.search(r"[A-Za-z]{2}", clean):
        return None
    words = clean.split()
    if len(words) > MAX_REQUIREMENT_WORDS:
        clean = " ".join(words[:MAX_REQUIREMENT_WORDS]) + "..."
    clean = clean[0].upper() + clean[1:]
    kind = "condition" if _CONDITION.search(clean) else "skill"
    return Requirement(text=clean, kind=kind, nice_to_have=nice, skills=infer_skills(clean))


# -- matching stories -------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    surface: str  # as written in the posting
    named: bool  # a tool or proper name: "Python", "SBAR", "KPIs"
    factor: float  # 1, or less for a verb any job uses or a word in an elaboration
    group: int | None  # terms joined by "or" share a group: a story needs only one of them
    parts: frozenset[str] = frozenset()  # a hyphenated word's parts, which also meet it


def requirement_terms(text: str) -> dict[str, Term]:
    """The requirement's topic words by stem."""
    out: dict[str, Term] = {}
    elaboration = _ELABORATION.search(text)
    cut = elaboration.start() if elaboration else len(text)
    or_words: dict[str, int] = {}
    for g, m in enumerate(_OR_PAIR.finditer(text)):
        or_words.setdefault(m.group(1).lower(), g)
        or_words.setdefault(m.group(2).lower(), g)
    for k, m in enumerate(WORD.finditer(text)):  # "Excel/Sheets" is two words
        word = m.group().strip("'")
        named = (
            (len(word) >= 2 and word.isupper())
            or bool(re.search(r"[\d+#]", word))
            or (k > 0 and word[:1].isupper())
        )
        stems = content_words(word)
        parts: frozenset[str] = frozenset()
        if "-" in word:
            # One term for the hyphenated word, met by the whole or by its parts.
            whole = stem(word.lower())
            parts = frozenset(stems - {whole})
            stems = {whole} if stems - _GENERIC else set()
        for st in sorted(stems):
            if st in _GENERIC or (st in out and not named):
                continue
            factor = VERB_WEIGHT if st in _COMMON_VERBS else 1.0
            if m.start() >= cut:
                factor *= ELABORATION_WEIGHT
            out[st] = Term(
                word if named else word.lower(),
                named,
                factor,
                or_words.get(word.lower()),
                parts,
            )
    return out


_PREFIXES = frozenset({"non", "post", "pre", "co", "self", "multi", "cross", "sub", "inter"})
# Words after these open an elaboration of the requirement (who it serves, examples, the scope)
# rather than its core; they count for less.
_ELABORATION = re.compile(
    r"\b(that|which|who|such as|including|like|from|for|following|using)\b",
    re.IGNORECASE,
)
ELABORATION_WEIGHT = 0.5
_OR_PAIR = re.compile(r"\b([A-Za-z][\w-]*) or ([A-Za-z][\w-]*)\b")


# Words that name the same thing in different jobs' wording; a requirement word meets a story
# word of the same group, for CONCEPT_CREDIT of its weight. Kept to the everyday vocabulary of
# job postings across fields (office, retail, care, trades, teaching, hospitality, finance), not
# any one posting's; a word that often means something else in another field stays out.
CONCEPTS: tuple[frozenset[str], ...] = tuple(
    frozenset(stem(w) for w in group.split())
    for group in (
        "sell sold selling sales sale seller revenue turnover",
        "customer customers client clients buyer buyers shopper shoppers consumer consumers "
        "guest guests patron patrons",
        "retail retailer retailers shop shops store stores b2c e-commerce ecommerce",
        "slow slower latency speed faster quicker sluggish",
        "unreliable reliable reliability outage outages downtime crash crashes incident",
        "rejection rejected lost losing lose setback setbacks",
        "resilience resilient bounce persevere perseverance confidence",
        "mentor mentored mentoring coach coached coaching tutor",
        "explain explained explaining present presented presenting presentation brief briefed "
        "report reported reporting",
        "b2b business businesses",
        "prioritise prioritize priority priorities urgent urgency triage",
        "pressure stress stressful busy",
        "data analytics figures metrics numbers statistics",
        "budget budgets spend spending cost costs expenditure",
        "demo demos demonstration",
        "recruit recruited hire hired hiring recruitment",
        "deadline deadlines",
        "educate educated educating teach taught teaching instruct instruction",
        "fix fixed resolve resolved solve solved",
        "safety safe hazard hazards accident accidents injury injuries",
        "quota quotas target targets goal goals",
        "contract contracts deal deals agreement",
        "colleague colleagues coworker coworkers teammate teammates",
        "executive executives director directors board leadership",
        "grow grew growth increase increased rise rose expand expanded boost",
        "reduce reduced cut lower lowered decrease decreased",
        "calendar schedule scheduled scheduling timetable rota timing",
        "staff employee employees workforce personnel crew",
        "manage managed managing supervise supervised supervising oversee oversaw overseeing",
        "exceed exceeded exceeding beat beating surpass surpassed outperform outperformed",
        "supplier suppliers vendor vendors contractor contractors agency agencies",
        "policy policies procedure procedures protocol protocols guideline guidelines",
        "compliance compliant regulation regulations regulatory",
        "inventory stock stocktake",
        "monitor monitored monitoring track tracked tracking",
        "complaint complaints grievance grievances",
        "pupil pupils student students learner learners",
        "parent parents family families carer carers guardian guardians relative relatives",
        "lesson lessons class classes curriculum syllabus",
        "launch launched rollout release",
        "problem problems issue issues",
        "accurate accuracy error errors",
        "money cash funds funding",
    )
)
_CONCEPT_OF: dict[str, frozenset[int]] = {
    w: frozenset(i for i, g in enumerate(CONCEPTS) if w in g) for group in CONCEPTS for w in group
}
# Verbs any requirement may open with: they count, but half as much as the topic words.
_COMMON_VERBS = frozenset(
    stem(w)
    for w in """design build operate plan manage run take keep work own lead drive support
    deliver make ensure handle provide develop create maintain improve follow hit help part
    full join""".split()
)
VERB_WEIGHT = 0.5
MIN_TERM_SCORE = 0.25  # a story must share this much of a requirement's words, whatever its skills
CONCEPT_CREDIT = 0.8  # a word met by another word of its CONCEPTS group: near, not the same
DERIVED_CREDIT = 0.8  # a word met by another form of it ("manager" for "managing")
RELATED_SKILL_CREDIT = 0.5  # a requirement's skill shown by a story's neighbouring skill


@dataclass(frozen=True)
class StoryMatch:
    story_id: int | None
    title: str
    strength: float  # 0-1
    shared_terms: tuple[str, ...]
    shared_skills: tuple[str, ...]

    @property
    def reason(self) -> str:
        bits = []
        if self.shared_terms:
            bits.append("shares " + ", ".join(f'"{t}"' for t in self.shared_terms))
        if self.shared_skills:
            bits.append("shows " + ", ".join(skill_label(s) for s in self.shared_skills))
        return "; ".join(bits) or "little in common"


@dataclass(frozen=True)
class Coverage:
    requirement: Requirement
    covered: bool
    matches: tuple[StoryMatch, ...]  # strongest first; only those at or above COVERED_MIN
    best: StoryMatch | None  # the strongest story, covered or not
    advice: str | None  # for an uncovered requirement: what to do


class _Index:
    """The story bank's words, with how rare each is across the bank."""

    def __init__(self, stories: Sequence[Story]) -> None:
        self.stories = list(stories)
        self.words = [content_words(f"{s.title} {s.text}") for s in self.stories]
        self.skills = [set(s.skills) or set(infer_skills(s.text)) for s in self.stories]
        n = len(self.stories)
        df: dict[str, int] = {}
        for ws in self.words:
            for w in ws:
                df[w] = df.get(w, 0) + 1
        self._df = df
        self._n = n

    def weight(self, term: str, named: bool) -> float:
        # Inverse document frequency: a word every story uses says little about any one of them.
        idf = math.log((self._n + 1) / (self._df.get(term, 0) + 0.5)) + 1.0
        return idf * (2.0 if named else 1.0)


# Endings that make another word of the same root ("manag" -> "manager", "present" ->
# "presentation"); a stem meets a longer one that is it plus one of these.
_DERIVATIONAL = frozenset(
    """er or ers ors ership ship ation ations ition ment ments ness ance ence ity ive ist ists
    ial ical al ally ly ion ions ant ent ure is ory""".split()
)
MIN_ROOT_CHARS = 5  # shorter stems ("part", "form", "stor") too often begin unrelated words


def _derived(a: str, b: str) -> bool:
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return (
        len(short) >= MIN_ROOT_CHARS
        and long.startswith(short)
        and long[len(short) :] in _DERIVATIONAL
    )


def _credit(key: str, term: Term, story_words: set[str], story_concepts: set[int]) -> float:
    """How fully a story's words meet one requirement word: 1, a near credit, or 0."""
    if key in story_words:
        return 1.0
    # "non-technical" is met by "technical"; a phrase like "pick-to-light" needs every part.
    main = [p for p in term.parts if p not in _PREFIXES]
    if main and all(p in story_words or p in _GENERIC for p in main):
        return 1.0
    if _CONCEPT_OF.get(key, set()) & story_concepts:
        return CONCEPT_CREDIT
    if any(_derived(key, w) for w in story_words):
        return DERIVED_CREDIT
    return 0.0


# Skills that show each other in part: developing people is close to leading them, persuading
# is a kind of communicating, and measuring is how problems get found and processes improved.
RELATED_SKILLS: dict[str, frozenset[str]] = {
    "leadership": frozenset({"mentoring", "initiative"}),
    "mentoring": frozenset({"leadership", "communication"}),
    "communication": frozenset({"influence", "mentoring"}),
    "influence": frozenset({"communication"}),
    "analysis": frozenset({"problem-solving", "efficiency"}),
    "problem-solving": frozenset({"analysis"}),
    "efficiency": frozenset({"analysis", "problem-solving"}),
    "teamwork": frozenset({"communication"}),
    "initiative": frozenset({"leadership"}),
}


def _skill_score(req_skills: Sequence[str], story_skills: set[str]) -> float:
    """Share of the requirement's skills the story shows, a neighbouring skill counting part."""
    got = 0.0
    for skill in req_skills:
        if skill in story_skills:
            got += 1.0
        elif RELATED_SKILLS.get(skill, frozenset()) & story_skills:
            got += RELATED_SKILL_CREDIT
    return got / len(req_skills)


def match_story(
    requirement: Requirement,
    story_words: set[str],
    story_skills: set[str],
    index: _Index,
    story: Story,
) -> StoryMatch:
    terms = requirement_terms(requirement.text)
    concepts = {g for w in story_words for g in _CONCEPT_OF.get(w, ())}
    credit = {t: _credit(t, term, story_words, concepts) for t, term in terms.items()}
    met = {t for t, c in credit.items() if c > 0}
    # Each "or" group counts once, at its heaviest member, and is met by its best member.
    units: dict[object, tuple[float, float]] = {}
    for t, term in terms.items():
        key: object = ("or", term.group) if term.group is not None else t
        weight = index.weight(t, term.named) * term.factor
        old_weight, old_credit = units.get(key, (0.0, 0.0))
        units[key] = (max(old_weight, weight), max(old_credit, credit[t]))
    total = sum(w for w, _ in units.values())
    term_score = sum(w * c for w, c in units.values()) / total if total else 0.0
    shared_skills = tuple(s for s in requirement.skills if s in story_skills)
    if requirement.skills:
        strength = TERM_WEIGHT * term_score + (1 - TERM_WEIGHT) * _skill_score(
            requirement.skills, story_skills
        )
    else:
        strength = term_score
    named = [t for t, term in terms.items() if term.named]
    if named and not any(t in met for t in named):
        strength = min(strength, NAMED_MISS_CAP)
    activity = _activity(requirement.text)
    if activity is not None and activity in credit and not credit[activity]:
        # "2+ years managing people" asks for managing: a story that only shares "people"
        # does not show it, however well the other words match.
        strength = min(strength, ACTIVITY_MISS_CAP)
    if term_score < MIN_TERM_SCORE:
        strength = min(strength, COVERED_MIN - 0.01)
    return StoryMatch(
        story_id=story.id,
        title=story.title,
        strength=round(min(1.0, strength), 3),
        shared_terms=tuple(terms[t].surface for t in terms if t in met),
        shared_skills=shared_skills,
    )


# What may stand before a requirement's activity: "3+ years", "experience (in)", "ability to".
_ACTIVITY_LEAD_IN = re.compile(
    r"^(?:(?:at least |over |more than )?\d+\+?\s*years?\s+(?:of\s+|in\s+)?)?"
    r"(?:(?:an? )?(?:proven |strong |solid )?(?:experience|track record|history|record)"
    r"(?:\s+(?:of|in|with))?\s+)?(?:(?:an? )?(?:ability|able) to\s+)?",
    re.IGNORECASE,
)


def _activity(text: str) -> str | None:
    """The stem of the verb a requirement asks someone to have done ("managing people",
    "experience leading a team", "ability to negotiate"), or None for a thing or a quality."""
    rest = _ACTIVITY_LEAD_IN.sub("", text.strip()).split()
    if not rest:
        return None
    word = rest[0].lower().strip(",;:")
    # Only the -ing form: a posting's base verbs list duties ("Lead a shift", "Own a quota",
    # "Work night shifts") that a story may show in other words, while "managing people" or
    # "3 years negotiating contracts" names the experience itself. Light verbs say too little.
    base = _verb_base(word)
    if base is None or base in _LIGHT_VERBS:
        return None
    return stem(word)


_LIGHT_VERBS = frozenset(
    "work run take make keep stay own drive support help handle improve".split()
)


def cover(requirements: Sequence[Requirement], stories: Sequence[Story]) -> list[Coverage]:
    """Each requirement with the stories that show it and, when none does, what to do."""
    index = _Index(stories)
    out: list[Coverage] = []
    for r in requirements:
        ranked = sorted(
            (
                match_story(r, index.words[i], index.skills[i], index, s)
                for i, s in enumerate(index.stories)
            ),
            key=lambda m: -m.strength,
        )
        best = ranked[0] if ranked else None
        if r.kind == "condition":
            out.append(Coverage(r, False, (), best, _CONDITION_ADVICE))
            continue
        strong = tuple(m for m in ranked if m.strength >= COVERED_MIN)[:MAX_STORIES_PER_REQUIREMENT]
        advice = None if strong else _advice(r, best)
        out.append(Coverage(r, bool(strong), strong, best, advice))
    return out


_CONDITION_ADVICE = (
    "A credential or working condition rather than a story: say plainly that you meet it, "
    "or how and when you will."
)


def _advice(r: Requirement, best: StoryMatch | None) -> str:
    if best is not None and best.strength >= ADAPT_MIN:
        return (
            f'Adapt story #{best.story_id} "{best.title}" ({best.reason}): retell it so it '
            f"plainly shows: {r.text.lower()}."
        )
    return (
        f"Find a new story: {time_question(r.text)} If you have none, prepare an honest answer "
        "about how you would learn it quickly."
    )


# -- questions ------------------------------------------------------------------------------------

_VERBS = frozenset(
    """administer analyse analyze answer assess brief build coach collaborate communicate conduct
    coordinate create define deliver design develop document drive educate ensure establish
    explain forecast grow handle hire hit identify implement improve increase investigate keep
    launch lead maintain make manage meet mentor monitor negotiate operate organise organize
    own oversee plan prepare present prioritise prioritize process prospect recognise recognize
    reduce report represent resolve respond review run schedule sell serve set solve stay
    supervise support take track train turn work write exceed test ship close win scale
    recruit onboard debug deploy automate optimise optimize audit reconcile research edit
    budget analyse negotiate""".split()
)


# "a proven track record of exceeding quota": the record is of an activity, asked for as one
_RECORD_OF = re.compile(
    r"^(?:an? )?(?:proven |strong )?(?:track record|history|record) of (\w+ing\b.*)$", re.I
)


def time_question(text: str) -> str:
    """ "Tell me about a time you ..." for a requirement phrase."""
    t = text.rstrip(".")
    t = re.sub(r"^(at least |over |more than )?\d+\+?\s*years?\s+(of\s+|in\s+)?", "", t, flags=re.I)
    t = t.split(":")[0].strip() if ":" in t and len(t.split(":")[0].split()) <= 3 else t
    record = _RECORD_OF.match(t)
    if record and _gerund(record.group(1).split()[0]):
        t = record.group(1)  # "a history of exceeding quota": a time you exceeded quota
    first = t.split()[0].lower().strip(",;") if t.split() else ""
    low = t[0].lower() + t[1:] if t and not _named_word(t.split()[0]) else t
    if _gerund(first):
        # "managing people" asks for a time you managed people, not one you "showed" it
        return f"Tell me about a time you {_past_gerunds(low)}."
    m = re.match(r"^(an? )?(ability to|able to) (.*)$", low, flags=re.I)
    if m:
        return f"Tell me about a time you had to {m.group(3)}."
    if first in _VERBS:
        return f"Tell me about a time you had to {low}."
    m = re.search(r"\bexperience (.*)$", low, flags=re.I)
    if m:
        return f"Tell me about a time you used your experience {m.group(1)}."
    m = re.match(r"^(?:comfortable|confident) (working|dealing|handling) (.*)$", low)
    if m:  # "comfortable working with X" asks for a time you worked with X
        return f"Tell me about a time you {past_tense(m.group(1))} {m.group(2)}."
    if first in {"comfortable", "confident", "calm"}:
        return f"Tell me about a time you had to be {low}."
    return f"Tell me about a time you showed {low}."


def _verb_base(word: str) -> str | None:
    """The base of an -ing form whose verb is a known one ("managing" -> "manage")."""
    w = word.lower().strip(",;")
    if not w.endswith("ing") or len(w) < 5:
        return None
    root = w[:-3]
    for base in (root, root + "e", root[:-1] if len(root) > 2 and root[-1] == root[-2] else root):
        if base in _VERBS:
            return base
    return None


def _gerund(word: str) -> bool:
    return _verb_base(word) is not None


def _past_gerunds(phrase: str) -> str:
    """The phrase's leading -ing verb, and any joined to it by "and", "or" or a comma, in the
    past: "planning and running events" -> "planned and ran events"."""
    words = phrase.split()
    out: list[str] = []
    for k, w in enumerate(words):
        joined = k == 0 or words[k - 1].lower() in ("and", "or") or words[k - 1].endswith(",")
        core = w.rstrip(",;")
        if joined and _gerund(core):
            out.append(past_tense(core) + w[len(core) :])
        else:
            out.append(w)
    return " ".join(out)


def _named_word(word: str) -> bool:
    return len(word) >= 2 and (word.isupper() or bool(re.search(r"[\d+#]", word)))


@dataclass(frozen=True)
class PrepQuestion:
    text: str
    source: str  # "bank" | "requirement"
    question_id: str | None
    requirements: tuple[str, ...]
    story_ids: tuple[int, ...]  # the stories to answer it with, best first


def likely_questions(coverage: Sequence[Coverage], bank: Sequence[Question]) -> list[PrepQuestion]:
    """Bank questions whose tags meet the requirements' skills, then one per requirement."""
    showable = [c for c in coverage if c.requirement.kind != "condition"]
    scored: list[tuple[float, int, PrepQuestion]] = []
    for index, q in enumerate(bank):
        if q.category not in ("success-story", "red-flag"):
            continue
        tag_skills = {TAG_SKILLS.get(t, t) for t in getattr(q, "tags", ())}
        if q.category == "red-flag" and "failure" not in tag_skills:
            continue
        linked = [c for c in showable if tag_skills & set(c.requirement.skills)]
        if not linked:
            continue
        weight = sum(len(tag_skills & set(c.requirement.skills)) for c in linked)
        scored.append(
            (
                weight,
                -index,
                PrepQuestion(
                    text=q.text,
                    source="bank",
                    question_id=q.id,
                    requirements=tuple(c.requirement.text for c in linked),
                    story_ids=_stories_for(linked, tag_skills),
                ),
            )
        )
    scored.sort(key=lambda x: (-x[0], -x[1]))
    # First the best question for each requirement in turn, so that one common skill
    # (communication, say) does not crowd out the rest; then the most widely linked ones.
    out: list[PrepQuestion] = []
    for c in showable:
        fits = [pq for _, _, pq in scored if c.requirement.text in pq.requirements]
        best = max(fits, key=lambda pq: _fit(pq, c, bank), default=None)
        if best is not None and best not in out and len(out) < MAX_BANK_QUESTIONS:
            out.append(best)
    for _, _, pq in scored:
        if len(out) >= MAX_BANK_QUESTIONS:
            break
        if pq not in out:
            out.append(pq)
    for c in showable:
        out.append(
            PrepQuestion(
                text=time_question(c.requirement.text),
                source="requirement",
                question_id=None,
                requirements=(c.requirement.text,),
                story_ids=tuple(m.story_id for m in c.matches if m.story_id is not None),
            )
        )
    return out


_SKILL_RE = {slug: re.compile(cues) for slug, (_, cues) in SKILLS.items()}


def _fit(pq: PrepQuestion, c: Coverage, bank: Sequence[Question]) -> tuple[int, int, float]:
    """How squarely a bank question asks for one requirement: shared skills and words."""
    q = next(q for q in bank if q.id == pq.question_id)
    tags = {TAG_SKILLS.get(t, t) for t in getattr(q, "tags", ())}
    both = tags & set(c.requirement.skills)
    words = len(content_words(q.text) & content_words(c.requirement.text))
    # The skill named first in a requirement is usually its point ("Mentor junior analysts").
    low = c.requirement.text.lower()
    first = min((m.start() for sk in both if (m := _SKILL_RE[sk].search(low))), default=len(low))
    return len(both) + words, -first, len(both) / max(1, len(tags))


def _stories_for(linked: Sequence[Coverage], tag_skills: set[str]) -> tuple[int, ...]:
    """Stories that cover the linked requirements, those showing the question's skills first."""
    score: dict[int, float] = {}
    for c in linked:
        for m in c.matches:
            if m.story_id is None:
                continue
            bonus = 0.5 * len(tag_skills & set(m.shared_skills))
            score[m.story_id] = score.get(m.story_id, 0.0) + m.strength + bonus
    return tuple(sorted(score, key=lambda s: -score[s])[:2])


# -- the plan and the whole prep -------------------------------------------------------------------


@dataclass(frozen=True)
class PlanItem:
    story_id: int | None
    title: str
    requirements: tuple[str, ...]
    questions: tuple[str, ...]
    note: str  # its practice record in a phrase


@dataclass(frozen=True)
class Prep:
    requirements: tuple[Coverage, ...]
    coverage: float  # share of the requirements that need a story which one shows, 0-1
    questions: tuple[PrepQuestion, ...]
    plan: tuple[PlanItem, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "coverage": round(self.coverage, 3),
            "requirements": [
                {
                    "text": c.requirement.text,
                    "kind": c.requirement.kind,
                    "nice_to_have": c.requirement.nice_to_have,
                    "skills": list(c.requirement.skills),
                    "covered": c.covered,
                    "stories": [
                        {
                            "id": m.story_id,
                            "title": m.title,
                            "strength": m.strength,
                            "reason": m.reason,
                        }
                        for m in c.matches
                    ],
                    "advice": c.advice,
                }
                for c in self.requirements
            ],
            "uncovered": [
                {"text": c.requirement.text, "advice": c.advice}
                for c in self.requirements
                if not c.covered
            ],
            "questions": [
                {
                    "text": q.text,
                    "source": q.source,
                    "id": q.question_id,
                    "requirements": list(q.requirements),
                    "stories": list(q.story_ids),
                }
                for q in self.questions
            ],
            "plan": [
                {
                    "story_id": p.story_id,
                    "title": p.title,
                    "requirements": list(p.requirements),
                    "questions": list(p.questions),
                    "note": p.note,
                }
                for p in self.plan
            ],
        }


def prepare(posting: str, stories: Sequence[Story], bank: Sequence[Question] = ()) -> Prep:
    """The whole prep for one posting against the story bank and the question bank."""
    coverage = cover(extract_requirements(posting), stories)
    showable = [c for c in coverage if c.requirement.kind != "condition"]
    share = sum(c.covered for c in showable) / len(showable) if showable else 0.0
    questions = likely_questions(coverage, bank)
    return Prep(
        tuple(coverage), share, tuple(questions), tuple(_plan(coverage, questions, stories))
    )


def prepare_at(home: Path, posting: str, *, source: str = "the posting") -> Prep:
    """The prep for `posting` against the stories and the questions kept under `home`
    (`practice prep` and the app's prep page); InputError when it names no requirement."""
    from practice.journey import questions
    from practice.journey.stories import StoryBank

    with StoryBank.open(home) as bank:
        kept = bank.stories()
    bank_questions = questions.load_bank([home / questions.USER_BANK_DIR])
    result = prepare(posting, kept, bank_questions)
    if not result.requirements:
        raise InputError(
            f"Found no requirements in {source}; give the posting's text with its bullet lists "
            "of duties and skills."
        )
    return result


def _plan(
    coverage: Sequence[Coverage], questions: Sequence[PrepQuestion], stories: Sequence[Story]
) -> list[PlanItem]:
    by_id = {s.id: s for s in stories}
    reqs: dict[int, list[str]] = {}
    for c in coverage:
        if c.matches and c.matches[0].story_id is not None:
            reqs.setdefault(c.matches[0].story_id, []).append(c.requirement.text)
    asked: dict[int, list[str]] = {}
    for q in questions:
        if q.story_ids:
            asked.setdefault(q.story_ids[0], []).append(q.text)
    items = []
    for sid in sorted(set(reqs) | set(asked), key=lambda s: (-len(reqs.get(s, [])), s)):
        story = by_id.get(sid)
        if story is None:
            continue
        items.append(
            PlanItem(
                sid,
                story.title,
                tuple(reqs.get(sid, [])),
                tuple(asked.get(sid, [])),
                _record_note(story),
            )
        )
    return items


def _record_note(story: Story) -> str:
    r = story.record
    if r.attempts == 0:
        return "not rehearsed yet: tell it aloud at least twice"
    when = local_day(r.last_practised) if r.last_practised else ""
    return f"rehearsed {r.attempts}x, best {r.best_score}, latest {r.latest_score} ({when})"


# -- rendering -----------------------------------------------------------------------------------


def render_text(prep: Prep, *, width: int | None = None) -> str:
    """A plain-text summary for the terminal; with `width`, every line fitted to that many
    columns, wrapped between words (`core.text.fit`)."""
    lines = [f"Coverage: {prep.coverage:.0%} of the requirements that need a story.", ""]
    for c in prep.requirements:
        mark = "ok " if c.covered else ("-- " if c.requirement.kind == "condition" else "GAP")
        lines.append(f"[{mark}] {c.requirement.text}")
        for m in c.matches:
            lines.append(f"        #{m.story_id} {m.title} ({m.strength:.2f}: {m.reason})")
        if c.advice:
            lines.append(f"        {c.advice}")
    lines += ["", "Likely questions:"]
    lines += [
        f"  - {q.text}"
        + (
            f"  [stories {', '.join(f'#{s}' for s in q.story_ids)}]"
            if q.story_ids
            else "  [no story yet]"
        )
        for q in prep.questions
    ]
    lines += ["", "Practice plan:"]
    for p in prep.plan:
        lines.append(f"  #{p.story_id} {p.title} ({p.note})")
        for q in p.questions:
            lines.append(f"      {q}")
    if not prep.plan:
        lines.append("  No story covers this posting yet: add some with 'practice stories add'.")
    text = "\n".join(lines)
    return text if width is None else fit(text, width)


def render_html(prep: Prep, *, title: str = "Job prep") -> str:
    """A self-contained page: inline CSS, no scripts, no external assets (templates/prep.html)."""
    return pages.render("prep.html", prep=prep, title=title)
