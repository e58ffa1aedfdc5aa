"""The fitted judgment: small linear models over an answer's features, read from models/.

`scripts/fit_judgment.py` fits every model here on the labelled corpus (tests/data/corpus, the
blind sites left out) and writes `models/judgment.json` (weights, readable) and
`models/judgment-reference.npz` (the embeddings of the corpus answers the relevance model compares
with). Both are checked against the sha256 in models/catalogue.toml before use. Each model is a
logistic regression on standardised features; the feature rows are built here, by the same
functions at fitting and at judging time.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from practice.core.errors import ModelError
from practice.judgment.features import AnswerFeatures

if TYPE_CHECKING:
    import numpy as np

STAR_PARTS: tuple[str, ...] = ("situation", "task", "action", "result")
SENTENCE_CLASSES: tuple[str, ...] = (*STAR_PARTS, "other")
CATEGORIES: tuple[str, ...] = ("success-story", "fit", "background", "red-flag", "closing")
WEIGHTS_FILE = "judgment.json"
REFERENCE_FILE = "judgment-reference.npz"
PARSED_WEIGHT = 3.0  # the named parser facts count three times an embedding dimension
NEIGHBOUR_WEIGHT = 0.5  # the sentences before and after, as context for a sentence's part
QUESTION_SHARPNESS = 20.0  # softmax over question cosines: answers to the likest questions count
NEAREST_ANSWERS = 3  # the answer's closest reference answers, to any question
FORM_FLOOR = 1e-3  # keeps log P(category | form) finite for an answer of an unlikely form

# The answer-level features the quality model reads, by name: each has a weight a person can
# read; the content score's reasons and tips come from the findings in judgment/scoring.
QUALITY_FEATURES: tuple[str, ...] = (
    "situation",
    "task",
    "action",
    "result",
    "result_quantified",
    "ownership",
    "specificity",
    "relevance",
    "self_interest",
    "value",
    "negativity",
    "defensive",
    "hedges_per_sentence",
    "fillers_per_sentence",
    "sentences_log",
    "words_log",  # one long sentence and one short one are both one sentence
    *(f"category={c}" for c in CATEGORIES),
)


@dataclass(frozen=True)
class Linear:
    """A fitted logistic regression: features standardised by (mean, scale), then one row of
    `coef` per class (one row for a yes/no model, whose class 1 is `classes[1]`)."""

    classes: tuple[Any, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (rows, features)
    intercept: np.ndarray  # (rows,)

    def standardised(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) / self.scale

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """(n, len(classes)) class probabilities for the rows of `x` (n, features)."""
        import numpy as np

        z = self.standardised(np.atleast_2d(x)) @ self.coef.T + self.intercept
        if len(self.classes) == 2:
            p = 1.0 / (1.0 + np.exp(-z[:, :1]))
            return np.hstack([1.0 - p, p])
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "classes": list(self.classes),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "coef": [[round(float(v), 6) for v in row] for row in self.coef],
            "intercept": [round(float(v), 6) for v in self.intercept],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Linear:
        import numpy as np

        return cls(
            tuple(d["classes"]),
            np.array(d["mean"], dtype=np.float64),
            np.array(d["scale"], dtype=np.float64),
            np.array(d["coef"], dtype=np.float64),
            np.array(d["intercept"], dtype=np.float64),
        )


@dataclass(frozen=True)
class Reference:
    """The corpus answers the relevance model compares with: their mean sentence embeddings,
    their questions' embeddings, and the site each came from (so fitting can leave a site out)."""

    answers: np.ndarray  # (n, 384) unit vectors
    questions: np.ndarray  # (n, 384) unit vectors
    sites: tuple[str, ...]


@dataclass(frozen=True)
class Models:
    sentence: Linear
    thresholds: dict[str, float]  # a STAR part is told when one sentence's probability passes
    value: Linear  # classes -1, 0, 1
    red_flag: Linear  # classes "constructive", "defensive"
    negativity: Linear  # classes 0, 1
    specificity: Linear  # classes 0, 1, 2
    form: Linear  # classes CATEGORIES: which kind of question the answer reads as answering
    relevance: Linear  # classes 0, 1
    quality: Linear  # classes "weak", "strong"
    reference: Reference
    fitted_on: dict[str, Any]


# -- feature rows: the same at fitting and judging time -------------------------------------------


def sentence_rows(f: AnswerFeatures) -> np.ndarray:
    """One row per sentence: its parser facts, its embedding, and its neighbours' embeddings."""
    import numpy as np

    n = len(f.sentences)
    zero = np.zeros((1, f.vectors.shape[1]), dtype=np.float32)
    before = np.vstack([zero, f.vectors[:-1]]) if n else f.vectors
    after = np.vstack([f.vectors[1:], zero]) if n else f.vectors
    return np.hstack(
        [f.parsed, f.vectors, NEIGHBOUR_WEIGHT * before, NEIGHBOUR_WEIGHT * after]
    ).astype(np.float64)


def mean_vector(f: AnswerFeatures) -> np.ndarray:
    import numpy as np

    v = f.vectors.mean(axis=0).astype(np.float64)
    return v / max(float(np.linalg.norm(v)), 1e-9)


