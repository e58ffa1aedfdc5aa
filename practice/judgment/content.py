"""What the answer says: value to the employer or self-interest, blame, red-flag handling, fit
reasons, and which of a job posting's key terms it uses.

Rules are cue lists, so every judgment can be traced to the words that triggered it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from practice.core.results import Content, Sentence
from practice.core.text import COUNT_AND_TIME_WORDS, STOP_WORDS, WORD, stem, tokens, words

if TYPE_CHECKING:
    from practice.judgment.verdict import Verdict

# Enthusiasm cues; they count only when followed by something specific (see _specific).
_ENTHUSIASM = re.compile(
    r"\b(excit\w*|love|loved|i'd love|would love|drawn to|drew me|admire|passionate about|"
    r"thrilled|eager|fascinat\w*|inspir\w*|impressed by|appeals? to me|caught my eye|"
    r"(really |genuinely )?(want|keen) to (work on|join|build|help)|can't wait)\b"
)
# Offers to contribute to the employer, its team or its customers.
_OFFER = re.compile(
    r"\b((i'd|i can|i could|i will|i'll|i would|i want to|i'm able to) (like to |love to |"
    r"be able to |be (keen|happy|glad|eager|excited) to |really like to )?"
    r"(help|bring|contribute|add|offer|take on|start by|improve|build|set up|expand|grow|"
    r"support|make|do the same|apply)|help (your|the|you)|add value|contribute to|"
    r"for your (team|customers|clients|users|patients|students|stores|company|business)|"
    r"where i (could|can) help|what i (can|could) (offer|bring|do for))\b"
)
# Words that make praise generic ("a great company with a great culture").
_GENERIC = frozenset(
    "great good amazing awesome nice company culture place work team people reputation "
    "really very so big well known industry leader you your this the a an and to of with "
    "role job position opportunity here it that is are be being i i'm for about working "
    "join joining brand everything things heard environment fun exciting excited love by in "
    "at what do how all best successful growing fast innovative values mission products "
    "product".split()
)
MIN_SPECIFIC_WORDS = 2  # content words beyond generic praise that make enthusiasm specific

# Self-interest as the motive: money, perks, growth for me, any job will do.
_SELF_INTEREST = re.compile(
    r"\b(the money|need money|pays? (better|more|well)|better pay|the pay|salary|benefits?|perks?|"
    r"bonus(es)?|stock options|remote (setup|work|job|role|option)|four-day week|shorter hours|"
    r"vacation|days off|free (food|lunch)|commute|close to (my )?home|"
    r"work[- ]life balance|flexible hours|work from home|any job|anything at this point|"
    r"take anything|just need (a job|something|work|the)|need (a|this) job|pay (my|the) bills|"
    r"rent|my career|career growth|grow my career|advance my career|step for (me|my)|"
    r"senior title|a promotion|invest in my|my (own )?development|good for me|stepping stone|"
    r"looks good on my|less stress|easier job|get out of my)\b"
)
# Apathy or desperation.
_APATHY = re.compile(
    r"\b(i don't know|i dunno|why not|whatever|i don't really care|doesn't matter|"
    r"i really need this|desperate|please hire|been applying everywhere|nobody (else )?"
    r"(will|would) hire|seemed fine|it's a job|not much to say|(nothing|anything) (very |that |"
    r"really )?special|see(ing)? what's out there|not (really )?fussed|just a job)\b"
)
# Blame and complaint about someone else.
_OTHER_PARTY = re.compile(
    r"\b(boss|manager|supervisor|lead|colleagues?|co-?workers?|team|teammates?|company|"
    r"management|client|developers|they|he|she|them|him|her|hr|ceo|director|employer|"
    r"people there|everyone there)\b"
)
_COMPLAINT = re.compile(
    r"\b(unfair|incompetent|toxic|terrible|awful|horrible|useless|lazy|clueless|idiots?|"
    r"stupid|worst|hated|micromanag\w*|disorgani[sz]ed|favou?rites|never (listen|listened|"
    r"gave|gives|helped|helps|supported|supports|appreciated)\w*|didn't (appreciate|support|"
    r"listen|care)|blamed me|threw me under|against me|out to get me|no idea what|"
    r"didn't know what they|(nobody|no one) (knows|knew) what|(is|was) a (mess|nightmare|joke)|"
    r"chaotic|kept (missing|failing|changing)|their fault|his fault|her fault|"
    r"wasn't my fault|not my fault|because of (them|him|her|my boss|my manager))\b"
)

# Red-flag handling: signals of a defensive answer.
_DISGUISED_STRENGTH = re.compile(
    r"\b(perfectionist|work too hard|care too much|too (dedicated|detail-oriented|passionate|"
    r"honest|nice|loyal)|workaholic|too much of a team player)\b"
)
_EVASION = re.compile(
    r"\b(can't (really )?think of|don't (really )?have (a|any) (weakness|weaknesses)|"
    r"no (real )?weaknesses|nothing (really )?comes to mind|rather not (talk|say|get into)|"
    r"it's complicated|not really a (weakness|failure)|never (really )?failed|"
    r"haven't (really )?failed|i didn't do anything wrong|didn't deserve)\b"
)
_OVER_APOLOGY = re.compile(
    r"\b(i'm (so|really|very|terribly) sorry|i apologi[sz]e|(so|really|very) embarrass\w*|"
    r"i feel (terrible|awful|bad)|looks (terrible|bad|awful)|i know it's bad|ashamed)\b"
)
_VAGUE_EXCUSE = re.compile(
    r"\b(things (just )?happened|stuff happened|things came up|(it )?just didn't work out|"
    r"for various reasons|circumstances|long story)\b"
)
# Red-flag handling: owning it and showing what changed.
_OWNS = re.compile(
    r"\b(my (mistake|fault|weakness|error)|on me|i was (wrong|fired|let go|laid off)|"
    r"i (made|missed|didn't|should have|took|struggle|find it hard|tend to|used to|owned|"
    r"admitted|failed)|i take responsibility|i'm not (good|great) at)\b"
)
_CHANGED = re.compile(
    r"\b(since then|now i|i now|i've (learned|started|kept|been|taken|built|set up|joined)|"
    r"i learned|i'm working on|i started|these days|going forward|to fix that|i've changed|"
    r"i make sure|i ask|i raise|i check|taught me|i'm ready)\b"
)

# Reasons a job fits: experience, skills, interest, what the speaker can do.
_FIT_REASON = re.compile(
    r"\b(because|since|that's why|which is why|my experience|i have (\w+ )?(years?|experience)|"
    r"i've (worked|spent|built|led|used|done|been)|my background|matches|fits|aligns?|aligned|"
    r"i'm good at|my skills|i enjoy|i love|drawn to|drew me|i bring|i'd bring|i can|i could|"
    r"exactly (the|what)|the kind of work)\b"
)


@dataclass(frozen=True)
class ValueEvidence:
    """The sentences behind value_orientation, for the scorer's tips."""

    value: tuple[str, ...]
    self_interest: tuple[str, ...]
    blame: tuple[str, ...]


