"""STAR structure: label each sentence situation, task, action, result or other, by plain rules.

Every rule is a cue list below, so a user (or a test) can see why a sentence got its label. A
sentence may carry two parts ("I rewrote the query, cutting load time by 40%" is an action and a
result); its label shows the first by priority and the part flags count both.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from practice.core.results import Label, Sentence, Structure
from practice.core.text import DOUBT_MARKERS, is_past_form, tokens

if TYPE_CHECKING:
    from practice.judgment.verdict import Verdict

SINGULAR = {"i", "i'm", "i've", "i'd", "i'll"}
PLURAL = {"we", "we're", "we've", "we'd", "we'll"}

# -ed words used as adjectives ("I'm excited"), not as past verbs.
_NOT_PAST = frozenset(
    "excited interested motivated experienced skilled talented qualified related limited "
    "supposed embarrassed stressed tired bored scared worried concerned complicated "
    "sophisticated varied detail-oriented".split()
)

# Markers of a general habit or a hypothetical: not one particular episode.
_HABIT = re.compile(
    r"\b(always|usually|generally|typically|normally|often|tend to|whenever|every time|"
    r"in general|as a rule|most of the time|i like to|i try to|my approach|used to|"
    r"i would|i'd|we would|would probably|if (a|an|the|i|we|someone|something)\b)"
)
# A doubted step or outcome is no step or outcome ("I think I fixed it").
_HEDGE = re.compile(r"\b(" + "|".join(re.escape(m) for m in DOUBT_MARKERS) + r")\b")

# One particular past episode. A place, job or project sets a scene even inside an action
# sentence ("at my last job I built..."); a bare time ("last year I joined...") only dates it.
_EPISODE_PLACE = re.compile(
    r"\b(at my (last|previous|old|first|former|current) \w+|in my (last|previous|old|first|"
    r"former) \w+|when i was|while i was|when i worked|when i joined|while working|"
    r"during (my|the|a|an|our)\b|i was working|i worked (as|at|for|on)|at an? \w+|"
    r"at (my|our) \w+|my internship|there was|there were|"
    r"we were (building|working|launching|preparing|running|moving)|"
    r"took (\w+ ){0,2}(time|years?|months?|weeks?) off|"
    r"in my (second|third|fourth|final) (year|week|month|semester|term|job|role)|"
    r"where i (worked|was working|volunteered|interned|was)|"
    r"at the (\w+ )?(shop|store|restaurant|hotel|hospital|clinic|school|bank|office|warehouse|"
    r"factory|agency|firm|charity|company|startup|cafe|bar|gym|library|council|ward|plant|"
    r"site|studio|lab|centre|center))"
)
# A mishap of the speaker's own is the scene of a failure story ("I made a mistake with a client
# order"), not a step taken.
_MISHAP = re.compile(
    r"\bi (made (a|an|the) (\w+ )?(mistake|error|blunder|call)|was (fired|let go|laid off|"
    r"dismissed|sacked))\b|\b(i|we) (missed|blew|lost|broke|failed) (it|the|our|a|an|that|\d+)\b"
)
_EPISODE_TIME = re.compile(
    r"\b((last|one|that) (year|month|week|spring|summer|fall|autumn|winter|quarter|day|night|"
    r"time)|(a few|a couple of|two|three|four|five|several|some|\d+) (years|months|weeks|days) "
    r"ago|back in|in (19|20)\d\d|once\b|a while back)"
)
_NAMED_PLACE = re.compile(r"\b(?:at|for|with) (?:[A-Z][\w&'-]+)")  # "at Fresco Foods", raw text
# A career break is the scene of a gap answer, not a step taken.
_BREAK = re.compile(r"\btook (\w+ ){0,2}(time|years?|months?|weeks?) off\b")
_VAGUE_SUBJECT = {"it", "things", "stuff", "everything", "that", "this", "something"}
MIN_SCENE_WORDS = 4  # a shorter past remark ("it seemed fine") does not set a scene
_STATE_VERBS = {"was", "were", "had", "wasn't", "weren't", "hadn't"}

# The speaker's own goal or responsibility, stated explicitly.
_TASK = re.compile(
    r"\b(my (goal|job|task|role|responsibility|objective|aim|mission|assignment|brief) "
    r"(was|became|is)|i was (responsible|in charge|tasked|asked|assigned|hired|brought in|"
    r"supposed|expected)|(asked|tasked|assigned|told|wanted|needed|hired|put) me (to|in charge)|"
    r"i had to|i needed to|i wanted to|i set out to|i volunteered to|i offered to|"
    r"i took (it )?on|i took ownership|(?<!that )(?<!it )(?<!this )(was|fell) (up )?(to|on) me|"
    r"it was my (job|responsibility|task)|(the|our) (goal|aim|objective|target) was|"
    # "it was on me" alone owns a failure; with "to <verb>" it hands over a responsibility.
    r"(it|that|this) (was|fell) (up )?(to|on) me to \w+)\b"
)

# Results: connectors, outcomes, and lessons learned.
_RESULT = re.compile(
    r"\b(as a result|in the end|ultimately|by the end|the (result|outcome|upshot) was|"
    r"resulted in|led to|which meant|that meant|this meant|thanks to (this|that|it)|"
    r"because of (this|that)|ended up|paid off|went (well|smoothly|great)|worked out|thank|"
    r"(liked|loved|appreciated) (it|the (change|result|new))|"
    r"it worked|was a (big |huge |real )?success|successful|on time|under budget|"
    r"ahead of schedule|(days|weeks|months|hours|minutes) early|(first|second|third|top) place|"
    r"came (first|second|third)|"
    r"(were|was|got|became) (much |a lot |far |a bit )?(better|easier|faster|smoother|calmer)|"
    r"(above|over|beat|exceeded|hit|met) (the |our |my )?(target|quota|goal|deadline)|"
    r"nobody lost|no one lost|i've since|(was|were) (really |very |so )?(happy|pleased|thrilled|"
    r"delighted|satisfied|impressed|grateful)|(got|received|earned|won) (a |an |the |good |great |"
    r"positive |excellent )?(promotion|promoted|award|praise|reviews?|recognition|bonus|"
    r"feedback)|praised|thanked|got promoted|renewed|i learned|i've learned|i learnt|taught me|"
    r"the lesson|lesson (i|was|learned)|since then|from then on|ever since|"
    # "now I ..." tells what changed; "right now I'm looking" only tells where the speaker is.
    r"(?<!right )now i(?!'m (looking|hoping|seeking|searching|applying|ready))|i now|"
    r"since (january|february|march|april|may|june|july|august|september|october|november|"
    r"december|last \w+|(19|20)\d\d),? (i|i've|i have|we|we've)|i'm working on (it|this|that)|"
    r"i've started|"
    r"these days i|going forward|next time|in hindsight|looking back)\b"
)
# Outcome verbs: a result when they move a metric or a number, else possibly an action.
_OUTCOME_VERB = re.compile(
    r"\b(reduced|cut|increased|improved|raised|boosted|grew|doubled|tripled|halved|lowered|"
    r"dropped|fell|rose|went (up|down)|saved|shortened|sped up|decreased|brought down|"
    r"climbed|jumped|raised|kept|retained|recovered|lost|finished|completed|launched|shipped|"
    r"delivered|went live|closed|signed|won|passed|hit|exceeded|beat|stayed|"
    r"(got|brought|pushed|pulled) (\w+ ){0,4}(down|up) (to|from|by))\b"
)
_METRIC = re.compile(
    r"\b(time|times|cost|costs|churn|errors?|complaints?|revenue|sales|satisfaction|retention|"
    r"conversion|latency|downtime|turnover|backlog|wait|score|scores|rating|engagement|"
    r"attendance|traffic|tickets|bugs|incidents|spend|bill|budget|waste|profit|margin|"
    r"average|rate|hours|minutes|days|weeks|money|invoices|signups|leads|deals|customers|"
    r"clients|users|members|volunteers|donations|pre-orders|orders|nps|kpi|target|"
    r"goal|deadline)\b"
)

# Number mentions; which ones attach to an outcome is decided by _quantified.
_NUMBER_WORDS = (
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    "fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|half|dozen"
)
_NUMBER = re.compile(
    rf"(?<![\w.])([$€£]\s?\d[\d,.]*\s?[km]?|\d[\d,.]*\s?[km%x]?|{_NUMBER_WORDS})\b|%"
)
_STRONG_QUANTITY = re.compile(
    r"(\d\s?%|percent|per cent|[$€£]\s?\d|\d\s?(k|m|x)\b|\b(dollars|euros|pounds|doubled|"
    r"tripled|halved|double|triple|(first|second|third) place|out of \d+|twice as|twice the|"
    r"times (faster|more|less|fewer)|zero|none|\d+ (more|fewer|less|extra|additional) \w+)"
    r"\b)"
)
_CONTEXT_NUMBER = re.compile(
    rf"\b(in|since|back in|of|by) (19|20)\d\d\b|\b(19|20)\d\d\b|"
    rf"\b(team|group|staff|class|company) of (\d+|{_NUMBER_WORDS})\b|"
    rf"\b(\d+|{_NUMBER_WORDS}) (years?|months?|weeks?|days?|quarters?) ago\b|"
    rf"\b(last|past|previous|first|next) (\d+|{_NUMBER_WORDS}) (years?|months?|weeks?|days?|"
    rf"quarters?)\b|"
    rf"\b(after|within|over|for|during|in|the next|next) (about |almost |nearly )?"
    rf"(a|one|\d+|{_NUMBER_WORDS}) (years?|months?|weeks?|days?|quarters?)\b|"
    rf"\b(\d+|{_NUMBER_WORDS})-(year|month|week|day)\b|"
    # clock times date an outcome ("they had them by 9 in the morning"); they measure nothing
    r"\b(by|at|before|until|from) \d{1,2}([:.]\d\d)? ?(am|pm|o'clock|in the (morning|afternoon|"
    r"evening))\b|\b\d{1,2}([:.]\d\d)? ?(am|pm)\b"
)

# A change measured from, to or by an amount ("went up by 15 points", "from 9 to 4").
_CHANGE = re.compile(
    rf"\b(by|to|from) (about |almost |nearly |over |under |only )?(\d|[$€£]|{_NUMBER_WORDS})"
)

# A step that says nothing concrete: "we handled it", "I did my best".
_VAGUE_OBJECT = frozenset(
    "it that this things stuff everything something them the a an situation issue problem "
    "matter thing out up with on of to my our best what needed was could can all so well "
    "really just hard care together team as lot much better and it's quickly fast properly "
    "somehow necessary possible about there in afterwards way some too very more because "
    "part share bit job".split()
)
# happenings, not steps taken
_STATIVE = frozenset(
    "was were had felt thought knew wanted liked loved seemed hoped believed realized "
    "realised noticed saw heard needed wasn't didn't couldn't hated enjoyed learned learnt "
    "got meant spent been lost missed failed forgot struggled received happened".split()
)
# Present perfect over a span ("I've worked in marketing for years") is experience, not a step.
_DURATION = re.compile(
    r"\b(for (a|the|\d+|many|several|some|a few|a couple of|two|three|four|five|six|seven|"
    r"eight|nine|ten|over a) \w+|for (years|months|ages|a while)|since)\b"
)
_ADVERBS = frozenset(
    "then also quickly first immediately personally just actually finally instead "
    "eventually next later carefully both and all myself ourselves basically even still "
    "really soon directly since".split()
)

# Experience over years ("I taught maths for 10 years") is a career, not a step in an episode.
_SPAN = re.compile(
    r"\bfor (a|the|\d+|many|several|some|a few|a couple of|two|three|four|five|six|seven|eight|"
    r"nine|ten|over a|the last|the past) (\w+ )?(years?|decades?)\b|"
    r"\bfor (years|ages|decades|a bit|a while)\b"
)
# Career moves told as a list ("I grew up in Leeds, studied history, worked in a bookshop"):
# the word after the verb says whether it is a move or a step ("worked at" against "worked on").
_CAREER_NEXT: dict[str, frozenset[str] | None] = {
    "grew": frozenset({"up"}),
    "worked": frozenset({"as", "at", "in", "for"}),
    "moved": frozenset({"into", "to"}),
    "trained": frozenset({"as"}),
    "qualified": frozenset({"as"}),
    "graduated": None,  # None: always a move
    "majored": None,
    "studied": None,  # unless an object follows ("I studied the call logs")
}
_DETERMINERS = frozenset(
    "the a an our my their his her its every each all them it this that these those".split()
)
_MISTAKE_WORDS = frozenset("mistake error blunder call".split())
# "I think I ..." and "I guess there was ..." hedge a past story, not tell it in the present.
_EPISTEMIC = frozenset("guess think suppose believe reckon mean".split())

_CONJUNCTIONS = {"and", "but", "so", "because", "then"}
_OTHER_SUBJECTS = frozenset("it they he she people everyone everybody things that this the".split())

_PRIORITY: tuple[Label, ...] = ("result", "task", "action", "situation")


def from_verdict(sentences: list[Sentence], verdict: Verdict) -> Structure:
    """The fitted verdict's STAR labels on the answer's timed sentences, and their summary."""
    labelled = tuple(
        replace(s, label=_as_label(label))
        for s, label in zip(sentences, verdict.labels, strict=True)
    )
    parts = [{label} if label != "other" else set() for label in verdict.labels]
    return Structure(
        situation=verdict.told["situation"],
        task=verdict.told["task"],
        action=verdict.told["action"],
        result=verdict.told["result"],
        result_quantified=verdict.result_quantified,
        action_ownership=verdict.ownership,
        sentences=labelled,
        order_ok=_order_ok(list(verdict.labels)),
        action_time_share=_action_time_share(labelled, parts),
    )


def _as_label(name: str) -> Label:
    for label in _PRIORITY:
        if label == name:
            return label
    return "other"


def analyze_structure(sentences: list[Sentence], *, category: str | None) -> Structure:
    """Label `sentences` by the cue rules and summarise the STAR parts, ownership, order and
    action time share (the rules the fitted verdict replaced; kept as its yardstick)."""
    parts = _label_parts(sentences)
    labelled = tuple(
        replace(s, label=next((p for p in _PRIORITY if p in ps), "other"))
        for s, ps in zip(sentences, parts, strict=True)
    )
    has = {p: any(p in ps for ps in parts) for p in _PRIORITY}
    action_idx = [i for i, ps in enumerate(parts) if "action" in ps]
    ownership = (
        sum(first_person_singular_actor(sentences[i].text) for i in action_idx) / len(action_idx)
        if action_idx
        else None
    )
    quantified = any(
        "result" in ps and quantified_outcome(s.text)
        for s, ps in zip(sentences, parts, strict=True)
    )
    return Structure(
        situation=has["situation"],
        task=has["task"],
        action=has["action"],
        result=has["result"],
        result_quantified=quantified,
        action_ownership=ownership,
        sentences=labelled,
        order_ok=_order_ok([s.label for s in labelled]),
        action_time_share=_action_time_share(labelled, parts),
    )


def _words(text: str) -> list[str]:
    return tokens(text)


def _norm(text: str) -> str:
    return " ".join(_words(text))


def is_past(word: str) -> bool:
    """A past-tense (or past-participle) verb form, not one used as an adjective."""
    return is_past_form(word) and word not in _NOT_PAST


def is_habitual(text: str) -> bool:
    """A general habit or a hypothetical ("I always...", "I would...") rather than an episode."""
    return bool(_HABIT.search(_norm(text)))


# After these a past form is an adjective ("I'm excited") or a present perfect ("I've worked"):
# neither tells a past episode.
_NOT_PAST_AFTER = frozenset(
    "i'm am is are be been i've we've you've they've have has it's we're you're they're "
    "feel feels get gets look looks seem".split()
)
_AUX = frozenset(
    "was were had did didn't wasn't would could can will should might must am have do don't "
    "can't couldn't wouldn't".split()
)


def _present_first_person(ws: list[str]) -> bool:
    """Told in the present by I/we ("then I repeat back...") with no past step of theirs."""
    present = past = False
    for i, w in enumerate(ws):
        if w in SINGULAR or w in PLURAL:
            j = i + 1
            while j < len(ws) and ws[j] in _ADVERBS:
                j += 1
            if j >= len(ws) or w.endswith(("'ve", "'d", "'ll", "'re", "'m")):
                continue
            if ws[j] in _EPISTEMIC:
                continue
            if is_past(ws[j]) or ws[j] in {"was", "were", "had", "did", "didn't", "wasn't"}:
                past = True
            elif ws[j] not in _AUX:
                present = True
    return present and not past


def _past_tense(ws: list[str]) -> bool:
    for i, w in enumerate(ws):
        if not is_past(w):
            continue
        k = i - 1
        while k >= 0 and (ws[k] in _ADVERBS or ws[k] in {"not", "never", "mostly"}):
            k -= 1  # "people are actually appreciated" is a present passive
        if not (k >= 0 and ws[k] in _NOT_PAST_AFTER):
            return True
    return False


def _actor_verbs(ws: list[str]) -> list[tuple[str, int]]:
    """(subject, verb index) for each "I/we <past verb>" in the clause, skipping adverbs."""
    found = []
    for i, w in enumerate(ws):
        if w not in SINGULAR and w not in PLURAL:
            continue
        subject = "i" if w in SINGULAR else "we"
        if i > 0 and ws[i - 1] == "where":
            continue  # "the shop where I worked" places the story; it is no step
        j = i + 1
        while j < len(ws) and ws[j] in _ADVERBS:
            j += 1
        if w in {"i've", "we've"} and _DURATION.search(" ".join(ws[j:])):
            continue
        if j < len(ws) and ((is_past(ws[j]) and ws[j] not in _STATIVE) or _causative_got(ws, j)):
            found.append((subject, j))
    return found


def _causative_got(ws: list[str], j: int) -> bool:
    """ "I got our engineers to fix it", "got the medication approved": a step, unlike "I got
    the job" or "got nervous"."""
    if ws[j] != "got" or j + 1 >= len(ws) or ws[j + 1] not in _DETERMINERS:
        return False
    tail = ws[j + 2 : j + 10]
    return "to" in tail or any(is_past(w) and w not in _STATIVE for w in tail)


