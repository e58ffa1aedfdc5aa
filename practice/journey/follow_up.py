"""Follow-up questions: what a good interviewer asks after an answer that left something out.

`choose` reads a judged answer (the `Verdict`) and returns the follow-ups worth asking, most
important first: an answer that missed the question hears the question again in other words,
before anything else; then blame, then the part a success story left out (result, own actions,
the number behind a result, a claim worth probing, the task), or a fit answer's missing second
reason. `filled` judges the pair afterwards: did the follow-up answer supply what was missing?

The wordings are data (prompts/follow_ups.toml plus the user's <home>/follow-ups/*.toml), filled
with `string.Template`, so a user's wording can name a phrase of the answer but run no code.
Both functions are pure: the verdicts come from `judgment.verdict.judge_text`.
"""

from __future__ import annotations

import re
import tomllib
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

from practice.core.errors import InputError
from practice.core.text import is_filled_pause, is_stop

if TYPE_CHECKING:
    from practice.judgment.verdict import Verdict

BUILTIN_FILE = "follow_ups.toml"
USER_DIR = "follow-ups"  # the user's own wordings: <data home>/follow-ups/*.toml
MAX_FOLLOW_UPS = 2  # a real interviewer asks one or two, not a checklist
MAX_QUOTE_WORDS = 12  # a quoted phrase longer than this is cut: the follow-up must stay short
MIN_QUOTE_WORDS = 2  # a shorter phrase ("it") says nothing the person would recognise
# A claim is probed when the follow-up answer gives evidence: a measured outcome, or at least
# this specific an account (the verdict's 0-1 specificity; 0.5 is "some concrete detail").
EVIDENCE_SPECIFICITY = 0.5

# The gaps, in the order they are asked about, and why each is asked (shown with the question).
ASKED_BECAUSE: dict[str, str] = {
    "missed-question": "The answer did not address the question asked.",
    "blame": "The answer put the fault on someone else.",
    "result": "The story never said how it ended: no result.",
    "own-actions": "The story told what the team did, not what you did yourself.",
    "claim": "The result was claimed without saying how you knew.",
    "number": "The result had no number behind it.",
    "task": "The story never said what you were there to do.",
    "fit-reason": "The answer gave one reason the job fits you; a strong one gives two or three.",
}
GAPS = tuple(ASKED_BECAUSE)
# What a follow-up answer supplies when it fills its gap, for the feedback on the pair.
SUPPLIES: dict[str, str] = {
    "missed-question": "an answer to the question",
    "blame": "your own part, without blaming anyone",
    "result": "the result",
    "own-actions": "what you did yourself",
    "claim": "how you knew",
    "number": "a number behind the result",
    "task": "what you were there to do",
    "fit-reason": "another reason the job fits you",
}
_PLACEHOLDERS = {"quote", "question"}

# A result told as a judgement rather than a figure: worth asking how the person knew.
_CLAIM = re.compile(
    r"\b(went (really |very |so |quite )?(well|smoothly|great)|(was|were|became) (a )?"
    r"(big |huge |great |real )?(success|successful|hit|win)|worked (really |very )?well|"
    r"(really |much |a lot |far )?(better|faster|smoother|happier|improved)|"
    r"(everyone|everybody|they|customers|clients|users|people|the team) (was |were )?"
    r"(happy|pleased|delighted|loved it|liked it|thrilled)|paid off|made a (big |huge |real )?"
    r"difference)\b",
    re.IGNORECASE,
)
# Someone other than the speaker, whom a complaint can be about.
_SOMEONE_ELSE = re.compile(
    r"\b(boss|manager|supervisor|lead|colleagues?|co-?workers?|team|teammates?|company|"
    r"management|client|customer|developers|they|their|them|he|she|him|her|hr|ceo|director|"
    r"employer)\b",
    re.IGNORECASE,
)
# Words that open a sentence without belonging to the phrase quoted back.
_LEAD = re.compile(
    r"^(?:(?:and|so|then|but|well|um|uh|finally|overall|basically|also|in the end|at the end|"
    r"as a result|at the end of the day|eventually|after that|because of that|thanks to that)"
    r"[\s,]+)+",
    re.IGNORECASE,
)
# Where one clause ends and the next begins: the quote keeps the clause that matters.
_CLAUSE_BREAK = re.compile(r"\s*(?:;|,\s*(?:and|but|so|which)\s|\s(?:and|but|because|so)\s)\s*")
# First person turned to second person; "we" to "the team", since the follow-up asks about the
# speaker's own part. Keys are lower case words; the verb after "I" or "we" is agreed below.
_PERSON = {
    "i": "you",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "i'm": "you're",
    "i've": "you've",
    "i'd": "you'd",
    "i'll": "you'll",
    "we": "the team",
    "us": "the team",
    "our": "the team's",
    "ours": "the team's",
    "ourselves": "the team",
    "we're": "the team is",
    "we've": "the team has",
    "we'd": "the team would",
    "we'll": "the team will",
}
_AFTER_I = {"am": "are", "was": "were"}
_AFTER_WE = {"are": "is", "were": "was", "have": "has"}


