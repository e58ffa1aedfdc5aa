"""The story bank: success stories told in STAR parts, the skills they show, how often rehearsed.

A story is typed, or taken from a rehearsed answer's sentence labels. Its skills are inferred from
the words with the cue lists below (and the user can edit them); its quantified result is the
first result sentence that moves a number. The stories live in the history database (table
`stories`, schema v2; its SQL is in `history.store`, the `Story` dataclass in `core.records`); an
attempt counts as a rehearsal of a story when its `story_id` points at it, or when it is the
attempt the story was taken from.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from practice.core.errors import InputError
from practice.core.records import STORY_PARTS, PracticeRecord, Story, record_number
from practice.core.results import Analysis, Question, Sentence, Structure
from practice.core.text import COUNT_AND_TIME_WORDS, STOP_WORDS, stem, words
from practice.history.store import History

PARTS = STORY_PARTS  # the story's fields, in telling order
# The Structure flag of an analysis that says the spoken answer has each part.
_PART_FLAG = {"situation": "situation", "task": "task", "actions": "action", "result": "result"}
OFFER_MIN_STRUCTURE = 75  # structure score (0-100) from which an answer is worth keeping
MAX_TERMS_SHOWN = 6  # written-story words not said, listed when a part was dropped
MAX_TITLE_WORDS = 8  # a default title is the opening words of the story, cut here
MAX_FIELD_CHARS = 20_000  # a story part is a paragraph; far longer is a wrong file

# -- skills ------------------------------------------------------------------------------------

# Each skill: a display name and the cues that show it, matched on lower-case text. The slugs
# follow the question bank's tags (prompts/questions.toml) so stories and questions meet.
SKILLS: dict[str, tuple[str, str]] = {
    "leadership": (
        "leadership",
        r"\b(led|lead|leads|leading|leader|supervis\w*|in charge|took charge|headed|delegat\w*|"
        r"team of \d+|shift of \d+|(my|the) team (to|through)|as (shift |team |ward )?"
        r"(supervisor|manager|lead)|managing (a |the |my )?(team|shift|staff))\b",
    ),
    "conflict": (
        "conflict",
        r"\b(conflict\w*|disagree\w*|argument|dispute\w*|angry|shouting|upset|tension|"
        r"complain\w*|complaint\w*|difficult (conversation|customer|relative|client|colleague)|"
        r"frustrat\w*|objection\w*|push ?back|clash\w*)\b",
    ),
    "failure": (
        "failure and learning",
        r"\b(fail\w*|mistake\w*|went wrong|lost (my|the|our|a) \w+|lose|losing|rushed|"
        r"owned (the|my) (mistake|error)|my (fault|error)|lesson\w*|since then i|setback\w*|"
        r"rejection\w*|bounce back|resilien\w*|knock(ed)? my confidence)\b",
    ),
    "teamwork": (
        "teamwork",
        r"\b(together|teammates?|colleagues?|collaborat\w*|cross-functional|paired|pairing|"
        r"with the (\w+ )?(team|nurses|doctor|pharmacist|planner)|work with|worked with|"
        r"coordinat\w*|hand ?over|handover|buddy)\b",
    ),
    "initiative": (
        "initiative",
        r"\b(volunteer\w*|offered to|took ownership|took on|on my own initiative|"
        r"without being asked|proposed|suggested|introduced|set up|i noticed|"
        r"ownership|own features|end to end|self-starter|initiative)\b",
    ),
    "customer-focus": (
        "customer focus",
        r"\b(customers?|clients?|patients?|users?|guests?|families|relatives?|buyers?|"
        r"shoppers?|subscribers?|stores|accounts?|satisf\w*)\b",
    ),
    "problem-solving": (
        "problem solving",
        r"\b(root cause|the cause|diagnos\w*|investigat\w*|troubleshoot\w*|debug\w*|profiled|"
        r"solv\w*|fix(ed)?|figured out|worked out|resolv\w*|problems?|found (that|the))\b",
    ),
    "influence": (
        "influence",
        r"\b(persuad\w*|convinc\w*|negotiat\w*|buy-in|won (them|him|her) over|pitch\w*|"
        r"proposal|approved|got (them|him|her|the \w+) to agree|influenc(e|ed|es|ing)|"
        r"close deals?|"
        r"closed (the|a) deal)\b",
    ),
    "learning": (
        "learning fast",
        r"\b(taught myself|picked up|got up to speed|new to|learn\w* (quickly|fast)|"
        r"quick learner|had never (used|done)|studied|first time|learn new)\b",
    ),
    "communication": (
        "communication",
        r"\b(explain\w*|present\w*|brief\w*|plain language|without jargon|communicat\w*|"
        r"educat\w*|teach-back|kept (the|everyone) (team )?informed|updated (the|everyone)|"
        r"report(ed|ing)? (on|to)|wrote|written|write)\b",
    ),
    "mentoring": (
        "mentoring",
        r"\b(mentor\w*|coach\w*|train(ed|ing)? (the|new|a|him|her|them)|trained|onboard\w*|"
        r"one-to-ones?|developing (a |the |my )?(small )?team|supervised (their|the|two|"
        r"students?)|student nurses|junior\w*|new starters?|up to speed)\b",
    ),
    "prioritisation": (
        "prioritisation",
        r"\b(prioriti[sz]\w*|priorit\w*|urgen\w*|deadlines?|under pressure|time pressure|"
        r"short-staffed|one (nurse|person) short|peak\w*|busy|stay(ed)? calm|kept calm|"
        r"quick (calls|decisions)|on time)\b",
    ),
    "analysis": (
        "analysis",
        r"\b(data|analys\w*|analy[sz]\w*|metrics?|kpis?|tracked|track|measur\w*|audit\w*|"
        r"forecast\w*|dashboards?|figures|accuracy|numbers|analytics|a/b test\w*|"
        r"recommendations?)\b",
    ),
    "efficiency": (
        "efficiency",
        r"\b(improv\w*|faster|streamlin\w*|automat\w*|efficien\w*|reduc\w*|cut|saved|lean|"
        r"5s|continuous improvement|performance|reliab\w*)\b",
    ),
}
_SKILL_PATTERNS = {slug: re.compile(cues) for slug, (_, cues) in SKILLS.items()}

# What users type for a skill, mapped to its slug ("customer focus", "Failure and learning").
_SKILL_ALIASES: dict[str, str] = {
    "failure and learning": "failure",
    "failure-and-learning": "failure",
    "resilience": "failure",
    "learning fast": "learning",
    "learning-fast": "learning",
    "problem solving": "problem-solving",
    "customer focus": "customer-focus",
    "customer service": "customer-focus",
    "collaboration": "teamwork",
    "prioritization": "prioritisation",
    "time-management": "prioritisation",
    "time management": "prioritisation",
    "negotiation": "influence",
    "data": "analysis",
    "decision-making": "analysis",
    "mentorship": "mentoring",
    "coaching": "mentoring",
    "ownership": "initiative",
}

# Question-bank tags that speak to a skill, so a story can be matched to bank questions.
TAG_SKILLS: dict[str, str] = {
    **{slug: slug for slug in SKILLS},
    "collaboration": "teamwork",
    "time-management": "prioritisation",
    "organisation": "prioritisation",
    "ownership": "initiative",
    "recovery": "failure",
    "growth": "failure",
    "negotiation": "influence",
    "decision-making": "analysis",
    "results": "efficiency",
    "adaptability": "learning",
    "feedback": "communication",
    "ambiguity": "problem-solving",
}


def skill_label(slug: str) -> str:
    """How a skill reads in a sentence ("customer focus")."""
    return SKILLS[slug][0] if slug in SKILLS else slug.replace("-", " ")


def normalise_skills(names: Iterable[str]) -> tuple[str, ...]:
    """User-typed skills as slugs, known aliases mapped, duplicates dropped, order kept."""
    out: list[str] = []
    for name in names:
        key = " ".join(name.strip().lower().split())
        if not key:
            continue
        slug = _SKILL_ALIASES.get(key) or _SKILL_ALIASES.get(key.replace(" ", "-"))
        slug = slug or key.replace(" ", "-")
        if slug not in out:
            out.append(slug)
    return tuple(out)


def infer_skills(text: str) -> tuple[str, ...]:
    """The skills whose cues appear in `text`, in the order of SKILLS."""
    low = _lower(text)
    return tuple(slug for slug, pattern in _SKILL_PATTERNS.items() if pattern.search(low))


def _lower(text: str) -> str:
    return text.lower().replace("\u2019", "'")


# -- the story -----------------------------------------------------------------------------------


def find_quantified_result(story: Story) -> str | None:
    """The first sentence of the result (else the actions) that states a measured outcome."""
    from practice.judgment.sentences import split_sentences
    from practice.judgment.structure import quantified_outcome

    for part in (story.result, story.actions):
        for s in split_sentences(part):
            if quantified_outcome(s.text):
                return s.text.strip()
    return None


def complete(story: Story, *, infer: bool = True) -> Story:
    """Fill in what can be derived: a title, the skills (if none given), the quantified result."""
    title = story.title.strip() or default_title(story)
    skills = story.skills or (infer_skills(f"{story.title} {story.text}") if infer else ())
    quantified = story.quantified_result
    if quantified is None:
        quantified = find_quantified_result(story)
    return replace(
        story, title=title, skills=normalise_skills(skills), quantified_result=quantified
    )


def default_title(story: Story) -> str:
    """The opening words of the story, for one typed without a title."""
    for name in ("result", "actions", "situation", "task"):
        words = getattr(story, name).split()
        if words:
            cut = " ".join(words[:MAX_TITLE_WORDS]).rstrip(".,;:")
            return cut + ("..." if len(words) > MAX_TITLE_WORDS else "")
    return "Untitled story"


def from_sentences(
    sentences: Sequence[Sentence | Mapping[str, Any]],
    *,
    title: str = "",
    skills: Sequence[str] = (),
    source_attempt_id: int | None = None,
) -> Story:
    """A story from labelled sentences (situation|task|action|result|other).

    An "other" sentence stays with the part before it (a detail of that part); one before any
    labelled sentence opens the situation.
    """
    parts: dict[str, list[str]] = {name: [] for name in PARTS}
    current = "situation"
    for s in sentences:
        text, label = (s.text, s.label) if isinstance(s, Sentence) else (s["text"], s["label"])
        text = str(text).strip()
        if not text:
            continue
        if label in ("situation", "task", "result"):
            current = str(label)
        elif label == "action":
            current = "actions"
        parts[current].append(text)
    story = Story(
        title=title,
        situation=" ".join(parts["situation"]),
        task=" ".join(parts["task"]),
        actions=" ".join(parts["actions"]),
        result=" ".join(parts["result"]),
        skills=normalise_skills(skills),
        source_attempt_id=source_attempt_id,
    )
    return complete(story)


def typed_story(
    *,
    title: str = "",
    situation: str | None = None,
    task: str | None = None,
    actions: str | None = None,
    result: str | None = None,
    skills: Sequence[str] = (),
) -> Story:
    """A story from its parts as typed (`stories add --situation ...`, the app's form)."""
    return Story(
        title=title.strip(),
        situation=(situation or "").strip(),
        task=(task or "").strip(),
        actions=(actions or "").strip(),
        result=(result or "").strip(),
        skills=normalise_skills(skills),
    )


def from_text(text: str, *, title: str = "", skills: Sequence[str] = ()) -> Story:
    """A story from a typed or pasted answer, its parts found by the STAR sentence labels."""
    from practice.judgment.sentences import split_sentences
    from practice.judgment.structure import analyze_structure

    if not text.strip():
        raise InputError("The story is empty; type or pipe the story's text and try again.")
    structure = analyze_structure(split_sentences(text), category="success-story")
    return from_sentences(structure.sentences, title=title, skills=skills)


def from_attempt(analysis: Analysis, *, title: str = "", skills: Sequence[str] = ()) -> Story:
    """A story from a saved answer, using its sentence labels."""
    sentences = analysis.structure.sentences
    if not sentences:
        raise InputError(
            f"Attempt {analysis.id} has no sentences to make a story from; "
            "choose another attempt or use --text."
        )
    return from_sentences(sentences, title=title, skills=skills, source_attempt_id=analysis.id)


# -- for the ask and interview commands ----------------------------------------------------------


def offer_to_keep(analysis: Analysis) -> bool:
    """Whether to offer to keep an answer as a story: a success story told in good STAR shape."""
    return (
        analysis.category == "success-story"
        and analysis.scores.structure.score >= OFFER_MIN_STRUCTURE
    )


FALLBACK_QUESTION = "Tell me about an achievement you are proud of."


def story_question(story: Story, bank: Sequence[Question]) -> Question:
    """The bank question this story answers best: shared skills first, then shared words.

    Success-story questions are considered, and red-flag failure questions for a story that
    shows failure and learning. Without any fitting question, a general achievement question.
    """
    skills = set(story.skills or infer_skills(story.text))
    story_words = content_words(f"{story.title} {story.text}")
    best: tuple[float, int] | None = None
    chosen: Question | None = None
    for index, q in enumerate(bank):
        tag_skills = {TAG_SKILLS.get(t, t) for t in getattr(q, "tags", ())}
        if q.category != "success-story" and not (
            q.category == "red-flag" and "failure" in tag_skills and "failure" in skills
        ):
            continue
        shared = len(tag_skills & skills)
        overlap = len(content_words(q.text) & story_words)
        # A shared skill outweighs any number of shared words; earlier questions win ties.
        score = shared * 10.0 + min(overlap, 9)
        if shared == 0 and overlap == 0:
            continue
        if best is None or (score, -index) > best:
            best, chosen = (score, -index), q
    if chosen is not None:
        return chosen
    return Question(id=None, text=FALLBACK_QUESTION, category="success-story")


_NUMBER_TOKEN = re.compile(r"[$€£]?\d[\d,.]*%?")


@dataclass(frozen=True)
class SpokenComparison:
    """What a spoken telling of a kept story left out of it (`compare_spoken`)."""

    story_id: int | None
    parts_dropped: tuple[str, ...]  # of PARTS: situation | task | actions | result
    result_left_out: bool
    quantified_result_missing: bool
    numbers_missed: tuple[str, ...]
    terms_missed: tuple[str, ...]  # content words of the written story not said (up to 12)
    tips: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "story_id": self.story_id,
            "parts_dropped": list(self.parts_dropped),
            "result_left_out": self.result_left_out,
            "quantified_result_missing": self.quantified_result_missing,
            "numbers_missed": list(self.numbers_missed),
            "terms_missed": list(self.terms_missed),
            "tips": list(self.tips),
        }