def _perfect(ws: list[str], j: int) -> bool:
    k = j - 1
    while k >= 0 and ws[k] in _ADVERBS:
        k -= 1
    return k >= 0 and ws[k] in {"i've", "we've"}


def _clause_after(ws: list[str], j: int) -> list[str]:
    """The words after a verb up to the next I/we clause."""
    out = []
    for w in ws[j + 1 :]:
        if w in SINGULAR or w in PLURAL:
            break
        out.append(w)
    return out


def _career_move(ws: list[str], j: int) -> bool:
    """A move in a career history or a span of experience, not a step in an episode."""
    verb = ws[j]
    after = _clause_after(ws, j)
    if _SPAN.search(" ".join(after)):
        return True
    if verb not in _CAREER_NEXT:
        return False
    allowed = _CAREER_NEXT[verb]
    if allowed is None:
        return not (verb == "studied" and after[:1] and after[0] in _DETERMINERS)
    return bool(after) and after[0] in allowed


def _mistake(ws: list[str], j: int) -> bool:
    """ "I made a mistake" is a mishap, not a step."""
    return ws[j] == "made" and bool(set(_clause_after(ws, j)[:4]) & _MISTAKE_WORDS)


def _steps(ws: list[str], *, perfect: bool = True) -> list[tuple[str, int]]:
    """The actor verbs that are steps taken in an episode (`perfect`: "I've kept..." counts)."""
    return [
        (subject, j)
        for subject, j in _actor_verbs(ws)
        if not (_career_move(ws, j) or _mistake(ws, j) or (not perfect and _perfect(ws, j)))
    ]