@dataclass(frozen=True)
class Wording:
    gap: str
    text: str  # string.Template: $quote, $question
    source: str  # the file it came from, for messages
    quotes: bool = False  # names $quote: used only when the answer has a phrase to quote


@dataclass(frozen=True)
class FollowUp:
    """One follow-up question and why it is asked."""

    question: str  # the words the interviewer says
    asked_because: str  # one sentence, for the person
    gap: str  # one of GAPS: what the follow-up answer should supply
    quote: str | None = None  # the phrase of the answer it names, as said


# -- the bank ------------------------------------------------------------------------------------


def load_bank(home: Path | None = None) -> tuple[Wording, ...]:
    """The built-in wordings, then the user's (<home>/follow-ups/*.toml, in file-name order).
    InputError naming the file and entry for one that cannot be used."""
    wordings = list(_parse(_builtin_text(), f"{BUILTIN_FILE} (built-in)"))
    folder = home / USER_DIR if home is not None else None
    if folder is not None and folder.is_dir():
        for path in sorted(p for p in folder.glob("*.toml") if p.is_file()):
            try:
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as e:
                raise InputError(
                    f"{path}: cannot be read ({e}); fix or remove the file and retry."
                ) from e
            wordings.extend(_parse(text, str(path)))
    return tuple(wordings)


def _builtin_text() -> str:
    try:
        from importlib.resources import files

        return (files("practice.prompts") / BUILTIN_FILE).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        # Running from a checkout: the prompts folder is not mapped into the package.
        path = Path(__file__).resolve().parents[2] / "prompts" / BUILTIN_FILE
        try:
            return path.read_text(encoding="utf-8")
        except OSError as e:
            raise InputError(
                f"The built-in follow-up questions {path} cannot be read ({e.strerror}); "
                "reinstall practice and retry."
            ) from e


def _parse(text: str, label: str) -> list[Wording]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{label}: not valid TOML ({e}); fix the file and retry.") from e
    entries = data.get("follow_up", [])
    if not isinstance(entries, list):
        raise InputError(
            f"{label}: follow_up must be [[follow_up]] tables; fix the file and retry."
        )
    out = []
    for n, entry in enumerate(entries, 1):
        where = f"{label}: follow-up {n}"
        if not isinstance(entry, dict):
            raise InputError(f"{where} is not a table; fix the file and retry.")
        gap, wording = entry.get("gap"), entry.get("text")
        if gap not in ASKED_BECAUSE:
            raise InputError(
                f'{where}: gap "{gap}" is not one of {", ".join(GAPS)}; fix the file and retry.'
            )
        if not isinstance(wording, str) or not wording.strip():
            raise InputError(f"{where}: text must be a non-empty string; fix the file and retry.")
        template = Template(wording)
        used = {m.group("named") or m.group("braced") for m in template.pattern.finditer(wording)}
        unknown = sorted(str(u) for u in used - _PLACEHOLDERS - {None})
        try:
            template.substitute(quote="x", question="x")
        except (KeyError, ValueError) as e:
            unknown = unknown or [str(e)]
        if unknown:
            raise InputError(
                f"{where}: ${unknown[0]} is not a placeholder (use $quote or $question, $$ for "
                "a dollar sign); fix the file and retry."
            )
        # The question asked again is the whole point of a missed-question wording, and there
        # is no question to put anywhere else.
        if (gap == "missed-question") != ("question" in used):
            raise InputError(
                f"{where}: $question belongs in every missed-question wording and in no other; "
                "fix the file and retry."
            )
        quotes = "quote" in used
        out.append(Wording(gap=gap, text=wording.strip(), source=label, quotes=quotes))
    return out


