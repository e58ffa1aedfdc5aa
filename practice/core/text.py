"""English words: tokens, lemmas, stems, stop words, hedges and fillers, in one place.

Every judgment reads words through these functions and lists, so a rule in `structure` and a
count in `pacing` agree on what a hedge is, and a story and a job posting are stemmed alike:
`tokens` and `words` (as written), `normalize` (a transcript word), `lemma`, `is_past_form`,
`past_tense`, `stem`, `is_stop`, `is_filled_pause`, `hedge_spans`, `names_a_kind`, and the lists
they read (IRREGULAR_VERBS, STOP_WORDS, HEDGES, DOUBT_MARKERS, FILLED_PAUSES, DISCOURSE_FILLERS).

The rules are light (a table of irregular verbs, suffix stripping, word lists): a parser
(spaCy's en_core_web_sm, a later issue) is meant to plug in behind the same functions, whose
names follow its `Token` attributes (`lemma_`, `is_stop`). Standard library only: the speech
layer imports it on the live path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# -- terminal output -----------------------------------------------------------------------------

# Escape sequences a terminal acts on (colours, cursor moves, window titles, hyperlinks: CSI, OSC
# and the other ESC forms), then any control character left: C0 but newline and tab, DEL, C1.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: ESC [ params final
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"  # any other ESC sequence (or a lone ESC)
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` safe to print on a terminal: escape sequences and control characters from user
    text (a posting, a note, a transcript) removed, newlines and tabs kept."""
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


# The one way text views break lines (history, progress, review, feedback, stories, prep,
# questions, outcomes, diagnose, plan, notes): between words, never inside one.
NBSP = "\u00a0"  # a space no line breaks at: `glue` puts it inside what must stay on one line


def glue(text: str) -> str:
    """`text` with its spaces made unbreakable, so `wrap` keeps it on one line ("140 wpm",
    "[pause 2.5s]"); `wrap` gives the spaces back."""
    return text.replace(" ", NBSP)


def wrap(text: str, width: int, *, indent: str = "", hang: str | None = None) -> list[str]:
    """`text` wrapped between words to `width` columns, the first line after `indent`, the rest
    after `hang` (default: the same indent). A word longer than a line (a path, an address)
    stays whole on a line of its own; so does a glued phrase. Line breaks in `text` are
    spaces: wrap each paragraph on its own."""
    import textwrap

    lines = textwrap.wrap(
        text,
        width,
        initial_indent=indent,
        subsequent_indent=indent if hang is None else hang,
        break_long_words=False,
        break_on_hyphens=False,  # "success-story", "feedback-request" stay whole
    ) or [indent.rstrip()]
    return [line.replace(NBSP, " ") for line in lines]


# A line's indent and its list marker ("- ", "+ ", "• ", "3. ", "[ ] ", "[GAP] "): `fit` hangs
# the rest of a long line under the text after them.
_LEAD = re.compile(r"^(\s*)((?:[-+*•]|\d+\.|\[[^\]\s]{0,5}\s?\])\s+)?")


def fit(text: str, width: int) -> str:
    """Already laid-out text (lines, indents, lists) fitted to `width` columns: each line
    longer than that is wrapped between words (`wrap`), its continuation under its own text."""
    out: list[str] = []
    for line in text.splitlines():
        if len(line) <= width:
            out.append(line)
            continue
        m = _LEAD.match(line)
        assert m is not None  # every group is optional
        lead = m.group(0)
        # A lead wider than half the line would leave the rest a column of single words.
        hang = " " * len(lead) if len(lead) <= width // 2 else "  "
        wrapped = wrap(line[len(lead) :], width, indent=lead, hang=hang)
        # A prompt's trailing space stays, so the answer is not typed against the colon.
        wrapped[-1] += line[len(line.rstrip()) :]
        out += wrapped
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


# -- script -------------------------------------------------------------------------------------

# Above this share of letters outside the Latin script, a typed answer is in another language
# (Hebrew, Russian, Chinese...). An English answer naming a company or a word in another script
# stays far below it; a Latin-script language (French, Spanish) is not caught by this check.
FOREIGN_SCRIPT_SHARE = 0.2