STORY_PART_SAID = 0.5  # cosine of a story part and its retelling: paraphrases measured 0.7+,
# the story's other sentences 0.1-0.4 (all-MiniLM-L6-v2, tests/test_story_rehearsal.py's story)


def said_likeness(part: str, structure: Structure) -> float:
    """How close the telling's likest sentence is to `part` in meaning (cosine, 0-1)."""
    from practice.judgment.embed import embed

    sentences = [s.text for s in structure.sentences if s.text.strip()]
    if not sentences:
        return 0.0
    vectors = embed([part, *sentences])
    return float((vectors[1:] @ vectors[0]).max())


def compare_spoken(story: Story, analysis: Analysis) -> SpokenComparison:
    """What a spoken telling of `story` (the analysed answer) left out."""
    structure = analysis.structure
    spoken = analysis.transcript.text
    if not spoken:
        spoken = " ".join(s.text for s in structure.sentences)
    # The story's own result is known: whether it was said is a question of meaning (a
    # sentence of the telling close to it), not only of whether some sentence reads as a
    # result; the last action of a story that stops early often does.
    result_left_out = bool(story.result.strip()) and (
        not structure.result or said_likeness(story.result, structure) < STORY_PART_SAID
    )
    dropped = [
        name
        for name in PARTS
        if getattr(story, name).strip()
        and (result_left_out if name == "result" else not getattr(structure, _PART_FLAG[name]))
    ]
    numbers = _numbers(story.quantified_result or "")
    spoken_numbers = _numbers(spoken)
    numbers_missed = [n for n in numbers if n not in spoken_numbers]
    quantified_missing = bool(story.quantified_result) and (
        not structure.result_quantified or len(numbers_missed) == len(numbers) > 0
    )
    spoken_words = content_words(spoken)
    terms_missed = sorted(content_words(story.text) - spoken_words)
    tips: list[str] = []
    if result_left_out:
        tips.append(f"You stopped before the result; end with it: {story.result}")
    elif quantified_missing:
        tips.append(f"Say the number that proves the result: {story.quantified_result}")
    other = [p for p in dropped if p != "result"]
    if other:
        tips.append(f"You left out the {' and the '.join(other)} of this story.")
    return SpokenComparison(
        story_id=story.id,
        parts_dropped=tuple(dropped),
        result_left_out=result_left_out,
        quantified_result_missing=quantified_missing,
        numbers_missed=tuple(numbers_missed),
        terms_missed=tuple(terms_missed[:12]),
        tips=tuple(tips),
    )