def from_verdict(
    text: str,
    verdict: Verdict,
    *,
    category: str | None,
    job_text: str | None = None,
    asked: bool = True,
) -> Content:
    """The fitted verdict's content calls, with the fit reasons and the posting's terms.
    `asked` is False when no question was given: relevance is then not judged."""
    texts = list(verdict.sentences)
    used, missed = _job_terms_in(text, job_text)
    reasons: tuple[str, ...] = ()
    if category == "fit":
        evidence = ValueEvidence(verdict.value, verdict.self_interest, verdict.negativity)
        reasons = tuple(fit_reasons(texts, evidence))
    return Content(
        value_orientation=verdict.value_orientation,
        red_flag_handling=verdict.red_flag_handling if category == "red-flag" else None,
        job_terms_used=used,
        job_terms_missed=missed,
        fit_reasons=reasons,
        negativity=verdict.negativity,
        answers_question=verdict.answers_question if asked else True,
        relevance=verdict.relevance if asked else None,
        specificity=verdict.specificity,
        self_interest=verdict.self_interest,
        vague=verdict.vague,
        quality=verdict.quality,
    )


def _job_terms_in(text: str, job_text: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not job_text:
        return (), ()
    terms = job_terms(job_text)
    answer = _stems(text)
    used = tuple(t for t in terms if all(w in answer for w in _stem_list(t)))
    return used, tuple(t for t in terms if t not in used)


def analyze_content(
    text: str,
    sentences: list[Sentence],
    *,
    category: str | None,
    job_text: str | None = None,
) -> Content:
    """Judge the answer's content by the cue rules (replaced by the fitted verdict; kept as its
    yardstick); job terms only when `job_text` is given."""
    texts = [s.text for s in sentences] or ([text] if text.strip() else [])
    evidence = value_evidence(texts)
    used, missed = _job_terms_in(text, job_text)
    return Content(
        value_orientation=_orientation(evidence),
        red_flag_handling=red_flag_handling(texts) if category == "red-flag" else None,
        job_terms_used=used,
        job_terms_missed=missed,
        fit_reasons=tuple(fit_reasons(texts, evidence)) if category == "fit" else (),
        negativity=evidence.blame,
    )


def _norm(text: str) -> str:
    return " ".join(tokens(text))


# Putting the cause of a failure on someone else ("mostly because my colleague...").
_BLAME_CAUSE = re.compile(
    r"\b(because( of)?|due to|thanks to|fault of) (my|the|our|his|her|their) (\w+ )?"
    r"(colleagues?|co-?workers?|boss|manager|supervisor|lead|client|developers|team|company|"
    r"management|director|vendor)\b"
)


# How the speaker feels or how something looks ("I feel terrible", "it looks awful") is not a
# complaint about anyone, even next to a client or a boss in the same sentence.
_SELF_FEELING = re.compile(
    r"\b(i|i'm|i am) (feel|felt|so|really|very)? ?(terrible|awful|horrible|bad|stupid)\b|"
    r"\blooks? (terrible|awful|horrible|bad)\b"
)


def is_blame(text: str) -> bool:
    """Blames or complains about a past employer, boss, colleague or client."""
    norm = _SELF_FEELING.sub(" ", _norm(text))
    return bool(_COMPLAINT.search(norm) and _OTHER_PARTY.search(norm)) or bool(
        re.search(r"\b(wasn't|not) my fault\b", norm) or _BLAME_CAUSE.search(norm)
    )


def _specific(norm: str, start: int) -> bool:
    words = [w for w in norm[start:].split() if w not in _GENERIC and len(w) > 2]
    return len(words) >= MIN_SPECIFIC_WORDS


def is_value(text: str) -> bool:
    """Specific enthusiasm for this role or company, or an offer to contribute to them."""
    norm = _norm(text)
    if _OFFER.search(norm):
        return True
    m = _ENTHUSIASM.search(norm)
    return m is not None and _specific(norm, m.end())


_PRAISE = re.compile(
    r"\b(great|amazing|awesome|fantastic|wonderful|excellent|good|top|leading|nice) (company|"
    r"culture|place|team|reputation|brand|organi[sz]ation|people|things)\b|"
    r"\b(heard (good|great|really good) things|always wanted to work)\b"
)


def generic_praise(texts: list[str]) -> list[str]:
    """Sentences of praise or enthusiasm that name nothing particular about this job."""
    return [
        t
        for t in texts
        if (_PRAISE.search(_norm(t)) or _ENTHUSIASM.search(_norm(t))) and not is_value(t)
    ]


def value_evidence(texts: list[str]) -> ValueEvidence:
    """Sort sentences into value to the employer, self-interest (or apathy), and blame."""
    value, selfish, blame = [], [], []
    for t in texts:
        norm = _norm(t)
        if is_blame(t):
            blame.append(t)
        elif _SELF_INTEREST.search(norm) or _APATHY.search(norm):
            selfish.append(t)
        elif is_value(t):
            value.append(t)
    return ValueEvidence(tuple(value), tuple(selfish), tuple(blame))


def _orientation(e: ValueEvidence) -> int:
    if e.blame:
        return -1  # blaming a past employer outweighs any enthusiasm
    if len(e.self_interest) > len(e.value):
        return -1
    if len(e.value) > len(e.self_interest):
        return 1
    return 0


def red_flag_handling(texts: list[str]) -> str:
    """ "defensive" on blame, evasion, denial, a disguised strength, over-apology or a vague
    excuse; otherwise "constructive" (an honest, brief answer counts even without detail)."""
    for t in texts:
        norm = _norm(t)
        if is_blame(t) or any(
            p.search(norm) for p in (_DISGUISED_STRENGTH, _EVASION, _OVER_APOLOGY, _VAGUE_EXCUSE)
        ):
            return "defensive"
    return "constructive"


def red_flag_signals(texts: list[str]) -> dict[str, tuple[str, ...]]:
    """Sentences behind the red-flag judgment, by kind, for reasons and tips."""
    kinds = {
        "disguised_strength": _DISGUISED_STRENGTH,
        "evasion": _EVASION,
        "over_apology": _OVER_APOLOGY,
        "vague_excuse": _VAGUE_EXCUSE,
        "owns": _OWNS,
        "changed": _CHANGED,
    }
    out = {k: tuple(t for t in texts if p.search(_norm(t))) for k, p in kinds.items()}
    out["blame"] = tuple(t for t in texts if is_blame(t))
    return out


def fit_reasons(texts: list[str], evidence: ValueEvidence | None = None) -> list[str]:
    """Sentences that give a reason the job fits, leaving out self-interest and blame."""
    e = evidence or value_evidence(texts)
    excluded = set(e.self_interest) | set(e.blame)
    return [
        t for t in texts if t not in excluded and (t in e.value or _FIT_REASON.search(_norm(t)))
    ]


# --- Job posting terms -----------------------------------------------------------------------

# A posting's boilerplate: what any job advert says about the role, the candidate and the offer
# ("strong", "experience", "requirements", "salary"); no key term of its own.
_POSTING_BOILERPLATE = frozenset(
    """abilities ability able applicant applicants apply bachelor background based benefits
    best bonus build building candidate candidates class company competitive create creating
    day-to-day deep degree deliver delivering desired develop developing drive driving
    dynamic employer ensure ensuring environment equal excellent experience experienced
    familiar familiarity fast full get getting good great help helping high highly hire
    hiring hybrid ideal ideally include includes including job jobs join joining keep key
    knowledge lead leading like looking love maintain maintaining make making manage
    managing many master motivated much new nice offer offers office opportunities
    opportunity others owning paced package part passionate position preferred proficiency
    proficient proven provide providing range related relevant remote require required
    requirements requires responsibilities responsibility role salary seeking self skill
    skills solid starter strong support supporting take taking team teams understanding use
    used using various want wants well work working works world""".split()
)
_STOP = STOP_WORDS | COUNT_AND_TIME_WORDS | _POSTING_BOILERPLATE
MAX_JOB_TERMS = 12  # enough to cover a posting's core without listing every noun


def job_terms(job_text: str) -> tuple[str, ...]:
    """A posting's key terms: tools and named skills, and words or two-word phrases it repeats.

    Deterministic: ranked by frequency (named tools get a bonus), then first appearance.
    """
    uni: Counter[str] = Counter()
    bi: Counter[str] = Counter()
    first: dict[str, int] = {}
    surface: dict[str, str] = {}
    named: set[str] = set()
    pos = 0
    for frag in _fragments(job_text):
        stems = [stem(w) for w, _ in frag]
        for k, ((w, is_name), st) in enumerate(zip(frag, stems, strict=True)):
            uni[st] += 1
            first.setdefault(st, pos)
            if is_name:
                named.add(st)
                surface[st] = w
            surface.setdefault(st, w.lower())
            pos += 1
            if k + 1 < len(frag):
                pair = f"{st} {stems[k + 1]}"
                bi[pair] += 1
                first.setdefault(pair, pos)
                surface.setdefault(pair, f"{w.lower()} {frag[k + 1][0].lower()}")
    chosen: dict[str, float] = {p: 2.0 * n for p, n in bi.items() if n >= 2}
    in_phrases = Counter(w for p in chosen for w in p.split() for _ in range(bi[p]))
    for st, n in uni.items():
        if n - in_phrases[st] >= 2 or (st in named and in_phrases[st] == 0):
            chosen[st] = n + (1.0 if st in named else 0.0)
    ranked = sorted(chosen, key=lambda t: (-chosen[t], first[t]))
    return tuple(surface[t] for t in ranked[:MAX_JOB_TERMS])


_BREAK = re.compile(r"[,;:()\[\]/|\n\u2022!?]|\.\s|\s[-\u2013\u2014*]\s")
_SENTENCE_START = re.compile(r"[.!?:\n\u2022*]|^\s*-|\s-\s")


def _fragments(text: str) -> list[list[tuple[str, bool]]]:
    """Runs of content words as (word, named), broken at punctuation and stop words."""
    out: list[list[tuple[str, bool]]] = []
    run: list[tuple[str, bool]] = []
    prev_end = 0
    for m in WORD.finditer(text):
        gap = text[prev_end : m.start()] + ("" if prev_end else "\n")
        prev_end = m.end()
        w = m.group().replace("\u2019", "'")
        if _BREAK.search(gap) and run:
            out.append(run)
            run = []
        if w.lower() in _STOP or len(w) < 2 or "'" in w:
            if run:
                out.append(run)
            run = []
            continue
        run.append((w.rstrip("."), _is_named(w, sentence_start=bool(_SENTENCE_START.search(gap)))))
    if run:
        out.append(run)
    return out


def _is_named(word: str, *, sentence_start: bool) -> bool:
    """A tool or proper name: an acronym, a word with + # . or digits, or capitalised mid-text."""
    if re.search(r"[+#.\d]", word) and re.search(r"[a-zA-Z]", word):
        return True
    if len(word) >= 2 and word.isupper():
        return True
    return not sentence_start and word[:1].isupper()


def _stem_list(term: str) -> list[str]:
    return [stem(w) for w in term.split()]


def _stems(text: str) -> set[str]:
    return {stem(w) for w in words(text)}