def foreign_script_share(text: str) -> float:
    """The share (0-1) of the letters in `text` that are not Latin; 0 when there are none."""
    import unicodedata

    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    foreign = sum(1 for c in letters if not unicodedata.name(c, "").startswith("LATIN "))
    return foreign / len(letters)


# -- tokens --------------------------------------------------------------------------------------

# A word, a number or a name: apostrophes, hyphens and dots inside a word stay ("don't",
# "follow-up", "node.js"), a number keeps its currency sign, separators and percent ("$1,500",
# "2.5", "40%"), a tool keeps + and # ("c++", "c#").
_TOKEN = re.compile(r"[a-z0-9$€£+#]+(?:(?:['.\-]|,(?=\d))[a-z0-9$€£+#]+)*%?")
_CURLY_APOSTROPHE = "\u2019"


def tokens(text: str) -> list[str]:
    """Lower-case word and number tokens of `text`, punctuation around them dropped.

    "Don't cut it by 40%, I said." -> ["don't", "cut", "it", "by", "40%", "i", "said"]
    """
    return _TOKEN.findall(text.lower().replace(_CURLY_APOSTROPHE, "'"))


# A word as written, case kept, where a capital or a sign marks a name: a letter first, then
# letters, digits and + # . ' - inside ("C++", "Node.js", "KPIs", "non-technical").
WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#.'\u2019\-]*[A-Za-z0-9+#]|[A-Za-z]")


def words(text: str) -> list[str]:
    """The words of `text` as written (see WORD), curly apostrophes made straight."""
    return WORD.findall(text.replace(_CURLY_APOSTROPHE, "'"))


def normalize(word: str) -> str:
    """A transcript word for matching: lower case, punctuation around it dropped ("Um," -> "um")."""
    return re.sub(r"^[^\w']+|[^\w']+$", "", word.lower())


# -- fillers -------------------------------------------------------------------------------------

# Filled pauses, as the JSON's `filler_count` counts them (um, uh, er, erm, ah, hmm, mm: what
# the verbatim clips in shared/speech count), with the other spellings Whisper writes for them.
FILLED_PAUSES = frozenset(
    {"um", "umm", "uhm", "uh", "uhh", "er", "erm", "ah", "ahh", "hmm", "hm", "mm", "mmm"}
)
# Discourse fillers, the JSON's `discourse_filler_count`: counted only where used as fillers
# ("I like it" is no filler), which judgment/pacing decides from the words around them.
DISCOURSE_FILLERS = (
    "you know", "i mean", "sort of", "kind of", "like", "basically", "actually", "literally",
)  # fmt: skip


def is_filled_pause(word: str) -> bool:
    """Whether a transcript word is a filled pause ("Um," is; "umbrella" is not)."""
    return normalize(word) in FILLED_PAUSES


# -- hedges --------------------------------------------------------------------------------------

# Hedges, as the JSON's `hedge_count` counts them: I think, I guess, maybe, probably, sort of,
# kind of, just, I'm not sure, hopefully; "I am not sure" is "I'm not sure" unabridged. A phrase
# is matched whole, in this order (a longer phrase before any that starts it).
HEDGES = (
    "i'm not sure", "i am not sure", "i think", "i guess", "maybe", "probably", "sort of",
    "kind of", "just", "hopefully",
)  # fmt: skip
# Words that put a statement in doubt, so that it claims no firm step or result (judgment/
# structure: "I think I fixed it" is no action). The hedges without "just", which plays a step
# down but still claims it ("I just rewrote the query"), with the modal and epistemic words a
# speaker uses for what may not have happened.
DOUBT_MARKERS = tuple(h for h in HEDGES if h != "just") + (
    "i suppose", "i believe", "perhaps", "might",
)  # fmt: skip

# "kind of" and "sort of" after these name a kind ("what kind of team", "the best sort of plan"):
# a noun phrase, neither hedge nor filler.
_KIND_DETERMINERS = frozenset(
    "what this that the a any some which every these those all same different one".split()
)


def names_a_kind(words: Sequence[str], i: int) -> bool:
    """Whether "kind of"/"sort of" at `words[i]` names a kind rather than hedging.

    `words` are normalized (see `normalize`); a determiner within the two words before decides.
    """
    return any(w in _KIND_DETERMINERS for w in words[max(0, i - 2) : i])