def comparison_lines(story: Story, diff: SpokenComparison) -> list[str]:
    """`compare_spoken`'s finding as lines for the terminal (ask and review print them)."""
    head = f'Against your written story #{story.id} "{story.title}":'
    tips = list(diff.tips)
    numbers = list(diff.numbers_missed)
    if numbers and not diff.quantified_result_missing:
        tips.append(f"Numbers from the written story not said: {', '.join(numbers)}.")
    if not tips:
        return [f"{head} every part told, the result and its number included."]
    lines = [head, *(f"  {t}" for t in tips)]
    terms = list(diff.terms_missed)[:MAX_TERMS_SHOWN]
    if terms and diff.parts_dropped:
        lines.append(f"  Details of the written story not said: {', '.join(terms)}.")
    return lines


def _numbers(text: str) -> list[str]:
    out: list[str] = []
    for m in _NUMBER_TOKEN.finditer(text):
        n = m.group().rstrip(".,").replace(",", "")
        if n and n not in out:
            out.append(n)
    return out


# Words that carry no topic, left out when comparing a story with a question or a posting: the
# stop words, counting and calendar words, the words questions are asked in ("tell me about a
# time", "describe", "walk me through") and the lightest verbs.
_NO_TOPIC = (
    STOP_WORDS
    | COUNT_AND_TIME_WORDS
    | frozenset("tell describe walk get got make made new way went".split())
)


