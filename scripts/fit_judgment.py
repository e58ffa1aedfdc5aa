"""Fit the judgment's models on the labelled corpus and write them to models/.

    .venv/bin/python scripts/fit_judgment.py [--folds 5] [--dry-run]

Reads tests/data/corpus (the answers of the blind sites in split.txt are never read here), parses
and embeds every answer with the product's own feature code, cross-validates each model with
whole sites held out (GroupKFold), prints the cross-validated figures, then fits on all the
non-blind answers and writes models/judgment.json, models/judgment-reference.npz and their sha256
into models/catalogue.toml. The blind figures come from `scripts/eval_scoring.py --corpus`, which
judges the held-out answers through the product.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from practice.judgment import fitted  # noqa: E402
from practice.judgment.features import (  # noqa: E402
    SENTENCE_FEATURES,
    AnswerFeatures,
    question_overlap,
    subset,
)

CORPUS = ROOT / "tests" / "data" / "corpus"
MODELS = ROOT / "models"
SEED = 7
# Regularisation (inverse strength) per model, chosen by the cross-validation below; the
# corpus is small, so the embedding-heavy models are regularised hard.
C = {
    "sentence": 0.05,
    "value": 0.05,
    "red_flag": 0.05,
    "negativity": 0.05,
    "specificity": 0.05,
    "form": 0.05,
    "relevance": 1.0,
    "quality": 0.3,
}
NEGATIVES_PER_ANSWER = 2  # the answer paired with questions it does not answer
UNRELATED_QUESTION = 0.6  # questions further apart than this make a negative pair
RELEVANCE_FLAGGED = 0.05  # share of real answers that may be told they miss the question
RELEVANCE_COSTS = 0.25  # share of real answers whose relevance may cost a point or more


def load_answers() -> list[dict[str, Any]]:
    from practice.judgment.evaluation import corpus_answers

    return corpus_answers(CORPUS, blind=False)


def featurise(answers: list[dict[str, Any]]) -> list[AnswerFeatures]:
    """Every answer's features, kept in .cache/ while the corpus and the feature code are the
    same (parsing and embedding take minutes; the models fit in seconds)."""
    import pickle

    from practice.judgment import cues, embed, features, parse

    code = b"".join(Path(m.__file__ or "").read_bytes() for m in (features, parse, embed, cues))
    code += cues.CUES_FILE.read_bytes()
    key = hashlib.sha256(json.dumps(answers, sort_keys=True).encode() + code).hexdigest()[:16]
    cache = ROOT / ".cache" / f"fit_judgment-{key}.pickle"
    if cache.is_file():
        with open(cache, "rb") as f:
            cached: list[AnswerFeatures] = pickle.load(f)
        return cached
    out = _featurise(answers)
    cache.parent.mkdir(exist_ok=True)
    with open(cache, "wb") as f:
        pickle.dump(out, f)
    return out


def _featurise(answers: list[dict[str, Any]]) -> list[AnswerFeatures]:
    from practice.judgment.features import answer_features

    out = []
    started = time.monotonic()
    for n, a in enumerate(answers, 1):
        out.append(answer_features([s["text"] for s in a["sentences"]], question=a["question"]))
        if n % 50 == 0:
            print(
                f"  features: {n}/{len(answers)} ({time.monotonic() - started:.0f} s)", flush=True
            )
    return out


def fit_linear(x: np.ndarray, y: list[Any], c: float, *, parsed_columns: int = 0) -> fitted.Linear:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    scale[:parsed_columns] /= fitted.PARSED_WEIGHT
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    model.fit((x - mean) / scale, y)
    classes = tuple(v.item() if hasattr(v, "item") else v for v in model.classes_)
    return fitted.Linear(classes, mean, scale, model.coef_, model.intercept_)


def predict(model: fitted.Linear, x: np.ndarray) -> list[Any]:
    p = model.probabilities(x)
    return [model.classes[i] for i in p.argmax(axis=1)]


def folds(sites: list[str], k: int) -> list[np.ndarray]:
    from sklearn.model_selection import GroupKFold

    index = np.arange(len(sites))
    return [test for _, test in GroupKFold(k).split(index, groups=sites)]


def f1(truth: list[bool], guess: list[bool]) -> float:
    tp = sum(t and g for t, g in zip(truth, guess, strict=True))
    fp = sum(g and not t for t, g in zip(truth, guess, strict=True))
    fn = sum(t and not g for t, g in zip(truth, guess, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


class Fitting:
    """Every model, fitted on a subset of the answers (a training fold or all of them)."""

    def __init__(self, answers: list[dict[str, Any]], feats: list[AnswerFeatures]) -> None:
        self.answers = answers
        self.feats = feats
        self.sentence_x = [fitted.sentence_rows(f) for f in feats]
        self.answer_x = np.array(
            [fitted.answer_row(f, a["category"]) for a, f in zip(answers, feats, strict=True)]
        )
        self.sites = [a["source"]["site"] for a in answers]
        self.form_x = np.array([fitted.form_row(f) for f in feats])
        self.form_out_of_fold: dict[int, np.ndarray] = {}

    def fit(self, rows: np.ndarray) -> dict[str, Any]:
        a = [self.answers[i] for i in rows]
        parsed = len(SENTENCE_FEATURES)
        sx = [self.sentence_x[i] for i in rows]
        sy = [s["label"] for i in rows for s in self.answers[i]["sentences"]]
        # Each story also told without its result: in the corpus the last sentence is nearly
        # always the result, and without these copies the model learned "last" rather than
        # "outcome" (a story that stops at its actions was read as complete half the time).
        for i in rows:
            labels = [s["label"] for s in self.answers[i]["sentences"]]
            keep = [k for k, label in enumerate(labels) if label != "result"]
            if len(keep) < len(labels) and len(keep) >= 2:
                sx.append(fitted.sentence_rows(subset(self.feats[i], keep)))
                sy += [labels[k] for k in keep]
        m: dict[str, Any] = {
            "sentence": fit_linear(np.vstack(sx), sy, C["sentence"], parsed_columns=parsed)
        }
        ax = self.answer_x[rows]
        lab = [x["labels"] for x in a]
        m["value"] = fit_linear(ax, [x["value_orientation"] for x in lab], C["value"])
        flags = [i for i, x in enumerate(a) if x["labels"]["red_flag_handling"] is not None]
        m["red_flag"] = fit_linear(
            ax[flags], [lab[i]["red_flag_handling"] for i in flags], C["red_flag"]
        )
        m["negativity"] = fit_linear(ax, [int(x["negativity"]) for x in lab], C["negativity"])
        m["specificity"] = fit_linear(ax, [x["specificity"] for x in lab], C["specificity"])
        vectors = np.array([fitted.mean_vector(self.feats[i]) for i in rows])
        m["thresholds"] = self.thresholds(rows, m["sentence"])
        m["reference"] = fitted.Reference(
            vectors,
            np.array([self.feats[i].question for i in rows]),
            tuple(self.sites[i] for i in rows),
        )
        categories = [x["category"] for x in a]
        m["form"] = fit_linear(self.form_x[rows], categories, C["form"])
        # The relevance model learns from form probabilities of answers the form model has not
        # seen, as a new answer's will be: fitted on them, the form looks surer than it is.
        self.form_out_of_fold = self.form_probabilities_out_of_fold(rows, categories)
        rx, ry = self.relevance_pairs(rows, m)
        m["relevance"] = fit_linear(rx, ry, C["relevance"])
        self.form_out_of_fold = {}
        qrows = [i for i in rows if self.answers[i]["quality"] is not None]
        qx = np.array([self.quality_row(i, m) for i in qrows])
        m["quality"] = fit_linear(qx, [self.answers[i]["quality"] for i in qrows], C["quality"])
        return m

    def thresholds(self, rows: np.ndarray, sentence: fitted.Linear) -> dict[str, float]:
        """For each STAR part, the sentence probability above which the answer tells it, chosen
        for the best F1 on these answers."""
        best = {}
        probs = [sentence.probabilities(self.sentence_x[i]) for i in rows]
        for part in fitted.STAR_PARTS:
            col = list(sentence.classes).index(part)
            truth = [bool(self.answers[i]["labels"][part]) for i in rows]
            scores = [float(p[:, col].max()) if len(p) else 0.0 for p in probs]
            grid = [t / 20 for t in range(4, 17)]
            best[part] = max(grid, key=lambda t: f1(truth, [s > t for s in scores]))
        return best

    def form_probabilities_out_of_fold(
        self, rows: np.ndarray, categories: list[str]
    ) -> dict[int, np.ndarray]:
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import GroupKFold, cross_val_predict

        x = self.form_x[rows]
        x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-6)
        model = LogisticRegression(C=C["form"], max_iter=5000, class_weight="balanced")
        groups = [self.sites[i] for i in rows]
        p = cross_val_predict(
            model, x, categories, groups=groups, cv=GroupKFold(5), method="predict_proba"
        )
        return {int(i): p[k] for k, i in enumerate(rows)}

    def relevance_pairs(self, rows: np.ndarray, m: dict[str, Any]) -> tuple[np.ndarray, list[int]]:
        import random

        rng = random.Random(SEED)
        x, y = [], []
        for i in rows:
            a, f = self.answers[i], self.feats[i]
            assert f.question is not None
            x.append(self.relevance_features(i, f.question, a["question"], a["category"], m))
            y.append(int(a["labels"]["answers_question"]))
            for n in range(NEGATIVES_PER_ANSWER):
                # Half the questions are of the answer's own category: told apart from those
                # by topic alone, they keep the model from leaning on the form of the answer.
                same = n < NEGATIVES_PER_ANSWER // 2
                for _attempt in range(200):
                    j = int(rng.choice(rows))
                    other = self.feats[j].question
                    assert other is not None
                    kind_ok = not same or self.answers[j]["category"] == a["category"]
                    if float(other @ f.question) < UNRELATED_QUESTION and kind_ok:
                        break
                other_answer = self.answers[j]
                x.append(
                    self.relevance_features(
                        i, other, other_answer["question"], other_answer["category"], m
                    )
                )
                y.append(0)
        return np.array(x), y

    def relevance_features(
        self, i: int, question: np.ndarray, asked: str, category: str, m: dict[str, Any]
    ) -> np.ndarray:
        vector = fitted.mean_vector(self.feats[i])
        form = m["form"]
        p = self.form_out_of_fold.get(int(i))
        if p is None:
            form_fit = fitted.form_fit(form, self.feats[i], category)
        else:  # classes in sorted order, as sklearn and fit_linear both keep them
            form_fit = float(np.log(p[list(form.classes).index(category)] + fitted.FORM_FLOOR))
        # the answer's own site is left out, as a new answer's is not in the reference
        overlap = question_overlap(asked, self.feats[i].sentences)
        return fitted.relevance_row(
            vector,
            self.feats[i].vectors,
            question,
            m["reference"],
            form_fit,
            overlap,
            leave_out_site=self.sites[i],
        )

    def quality_row(self, i: int, m: dict[str, Any]) -> np.ndarray:
        from practice.judgment.verdict import quality_features

        f = self.feats[i]
        probs = m["sentence"].probabilities(self.sentence_x[i])
        ax = self.answer_x[i]
        assert f.question is not None
        rel = m["relevance"].probabilities(
            self.relevance_features(
                i, f.question, self.answers[i]["question"], self.answers[i]["category"], m
            )
        )[0, 1]
        return quality_features(
            f,
            self.answers[i]["category"],
            sentence_probabilities=probs,
            sentence_classes=m["sentence"].classes,
            thresholds=m["thresholds"],
            value=m["value"].probabilities(ax)[0],
            red_flag=m["red_flag"].probabilities(ax)[0],
            negativity=float(m["negativity"].probabilities(ax)[0, 1]),
            specificity=m["specificity"].probabilities(ax)[0],
            relevance=float(rel),
        )


def cross_validate(fitting: Fitting, k: int) -> dict[str, Any]:
    """Each figure on answers whose whole site was outside the fitting."""
    truth: dict[str, list[Any]] = {}
    guess: dict[str, list[Any]] = {}

    def add(name: str, t: Any, g: Any) -> None:
        truth.setdefault(name, []).append(t)
        guess.setdefault(name, []).append(g)

    everything = np.arange(len(fitting.answers))
    relevant: dict[str, list[float]] = {}  # relevance of answers to their own question, by kind
    for test in folds(fitting.sites, k):
        train = np.setdiff1d(everything, test)
        m = fitting.fit(train)
        for i in test:
            a = fitting.answers[i]
            probs = m["sentence"].probabilities(fitting.sentence_x[i])
            labels = [m["sentence"].classes[j] for j in probs.argmax(axis=1)]
            for s, g in zip(a["sentences"], labels, strict=True):
                add("sentence", s["label"], g)
            for part in fitted.STAR_PARTS:
                col = list(m["sentence"].classes).index(part)
                told = bool(len(probs)) and float(probs[:, col].max()) > m["thresholds"][part]
                add(part, bool(a["labels"][part]), told)
            ax = fitting.answer_x[i]
            add("value", a["labels"]["value_orientation"], predict(m["value"], ax)[0])
            if a["labels"]["red_flag_handling"] is not None:
                add("red_flag", a["labels"]["red_flag_handling"], predict(m["red_flag"], ax)[0])
            add("negativity", int(a["labels"]["negativity"]), predict(m["negativity"], ax)[0])
            add("specificity", a["labels"]["specificity"], predict(m["specificity"], ax)[0])
            add("form", a["category"], predict(m["form"], fitting.form_x[i])[0])
            if a["quality"] is not None:
                add("quality", a["quality"], predict(m["quality"], fitting.quality_row(i, m))[0])
        rx, ry = fitting.relevance_pairs(test, m)
        for t, g in zip(ry, predict(m["relevance"], rx), strict=True):
            add("relevance", t, g)
        p = m["relevance"].probabilities(rx)[:, 1]
        # each answer's own question comes first among its rows (relevance_pairs)
        step = 1 + NEGATIVES_PER_ANSWER
        for i, v, t in zip(test, p[::step], ry[::step], strict=True):
            if t == 1:
                relevant.setdefault(fitting.answers[i]["category"], []).append(float(v))
    out: dict[str, Any] = {}
    for name in truth:
        if name in fitted.STAR_PARTS:
            out[f"{name} F1"] = round(f1(truth[name], guess[name]), 3)
        else:
            right = sum(t == g for t, g in zip(truth[name], guess[name], strict=True))
            out[f"{name} accuracy"] = round(right / len(truth[name]), 3)
        out[f"{name} n"] = len(truth[name])
    # Where real answers to their own question fall: under the floor an answer is said not to
    # answer the question (1 in 20 real ones is), from the quarter point it starts to cost. Each
    # kind of question has its own: a story answers "tell me about a time you..." far more
    # plainly than any answer matches "tell me about yourself", and one floor for both let a
    # story told to an unrelated question pass as answering it 4 times in 10.
    every = [v for values in relevant.values() for v in values]
    out["relevance floor"] = round(float(np.quantile(every, RELEVANCE_FLAGGED)), 3)
    out["relevance ok"] = round(float(np.quantile(every, RELEVANCE_COSTS)), 3)
    for category, values in sorted(relevant.items()):
        out[f"relevance floor {category}"] = round(float(np.quantile(values, RELEVANCE_FLAGGED)), 3)
        out[f"relevance ok {category}"] = round(float(np.quantile(values, RELEVANCE_COSTS)), 3)
    return out


def write(m: dict[str, Any], fitted_on: dict[str, Any]) -> dict[str, str]:
    names = ("sentence", "value", "red_flag", "negativity", "specificity", "form")
    doc = {
        "about": "Fitted by scripts/fit_judgment.py on tests/data/corpus (blind sites left out).",
        "features": {"sentence": list(SENTENCE_FEATURES), "quality": list(fitted.QUALITY_FEATURES)},
        "fitted_on": fitted_on,
        "thresholds": m["thresholds"],
        "models": {n: m[n].to_dict() for n in (*names, "relevance", "quality")},
    }
    weights = MODELS / fitted.WEIGHTS_FILE
    weights.write_text(json.dumps(doc, indent=1) + "\n")
    ref = m["reference"]
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        answers=ref.answers.astype(np.float16),
        questions=ref.questions.astype(np.float16),
        sites=np.array(ref.sites),
    )
    reference = MODELS / fitted.REFERENCE_FILE
    reference.write_bytes(buffer.getvalue())
    sums = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (weights, reference)}
    _update_catalogue(sums)
    return sums


def _update_catalogue(sums: dict[str, str]) -> None:
    path = MODELS / "catalogue.toml"
    text = path.read_text()
    text = re.sub(r"\n# -- fitted judgment.*", "", text, flags=re.S).rstrip() + "\n"
    block = [
        "",
        "# -- fitted judgment: written by scripts/fit_judgment.py, checked before every load",
    ]
    for name, digest in sums.items():
        block += ["[[fitted]]", f'name = "{name}"', f'sha256 = "{digest}"', ""]
    path.write_text(text + "\n".join(block))


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--folds", type=int, default=5, help="cross-validation folds (by site)")
    ap.add_argument("--dry-run", action="store_true", help="cross-validate only, write nothing")
    args = ap.parse_args()
    answers = load_answers()
    sites = {a["source"]["site"] for a in answers}
    print(f"{len(answers)} answers from {len(sites)} sites (blind sites left out)", flush=True)
    fitting = Fitting(answers, featurise(answers))
    print(f"cross-validated, {args.folds} folds by site:")
    figures = cross_validate(fitting, args.folds)
    for name, value in figures.items():
        print(f"  {name:<24} {value}")
    if args.dry_run:
        return 0
    m = fitting.fit(np.arange(len(answers)))
    for name, value in figures.items():
        if name.startswith(("relevance floor", "relevance ok")):
            # "relevance floor" -> relevance_floor, "relevance floor fit" -> relevance_floor:fit
            key, _, category = name.removeprefix("relevance ").partition(" ")
            m["thresholds"][f"relevance_{key}" + (f":{category}" if category else "")] = value
    fitted_on = {"answers": len(answers), "sites": len(sites), "cross_validated": figures}
    for name, digest in write(m, fitted_on).items():
        print(f"wrote models/{name}  sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