def hedge_spans(words: Sequence[str]) -> list[tuple[int, int, str]]:
    """(first, last + 1, phrase) of each hedge in normalized `words`, in order, not overlapping."""
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        step = 1
        for phrase in HEDGES:
            parts = phrase.split()
            if list(words[i : i + len(parts)]) == parts:
                if parts[-1] == "of" and names_a_kind(words, i):
                    continue
                spans.append((i, i + len(parts), phrase))
                step = len(parts)
                break
        i += step
    return spans


# -- verbs ---------------------------------------------------------------------------------------

# Irregular verbs of work stories and job postings: the base form, then its past forms (simple
# past and past participle) where they differ from it, after the standard English irregular-verb
# lists. A verb whose forms are all one ("cut") lists the base as its past form; a participle that
# reads as the present ("become", "run") is left out, since without a parser "to become" would
# look past. Regular verbs take -ed (`is_past_form`).
IRREGULAR_VERBS: dict[str, tuple[str, ...]] = {
    base: tuple(forms)
    for base, *forms in (
        entry.split()
        for entry in """
        be was were been; become became; begin began begun; break broke broken; bring brought;
        build built; buy bought; catch caught; choose chose chosen; come came; cut cut;
        deal dealt; dig dug; do did done; draw drew; drive drove driven; eat ate eaten;
        fall fell fallen; feed fed; feel felt; fight fought; find found; flee fled;
        fly flew flown; forbid forbade; forget forgot forgotten; forgive forgave; freeze froze;
        get got gotten; give gave given; go went gone; grow grew grown; hang hung; have had;
        hear heard; hide hid hidden; hit hit; hold held; keep kept; know knew known; lay laid;
        lead led; leave left; lend lent; let let; light lit; lose lost; make made; mean meant;
        meet met; mistake mistook; overcome overcame; oversee oversaw overseen; pay paid;
        put put; rebuild rebuilt; redo redid; rewrite rewrote rewritten; rise rose risen;
        run ran; say said; see saw seen; seek sought; sell sold; send sent; set set;
        shake shook shaken; shoot shot; show shown; shut shut; sit sat; sleep slept;
        speak spoke spoken; spend spent; spread spread; stand stood; steal stole stolen;
        stick stuck; strike struck; swear swore; sweep swept; take took taken; teach taught;
        tear tore; tell told; think thought; throw threw thrown; undertake undertook undertaken;
        understand understood; uphold upheld; wear wore worn; win won; withdraw withdrew;
        write wrote written
        """.split(";")
    )
}
_LEMMA = {form: base for base, forms in IRREGULAR_VERBS.items() for form in forms}
PAST_FORMS = frozenset(_LEMMA)  # every irregular past tense and past participle above
_SIMPLE_PAST = {base: forms[0] for base, forms in IRREGULAR_VERBS.items()}
# Regular verbs in -ee, whose past ends in -eed like the non-verbs "need", "speed" and "indeed".
_EE_VERB_PASTS = frozenset("agreed disagreed freed guaranteed decreed refereed".split())
_NOT_VERBS_IN_ED = frozenset({"hundred", "shed"})  # -ed words that are no past form


def lemma(word: str) -> str:
    """A word's dictionary form as a verb: "led" -> "lead", "written" -> "write"; any other
    word lower-cased as it is (regular inflections are `stem`'s work)."""
    w = word.lower()
    return _LEMMA.get(w, w)


def is_past_form(word: str) -> bool:
    """A past tense or past participle by its form: irregular ("rewrote", "cut"), or a regular
    -ed ("planned", "agreed"), not "need" or "hundred". `word` lower case."""
    if word in PAST_FORMS or word in _EE_VERB_PASTS:
        return True
    return (
        len(word) > 3
        and word.endswith("ed")
        and not word.endswith("eed")
        and word not in _NOT_VERBS_IN_ED
    )