# -- choosing ------------------------------------------------------------------------------------


def choose(
    verdict: Verdict,
    *,
    question: str | None,
    category: str | None,
    bank: Sequence[Wording],
    limit: int = MAX_FOLLOW_UPS,
) -> tuple[FollowUp, ...]:
    """The follow-ups worth asking after an answer, most important first (at most `limit`).

    An answer that missed the question gets only the question again: asking about a story's
    result is pointless when the story answered something else."""
    if not verdict.sentences:
        return ()
    if question and not verdict.answers_question:
        asked = _worded(bank, "missed-question", verdict, quote=None, question=rephrase(question))
        return (asked,) if asked else ()
    found: list[tuple[str, str | None]] = []
    blamed = _blame(verdict)
    if blamed:
        other = _SOMEONE_ELSE.search(blamed[0])
        found.append(("blame", _phrase(blamed[0], at=other.start() if other else 0)))
    if category == "success-story":
        found.extend(_story_gaps(verdict))
    elif category == "fit":
        reasons = _fit_reasons(verdict)
        if len(reasons) <= 1:
            found.append(("fit-reason", _reason_phrase(reasons[0]) if reasons else None))
    else:
        claim = _claim(verdict)
        if claim is not None:
            found.append(("claim", claim))
    out = []
    for gap, quote in found:
        asked = _worded(bank, gap, verdict, quote=quote, question=None)
        if asked is not None:
            out.append(asked)
        if len(out) >= limit:
            break
    return tuple(out)


def _story_gaps(v: Verdict) -> list[tuple[str, str | None]]:
    """What a success story left out, in the order a coach asks about it."""
    gaps: list[tuple[str, str | None]] = []
    if not v.told["result"]:
        gaps.append(("result", None))
    if not v.told["action"]:
        gaps.append(("own-actions", None))
    elif not v.ownership:  # every step told with "we" (or someone else)
        steps = [s for s, lab in zip(v.sentences, v.labels, strict=True) if lab == "action"]
        gaps.append(("own-actions", _phrase(steps[0]) if steps else None))
    if v.told["result"] and not v.result_quantified:
        claim = _claim(v)
        if claim is not None:
            gaps.append(("claim", claim))
        else:
            results = [s for s, lab in zip(v.sentences, v.labels, strict=True) if lab == "result"]
            gaps.append(("number", _phrase(results[0]) if results else None))
    if not v.told["task"]:
        gaps.append(("task", None))
    return gaps


def _blame(v: Verdict) -> tuple[str, ...]:
    """Sentences that put the fault on someone else: the content rule's, or the fitted
    negativity call's when the sentence names someone else. The fitted call alone also
    flags plain self-criticism ("My biggest weakness is public speaking"), which is what a
    weakness answer should say, and misses some blame a rule sees ("My manager never gave
    us clear direction")."""
    from practice.judgment.content import is_blame

    return tuple(
        s
        for s in v.sentences
        if is_blame(s) or (s in v.negativity and _SOMEONE_ELSE.search(s) is not None)
    )


def _fit_reasons(v: Verdict) -> list[str]:
    from practice.judgment.content import ValueEvidence, fit_reasons

    return fit_reasons(list(v.sentences), ValueEvidence(v.value, v.self_interest, v.negativity))


def _reason_phrase(sentence: str) -> str:
    """The reason itself: "I love working with data" of "I want this role because I love..."."""
    m = re.search(r"\bbecause\s", sentence, re.IGNORECASE)
    return _phrase(sentence[m.end() :] if m else sentence)