def _career_only(ws: list[str]) -> bool:
    verbs = _actor_verbs(ws)
    return bool(verbs) and all(_career_move(ws, j) for _, j in verbs)


def _concrete(ws: list[str], verb_index: int) -> bool:
    """A step with a real object: some word after the verb that is not a vague filler."""
    tail = ws[verb_index + 1 :]
    for k, w in enumerate(tail):
        if w in SINGULAR or w in PLURAL:
            break  # the next clause
        if w in _CONJUNCTIONS and k + 1 < len(tail) and tail[k + 1] in _OTHER_SUBJECTS:
            break  # "we handled it and it went well": what follows is not the object
        if is_past(w):
            continue  # a second verb of the same subject ("sat with them, explained ...")
        if w not in _VAGUE_OBJECT and w not in _ADVERBS:
            return True
    return False


def concrete_action(text: str, *, perfect: bool = True) -> bool:
    """A concrete step the speaker took: I/we, a past verb, a real object, no hedge.

    With `perfect` False a step told in the present perfect ("I've applied to...") does not count.
    """
    norm = _norm(text)
    if _HEDGE.search(norm) or _HABIT.search(norm):
        return False
    ws = norm.split()
    return any(_concrete(ws, j) for _, j in _steps(ws, perfect=perfect))