def answer_row(f: AnswerFeatures, category: str | None) -> np.ndarray:
    """The whole answer: mean parser facts, its length, its category, its mean embedding."""
    import numpy as np

    n = len(f.sentences)
    kind = [float(category == c) for c in CATEGORIES]
    head = [*f.parsed.mean(axis=0).tolist(), float(n), float(np.log1p(n)), *kind]
    return np.concatenate([np.array(head), mean_vector(f)])


def form_row(f: AnswerFeatures) -> np.ndarray:
    """The answer without its category: what the form model reads to say which kind of
    question (story, fit, background, red flag, closing) the answer is shaped to answer."""
    import numpy as np

    head = [*f.parsed.mean(axis=0).tolist(), float(np.log1p(len(f.sentences)))]
    return np.concatenate([np.array(head), mean_vector(f)])


def form_fit(form: Linear, f: AnswerFeatures, category: str | None) -> float:
    """log P(the asked category | the answer's form): a story given to "why do you want this
    job?" reads as a story, and says so here. With no category asked, the likeliest one."""
    import numpy as np

    p = form.probabilities(form_row(f))[0]
    if category in form.classes:
        return float(np.log(p[list(form.classes).index(category)] + FORM_FLOOR))
    return float(np.log(p.max() + FORM_FLOOR))


def relevance_row(
    answer: np.ndarray,
    sentences: np.ndarray,
    question: np.ndarray,
    reference: Reference,
    form_fit: float,
    overlap: float,
    leave_out_site: str | None = None,
) -> np.ndarray:
    """How close the answer is to the question itself; how like the answers given to questions
    like this one it is, against how like answers to any question; how well its form fits the
    kind of question asked (`form_fit`); what share of the question's own topic words the answer
    uses (`overlap`, features.question_overlap). Every term exists for any question, asked before or
    not (a term that exists only for questions the corpus asked would teach the model that new
    questions go unanswered)."""
    import numpy as np

    keep = np.ones(len(reference.sites), dtype=bool)
    if leave_out_site is not None:
        keep = np.array([s != leave_out_site for s in reference.sites])
    asked = reference.questions[keep] @ question
    alike = reference.answers[keep] @ answer
    weights = np.exp(QUESTION_SHARPNESS * (asked - asked.max()))
    weights /= weights.sum()
    like_these = float(weights @ alike)
    like_any = float(np.sort(alike)[-NEAREST_ANSWERS:].mean())
    return np.array(
        [
            float(question @ answer),
            float((sentences @ question).max()) if len(sentences) else 0.0,
            like_these - like_any,
            form_fit,
            overlap,
        ]
    )


# -- loading ---------------------------------------------------------------------------------------

_lock = threading.Lock()
_models: Models | None = None


def models_dir() -> Path:
    """models/ of a source checkout, else the copy shipped inside the package."""
    here = Path(__file__).parents[2] / "models"
    if (here / WEIGHTS_FILE).is_file():
        return here
    from importlib import resources

    return Path(str(resources.files("practice.catalogue")))


def load() -> Models:
    """The fitted models, checked against the catalogue's sha256; once per process."""
    global _models
    with _lock:
        if _models is None:
            _models = _read(models_dir())
        return _models


def _checked(path: Path) -> Path:
    from practice.speech.models import catalogue_data, sha256_file

    want = {f["name"]: f["sha256"] for f in catalogue_data().get("fitted", [])}
    if path.name not in want:
        raise ModelError(f"models/catalogue.toml lists no sha256 for {path.name}.")
    if not path.is_file():
        raise ModelError(f"{path} is missing; remake it with: python scripts/fit_judgment.py")
    got = sha256_file(path)
    if got != want[path.name]:
        raise ModelError(
            f"{path} does not match its sha256 in models/catalogue.toml (got {got[:12]}...); "
            "remake it with: python scripts/fit_judgment.py"
        )
    return path


def _read(directory: Path) -> Models:
    import numpy as np

    try:
        doc = json.loads(_checked(directory / WEIGHTS_FILE).read_text("utf-8"))
        with np.load(_checked(directory / REFERENCE_FILE)) as ref:
            reference = Reference(
                ref["answers"].astype(np.float64),
                ref["questions"].astype(np.float64),
                tuple(str(s) for s in ref["sites"]),
            )
        m = doc["models"]
        return Models(
            sentence=Linear.from_dict(m["sentence"]),
            thresholds={k: float(v) for k, v in doc["thresholds"].items()},
            value=Linear.from_dict(m["value"]),
            red_flag=Linear.from_dict(m["red_flag"]),
            negativity=Linear.from_dict(m["negativity"]),
            specificity=Linear.from_dict(m["specificity"]),
            form=Linear.from_dict(m["form"]),
            relevance=Linear.from_dict(m["relevance"]),
            quality=Linear.from_dict(m["quality"]),
            reference=reference,
            fitted_on=doc.get("fitted_on", {}),
        )
    except (OSError, ValueError, KeyError) as err:
        raise ModelError(
            f"Could not read the judgment's models in {directory}: {err}; remake them with: "
            "python scripts/fit_judgment.py"
        ) from err