def _claim(v: Verdict) -> str | None:
    """The phrase of an unmeasured result told as a judgement ("the launch went well")."""
    from practice.judgment.structure import quantified_outcome

    for sentence, label in zip(v.sentences, v.labels, strict=True):
        if label != "result" or quantified_outcome(sentence):
            continue
        m = _CLAIM.search(sentence)
        if m is not None:
            return _phrase(sentence, at=m.start())
    return None


def _worded(
    bank: Sequence[Wording], gap: str, v: Verdict, *, quote: str | None, question: str | None
) -> FollowUp | None:
    """The gap's follow-up in one of its wordings: one naming the quote when there is one.
    The answer's words choose among several, so one answer always hears the same wording."""
    if quote is not None and len(quote.split()) < MIN_QUOTE_WORDS:
        quote = None  # "You said so" names nothing: ask without a quote
    options = [w for w in bank if w.gap == gap and w.quotes == (quote is not None)]
    if not options and quote is not None:  # no wording names a phrase: ask without it
        options, quote = [w for w in bank if w.gap == gap and not w.quotes], None
    if not options:
        return None
    pick = options[zlib.crc32(" ".join(v.sentences).encode()) % len(options)]
    text = Template(pick.text).substitute(quote=quote or "", question=question or "")
    return FollowUp(
        question=" ".join(text.split()),
        asked_because=ASKED_BECAUSE[gap],
        gap=gap,
        quote=quote,
    )


# -- the words of a follow-up --------------------------------------------------------------------


def _phrase(sentence: str, *, at: int = 0) -> str:
    """A short phrase of `sentence` to quote back: the clause around character `at`, without
    its opening "so" or "in the end", in the second person, at most MAX_QUOTE_WORDS words."""
    text = sentence.strip().rstrip(".!?,;: ")
    start = 0
    for m in _CLAUSE_BREAK.finditer(text):
        if m.start() >= at and m.start() > start:
            text = text[: m.start()]
            break
        start = m.end()
    text = _LEAD.sub("", text[start:].lstrip(", ")).strip()
    words = text.split()
    if words and words[0].islower() is False and is_stop(words[0].lower()) and words[0] != "I":
        words[0] = words[0].lower()  # "The launch went well" is quoted mid-sentence
    if len(words) > MAX_QUOTE_WORDS:
        words = words[:MAX_QUOTE_WORDS] + ["..."]
    return " ".join(_second_person(words))


def _second_person(words: list[str]) -> list[str]:
    out: list[str] = []
    previous = ""
    for word in words:
        core = word.rstrip(",;:")
        tail = word[len(core) :]
        lower = core.lower().replace("\u2019", "'")
        if is_filled_pause(lower):
            if out and tail:  # "the launch, um, went well": the um and its commas go
                out[-1] = out[-1].rstrip(",")
            continue
        if lower in _PERSON:
            new = _PERSON[lower]
        elif previous == "i" and lower in _AFTER_I:
            new = _AFTER_I[lower]
        elif previous == "we" and lower in _AFTER_WE:
            new = _AFTER_WE[lower]
        else:
            new = core
        out.append(new + tail)
        previous = lower
    return out


_TIME_QUESTION = re.compile(
    r"^(?:tell me about|describe|give me an example of|talk me through) (?:a|one) "
    r"(?:time|situation|occasion|moment)(?: when| where)? (?P<rest>[^.?!]+)[.?!]",
    re.IGNORECASE,
)
_WHY = re.compile(
    r"^why (?P<aux>do|does|did|are|is|were|was|should|would|have|has|can) (?P<subject>you|we) "
    r"(?P<rest>[^?]+)\?",
    re.IGNORECASE,
)
_TELL_ABOUT = re.compile(r"^(?:tell me about|describe) (?P<rest>[^.?!]+)[.?!]", re.IGNORECASE)
_WALK = re.compile(r"^walk me through (?P<rest>[^.?!]+)[.?!]", re.IGNORECASE)