def is_vague_action(text: str) -> bool:
    """An I/we step with nothing concrete in it: "we handled it", "I did my best"."""
    ws = _words(text)
    verbs = _steps(ws)
    return bool(verbs) and not any(_concrete(ws, j) for _, j in verbs)


def first_person_singular_actor(text: str) -> bool:
    """The step is told with "I" (rather than "we" or someone else)."""
    return any(subject == "i" for subject, _ in _actor_verbs(_words(text)))


def quantified_outcome(text: str) -> bool:
    """A number, percentage, amount of money or time saved that measures an outcome.

    Years, team sizes and timelines ("in 2019", "a team of 5", "within two months") are context.
    """
    norm = _CONTEXT_NUMBER.sub(" ", _norm(text))
    if _STRONG_QUANTITY.search(norm):
        return True
    return bool(_NUMBER.search(norm)) and bool(_METRIC.search(norm) or _CHANGE.search(norm))


def _passive_outcome(ws: list[str]) -> bool:
    """ "all the food got delivered": something else got done, told after or beside a step."""
    for k, w in enumerate(ws[:-1]):
        if w != "got" or (k > 0 and (ws[k - 1] in SINGULAR or ws[k - 1] in PLURAL)):
            continue
        j = k + 1
        while j < len(ws) and ws[j] in _ADVERBS:
            j += 1
        if j < len(ws) and is_past(ws[j]) and ws[j] not in _STATIVE:
            return True
    return False