def content_words(text: str) -> set[str]:
    """Lightly stemmed, lower-case words of `text` that carry topic (stop words dropped).

    A hyphenated word counts whole and by its parts ("non-technical" also gives "technical");
    two-letter words count only as capitals, where they are names ("IV", "HR", "QA").
    """
    out: set[str] = set()
    for raw in words(text):
        if re.fullmatch(r"[A-Z]{2,}s", raw):
            raw = raw[:-1]  # "KPIs" is the plural of "KPI"
        if len(raw) == 2 and raw.isupper():
            out.add(raw.lower())
            continue
        low = raw.lower()
        for w in (low, *low.split("-")) if "-" in low else (low,):
            if w not in _NO_TOPIC and len(w) > 2:
                out.add(stem(w))
    return out


# -- the edit form -------------------------------------------------------------------------------

FORM_HEADER = """\
# Edit the story, save and close the editor. Lines starting with # are ignored.
# skills: a list such as ["leadership", "conflict"]; known skills are
# {skills}.
# quantified_result: the sentence with the number that proves the result ("" for none).
"""


def to_form(story: Story) -> str:
    """The story as a small TOML document for editing in a text editor."""
    lines = [FORM_HEADER.format(skills=", ".join(SKILLS))]
    lines.append(f"title = {_toml_str(story.title)}")
    lines.append("skills = [" + ", ".join(_toml_str(s) for s in story.skills) + "]")
    lines.append(f"quantified_result = {_toml_str(story.quantified_result or '')}")
    for name in PARTS:
        lines.append("")
        lines.append(f"{name} = {_toml_block(getattr(story, name))}")
    return "\n".join(lines) + "\n"