def past_tense(verb: str) -> str:
    """The simple past of a verb in its base or -ing form: "deal" and "dealing" -> "dealt",
    "handling" -> "handled", "plan" -> "planed" (a base form's doubled consonant is not guessed;
    the -ing form shows it: "planning" -> "planned")."""
    w = verb.lower()
    if w in _SIMPLE_PAST:
        return _SIMPLE_PAST[w]
    if w.endswith("ing") and len(w) > 4:
        root = w[:-3]
        undoubled = root[:-1] if root[-1] == root[-2] else root
        for base in (root, root + "e", undoubled):
            if base in _SIMPLE_PAST:
                return _SIMPLE_PAST[base]
        return root + "ed"  # the -ing form already spells what -ed needs: handl-ed, plann-ed
    if w.endswith("e"):
        return w + "d"
    if len(w) > 2 and w.endswith("y") and w[-2] not in "aeiou":
        return w[:-1] + "ied"
    return w + "ed"


# -- stems ---------------------------------------------------------------------------------------

# Past forms more often read as other words ("turn left", "a saw", "felt", "a shot"): the stemmer
# leaves them be, so that a story's "I left" does not meet a posting's "annual leave".
_NOT_VERBS_OFTEN = frozenset("left saw felt lit shot fed drew".split())
_KEEP_WHOLE = re.compile(r"[\d+#.]")  # a number or a name ("3d", "c++", "c#", "node.js")


def stem(word: str) -> str:
    """A word's forms brought together by light suffix stripping, for matching words across
    texts: "mentored", "mentoring" and "mentors" -> "mentor"; "grew" and "growing" -> "grow".

    A possessive 's goes and an irregular verb form goes to its base (`lemma`); then a plural or
    third-person -s, an -ing or -ed, a final e and a doubled last consonant come off ("planned"
    -> "plan", "manage" -> "manag"). The stem is a key, not a word.
    """
    w = word.lower().replace(_CURLY_APOSTROPHE, "'").strip("'")
    if w.endswith("'s"):
        w = w[:-2]  # the possessive: "patient's" meets "patient"
    if w not in _NOT_VERBS_OFTEN:
        w = lemma(w)
    if len(w) <= 3 or _KEEP_WHOLE.search(w):
        return w
    if w.endswith("ies") and len(w) > 5:
        w = w[:-3] + "y"  # "policies" -> "policy"
    elif w.endswith(("sses", "xes", "zes", "ches", "shes")):
        w = w[:-2]  # "-es" after a hiss: "processes", "boxes"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]  # "rates", "manages": the "e" belongs to the word
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            if suffix == "ed" and w.endswith("eed") and w not in _EE_VERB_PASTS:
                break  # "need", "speed", "proceed": the "-eed" is the word's own
            w = w[: -len(suffix)]
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]  # "manage" meets "managed" and "managing" at "manag"
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]  # "planned" -> "plann" -> "plan", "running" -> "runn" -> "run"
    return w


# -- stop words ----------------------------------------------------------------------------------

# English function words (pronouns, determiners, prepositions, conjunctions, auxiliaries and their
# contractions), after NLTK's English stop-word list: they carry no topic, so matching a story
# with a question or a posting leaves them out.
STOP_WORDS = frozenset(
    """a about above across after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each either
    etc every few for from further had has have having he her here hers herself him himself his
    how i if in into is it its itself just may me might more most must my myself no nor not of
    off on once only or other our ours ourselves out over own per plus same she should so some
    such than that the their theirs them themselves then there these they this those through to
    too under until up upon us very via was we were what when where which while who whom why
    will with within without would you your yours yourself yourselves
    i'm i've i'd i'll you're you've you'd you'll he's she's it's we're we've we'd we'll they're
    they've they'd they'll that's there's what's who's who'll let's don't doesn't didn't isn't
    aren't wasn't weren't can't couldn't won't wouldn't shouldn't haven't hasn't hadn't""".split()
)
# Counting and calendar words: every story is dated and every posting counts years, so they say
# nothing of a topic either (stories and job terms leave them out with the stop words).
COUNT_AND_TIME_WORDS = frozenset(
    """one two three four five six seven eight nine ten first day days week weeks month months
    year years time""".split()
)


def is_stop(word: str) -> bool:
    """Whether `word` is an English function word ("the", "we've"): no topic of its own."""
    return word.lower().replace(_CURLY_APOSTROPHE, "'") in STOP_WORDS