def _scene_marker(text: str) -> bool:
    """A place, job, project or mishap that sets a scene wherever it comes in the answer."""
    norm = _norm(text)
    return bool(_EPISODE_PLACE.search(norm) or _NAMED_PLACE.search(text) or _MISHAP.search(norm))


def _parts(text: str, after_action: bool, opening: bool = False) -> set[str]:
    if text.rstrip().endswith("?"):
        return set()  # a question (to the interviewer) tells no part of a story
    norm = _norm(text)
    ws = norm.split()
    past = _past_tense(ws) and not _present_first_person(ws)
    habitual = bool(_HABIT.search(norm))
    hedged = bool(_HEDGE.search(norm))
    parts: set[str] = set()
    if _RESULT.search(norm) and not habitual:
        parts.add("result")
    elif (
        _OUTCOME_VERB.search(norm)
        and ((after_action and _METRIC.search(norm)) or (past and quantified_outcome(text)))
        and not (hedged or habitual)
    ):
        # Before any action, a moved metric only counts with a number ("I cut our bill by 30%"),
        # so a scene like "the export kept failing and invoices were late" stays a scene.
        parts.add("result")
    if _TASK.search(norm) and not habitual:
        parts.add("task")
    if concrete_action(text) and not _BREAK.search(norm):
        parts.add("action")
    if (after_action or "action" in parts) and _passive_outcome(ws) and not (hedged or habitual):
        parts.add("result")
    if past and not habitual:
        if _scene_marker(text):
            parts.add("situation")
        elif _EPISODE_TIME.search(norm) and (not parts or opening or set(ws) & _STATE_VERBS):
            # A dated sentence sets the scene when it opens the answer or describes a state;
            # later in the answer it only dates a step ("... last year I joined a club").
            parts.add("situation")
        elif (
            not parts
            and len(ws) >= MIN_SCENE_WORDS
            and ws[0] not in _VAGUE_SUBJECT
            and (set(ws) & _STATE_VERBS or not (_actor_verbs(ws) or ws[0] in SINGULAR))
            and not set(ws) & {"is", "are", "am"}  # "what drew me to you is ...": the present
        ):
            # A past state or event with no other part: the scene ("the deadline was close").
            parts.add("situation")
    return parts