def rephrase(question: str) -> str:
    """The question in other words, for an answer that missed it: the common interview shapes
    ("Tell me about a time you...", "Why do you...?", "Describe...") reworded; any other
    question is asked again as it was, after the bank's lead-in ("Let me put it another way")."""
    q = " ".join(question.split())
    if q.lower().rstrip(".?!") == "tell me about yourself":
        return (
            "Give me a short picture of yourself at work: what you do, what you are good at, "
            "and what brings you here."
        )
    m = _TIME_QUESTION.match(q)
    if m:
        return (
            f"Think of one particular time {m['rest'].strip()}. What happened, and what did you "
            "do yourself?"
        )
    m = _WHY.match(q)
    if m and m["subject"].lower() == "you":
        aux, rest = m["aux"].lower(), m["rest"].strip()
        if aux in ("do", "does"):
            return f"What makes you {rest}?"
        if aux == "did":
            return f"What made you {rest}?"
        return f"What is the reason you {aux} {rest}?"
    if m:
        return f"What is the reason {m['subject'].lower()} {m['aux'].lower()} {m['rest'].strip()}?"
    m = _WALK.match(q)
    if m:
        return f"Take me through {m['rest'].strip()}, step by step."
    m = _TELL_ABOUT.match(q)
    if m:
        verb = "describe" if q.lower().startswith("tell") else "tell me about"
        return f"Can you {verb} {m['rest'].strip()}?"
    return q


# -- judging the pair ----------------------------------------------------------------------------


def filled(gap: str, *, main: Verdict, follow: Verdict, pair: Verdict) -> bool:
    """Did the follow-up answer supply what the main answer lacked? `follow` is the follow-up
    answer judged alone against the original question, `pair` the two answers judged as one
    (the main answer's sentences, then the follow-up's)."""
    from practice.judgment.structure import first_person_singular_actor, quantified_outcome

    said = follow.sentences
    if not said:
        return False
    measured = any(quantified_outcome(s) for s in said)
    if gap == "missed-question":
        return follow.answers_question
    if gap == "result":
        return "result" in _parts_added(main, pair) or _measured_outcome(main, pair)
    if gap == "own-actions":
        return bool(follow.ownership) or any(first_person_singular_actor(s) for s in said)
    if gap == "number":
        return measured or follow.result_quantified or pair.result_quantified
    if gap == "claim":
        return measured or follow.specificity >= EVIDENCE_SPECIFICITY
    if gap == "task":
        return "task" in _parts_added(main, pair)
    if gap == "blame":
        owned = any(first_person_singular_actor(s) for s in said)
        return owned and not _blame(follow)
    if gap == "fit-reason":
        return len(_fit_reasons(pair)) > len(_fit_reasons(main))
    raise ValueError(f"unknown follow-up gap {gap!r}")


def _measured_outcome(main: Verdict, pair: Verdict) -> bool:
    """A follow-up sentence with a measured outcome that is not a scene being set: "the API
    took 4 to 5 seconds at peak" has a number, but the cue rules read it as the situation."""
    from practice.core.results import Sentence
    from practice.judgment.structure import analyze_structure, quantified_outcome

    said = pair.sentences[len(main.sentences) :]
    ruled = analyze_structure([Sentence(text=t, label="other") for t in said], category=None)
    return any(
        quantified_outcome(t) and rule.label != "situation"
        for t, rule in zip(said, ruled.sentences, strict=True)
    )


def _parts_added(main: Verdict, pair: Verdict) -> set[str]:
    """The STAR parts the follow-up's sentences tell, told after the main answer.

    The fitted labels alone over-read a short follow-up: placed after a story, any last
    sentence reads as its result ("I moved on to another project"), and alone, any first
    sentence as a situation. So a part counts only when the pair's fitted label and the cue
    rules (structure.analyze_structure, the judgment's yardstick) agree on the sentence."""
    from practice.core.results import Sentence
    from practice.judgment.structure import analyze_structure

    said = pair.sentences[len(main.sentences) :]
    fitted_labels = pair.labels[len(main.sentences) :]
    ruled = analyze_structure([Sentence(text=t, label="other") for t in said], category=None)
    agreed = {
        str(label)
        for label, rule in zip(fitted_labels, ruled.sentences, strict=True)
        if label == rule.label
    }
    return agreed - {"other"}