def parse_form(text: str) -> dict[str, Any]:
    """The fields of an edited form, checked; InputError naming the problem otherwise."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"The edited story is not valid TOML: {e}; edit it again.") from e
    allowed = {"title", "skills", "quantified_result", *PARTS}
    unknown = sorted(set(doc) - allowed)
    if unknown:
        raise InputError(
            f'Unknown field "{unknown[0]}" in the edited story; the fields are '
            f"{', '.join(sorted(allowed))}."
        )
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key == "skills":
            if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
                raise InputError('skills must be a list of words, like ["leadership"].')
            out["skills"] = normalise_skills(value)
        elif not isinstance(value, str):
            raise InputError(f"{key} must be text in quotes.")
        else:
            out[key] = value.strip()
    if "title" in out and not out["title"]:
        raise InputError("The title is empty; give the story a short title.")
    if "quantified_result" in out and not out["quantified_result"]:
        out["quantified_result"] = None
    return out


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _toml_block(s: str) -> str:
    # A multi-line literal string reads as plain prose in the editor; it cannot hold ''' itself.
    if "'''" in s or s.endswith("'"):
        return _toml_str(s)
    return "'''\n" + s + "'''"


# -- storage -------------------------------------------------------------------------------------

_EDITABLE = frozenset({"title", "skills", "quantified_result", *PARTS})


class StoryBank:
    """The stories kept in one data home's history. Open with `StoryBank.open(home)`.

    The rows live in the history's `stories` table and every statement runs in the store,
    on the history's one connection; this class adds what a story needs before it is kept
    (a title, skills, the quantified result, sizes checked)."""

    def __init__(self, history: History) -> None:
        self.history = history

    @classmethod
    def open(cls, home: Path) -> StoryBank:
        # History.open creates the home and migrates the schema, so the stories table exists.
        return cls(History.open(home))

    def close(self) -> None:
        self.history.close()

    def __enter__(self) -> StoryBank:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing

    def add(self, story: Story) -> Story:
        """Keep a new story (completed: title, skills, quantified result); return it with its id."""
        story = complete(story)
        _check_sizes(story)
        if story.source_attempt_id is not None:
            self.history.get(story.source_attempt_id)  # a clear error for a missing attempt
        return self.history.add_story(story)

    def update(self, story_id: int | str, **changes: Any) -> Story:
        """Change some fields; a changed result finds its quantified sentence again unless given."""
        unknown = sorted(set(changes) - _EDITABLE)
        if unknown:
            raise InputError(f'Cannot edit "{unknown[0]}" of a story.')
        old = self.get(story_id)
        if "skills" in changes:
            changes["skills"] = normalise_skills(changes["skills"])
        if "title" in changes and not str(changes["title"]).strip():
            raise InputError("The title is empty; give the story a short title.")
        new = replace(old, **changes)
        if ("result" in changes or "actions" in changes) and "quantified_result" not in changes:
            new = replace(new, quantified_result=find_quantified_result(new))
        _check_sizes(new)
        return self.history.update_story(new)

    def delete(self, story_id: int | str) -> Story:
        """Remove a story (its rehearsals stay in the history); return what was removed."""
        story = self.get(story_id)
        assert story.id is not None  # a kept story
        self.history.delete_story(story.id)
        return story

    # -- reading

    def get(self, story_id: int | str) -> Story:
        return self.history.story(_story_number(story_id))

    def stories(self) -> list[Story]:
        """Every story, oldest first (ids are stable numbers users refer to)."""
        return self.history.stories()

    def record(self, story_id: int, source_attempt_id: int | None = None) -> PracticeRecord:
        return self.history.story_record(story_id, source_attempt_id)


def _story_number(story_id: int | str) -> int:
    return record_number(story_id, "a story", "run `practice stories list`.")


def _check_sizes(story: Story) -> None:
    for name in ("title", *PARTS):
        if len(getattr(story, name)) > MAX_FIELD_CHARS:
            raise InputError(
                f"The story's {name} is over {MAX_FIELD_CHARS} characters; shorten it."
            )