def _label_parts(sentences: list[Sentence]) -> list[set[str]]:
    out: list[set[str]] = []
    seen_action = False
    story_started = False
    for s in sentences:
        # The story opens at its first sentence with a part, unless a habit came first ("I used
        # to rush talks. Last year I joined a club" tells a remedy, not a scene).
        ps = _parts(s.text, seen_action, opening=not story_started)
        story_started = story_started or bool(ps) or is_habitual(s.text)
        # After the story's actions, a past event that sets no new scene is what followed: a
        # result ("people used it a lot more after that"), not the scene.
        if (
            seen_action
            and ps == {"situation"}
            and (_OUTCOME_VERB.search(_norm(s.text)) or not _scene_marker(s.text))
        ):
            ps = {"result"}
        seen_action = seen_action or "action" in ps
        out.append(ps)
    if not any("situation" in ps for ps in out):
        # With no episode, "I've applied to a hundred places" is experience, not a step.
        for s, ps in zip(sentences, out, strict=True):
            if "action" in ps and not concrete_action(s.text, perfect=False):
                ps.discard("action")
    elif not any(ps & {"task", "action", "result"} for ps in out):
        # A career history with nothing that happened in it ("I moved into admin at an estate
        # agent") is not the scene of a story.
        for s, ps in zip(sentences, out, strict=True):
            if _career_only(_words(s.text)):
                ps.discard("situation")
    return out


_RANK = {"situation": 0, "task": 0, "action": 1, "result": 2}
ORDER_SLACK = 0.2  # share of out-of-order pairs tolerated (a headline result, a late detail)


def _order_ok(labels: list[str]) -> bool:
    ranks = [_RANK[lab] for lab in labels if lab in _RANK]
    pairs = inversions = 0
    for i in range(len(ranks)):
        for j in range(i + 1, len(ranks)):
            if ranks[i] != ranks[j]:
                pairs += 1
                inversions += ranks[i] > ranks[j]
    return pairs == 0 or inversions / pairs <= ORDER_SLACK


def _action_time_share(sentences: tuple[Sentence, ...], parts: list[set[str]]) -> float | None:
    if not sentences:
        return None
    if all(s.start is not None and s.end is not None for s in sentences):
        spans = [max(0.0, (s.end or 0.0) - (s.start or 0.0)) for s in sentences]
    else:
        # Without times, the words stand for the time taken to say them; a hyphenated
        # compound ("load-tested") is said as its parts.
        spans = [float(sum(len(w.split("-")) for w in _words(s.text))) for s in sentences]
    total = sum(spans)
    if total <= 0:
        return None
    return sum(x for x, ps in zip(spans, parts, strict=True) if "action" in ps) / total
