"""The learned reason signal: immigration and health-care purpose the terms do not name.

The term classifier (``apps.compliance.classifier``) decides what its lists name. This
model reads the reasons the terms pass as ``none``, ``vague`` or ``sensitive_data`` and
proposes a label *for review*: a person decides, the model never opens a critical finding
on its own (``combine``).

Algorithm
---------
1. **Text**: the reason's words as the terms see them (``classifier.normalise``: accents
   dropped, lower case, acronyms collapsed, punctuation a separator), joined by spaces.
2. **Names**: a person's name says nothing of a search's purpose, yet character grams
   of names resemble the words of some labels (Spanish surnames and Spanish-language
   immigration reasons share endings). So each training reason gets ``NAME_COPIES``
   copies with a person's name put in (counterfactual augmentation): a name of
   ``corpora.NAMES`` (first names and surnames of many origins, in equal numbers) replaces
   each listed name the reason holds, or, if it holds none, a name is put at its start,
   after its first word or at its end, in one of several forms ("Maria Gonzalez",
   "Gonzalez Maria", "Gonzalez", "Maria"), in one copy of ``DOB_EVERY`` followed by an
   invented date of birth: personal data is the terms' finding (``sensitive_data``), not
   a purpose, and must not hide the purpose the model reads (``combine``). The names are
   dealt to each label in rounds (every name once per round, shuffled, with a fixed
   seed), so each name is as likely under every label and the copies are the same on
   every build.
3. **Features**: TF-IDF (sublinear term frequency, L2 norm) of word 1-2 grams and of
   character 2-5 grams inside each word (``char_wb``, so "imigrant" shares most of its
   grams with "immigrant"), one matrix side by side. Features seen in fewer than
   ``MIN_DF`` training reasons (copies included) are dropped.
4. **Model**: multinomial logistic regression over ``immigration``, ``health_care`` and
   ``other`` (every other label of the corpora), classes balanced.
5. **Thresholds**: the training corpora are scored by 5-fold cross-validation (each
   reason by a model that saw neither it nor its copies, which train with it); for each
   label, the lowest probability at which the reasons read as that label are at least
   ``TARGET_PRECISION`` right. A reason reads as the likelier of the two labels when its
   probability reaches that label's threshold, otherwise ``none``.
6. **Drivers**: for a reason read as a label, each feature's contribution to the label's
   score (TF-IDF value times coefficient); character grams are credited to the word they
   fall in (a gram occurring in several words is shared among them), so an auditor reads
   words and phrases of the reason as the officer wrote them, strongest first; function
   words alone ("for", "to") are not listed.

The fitted model ships as a gzipped JSON artifact (``ARTIFACT``), built by ``manage.py
build_reason_model`` from the corpora and names in ``apps.compliance.corpora``: no pickle (loading a
pickle runs code), no download at run time. Loading rebuilds the scikit-learn objects from
the stored vocabularies, IDF weights, coefficients and thresholds. The same corpora build
the same bytes (no timestamp, floats rounded), and the artifact records each corpus
file's and the names file's SHA-256 so an edit without a rebuild is caught by the tests.

scikit-learn, SciPy and NumPy are imported inside the functions that use them: the web
process and the term classifier do not pay for them until a reason is read.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import corpora
from .classifier import (
    FUNCTION_WORDS,
    HEALTH_CARE,
    IMMIGRATION,
    NONE,
    SENSITIVE_DATA,
    VAGUE,
    normalise,
)

IMMIGRATION_REVIEW = "immigration_review"
HEALTH_CARE_REVIEW = "health_care_review"
REVIEW_LABELS = {IMMIGRATION: IMMIGRATION_REVIEW, HEALTH_CARE: HEALTH_CARE_REVIEW}
#: The rules that find the searches of each review label (``apps.compliance.rulebook``);
#: their findings are always for review.
REVIEW_RULES = {
    "IMMIGRATION_REASON_REVIEW": IMMIGRATION_REVIEW,
    "HEALTH_CARE_REASON_REVIEW": HEALTH_CARE_REVIEW,
}
#: The term labels a reading may turn into a review label: all but a term's immigration or
#: health-care label (``combine``).
OPEN_TO_REVIEW = frozenset({NONE, VAGUE, SENSITIVE_DATA})
#: A reading's label as a page shows it.
LABEL_NAMES = {IMMIGRATION: "Immigration", HEALTH_CARE: "Health care", NONE: "Nothing"}

ARTIFACT = Path(__file__).resolve().parent / "artifacts" / "reason_model.json.gz"
#: The layout of the artifact's JSON; a loader refuses any other.
FORMAT = 1
#: The training method's release; bump it when the features, model or thresholds change.
RELEASE = "2026-11-30.2"

OTHER = "other"
#: The model's classes in scikit-learn's (sorted) order.
CLASSES = (HEALTH_CARE, IMMIGRATION, OTHER)
POSITIVE = (IMMIGRATION, HEALTH_CARE)

MIN_DF = 2
#: Inverse of the regularisation strength: the lowest 5-fold log loss on the training
#: corpora among 1, 3, 10, 20, 50 and 100 (docs/benchmarks.md). With the name copies 20
#: scores a little better (0.112 against 0.122) but lets names move readings more (the
#: widest spread of a reason's probability over the 35 names of
#: tests/compliance/test_learned_fairness.py: 0.17 against 0.12), so 50 stays.
C = 50.0
FOLDS = 5
RANDOM_STATE = 0
#: Copies of each training reason with a person's name put in (step 2 of the docstring).
NAME_COPIES = 3
#: The seed of the names' shuffles and places: a fixed one, so rebuilds agree byte for byte.
NAME_SEED = 16
#: One copy in this many gets a date of birth after the name (step 2 of the docstring).
DOB_EVERY = 4
#: Cross-validated precision each label's threshold must reach: a review label that is
#: mostly wrong would bury auditors.
TARGET_PRECISION = 0.97
#: No threshold below this, whatever cross-validation allows.
MIN_THRESHOLD = 0.5
MAX_DRIVERS = 5
#: Significant digits kept of each stored weight, so rebuilds agree byte for byte.
DIGITS = 7
#: Reasons vectorised at once by ``read_many`` (bounds the sparse matrices' memory).
BATCH = 5_000

_COMMON = {"lowercase": False, "min_df": MIN_DF, "sublinear_tf": True}
WORD_PARAMETERS = {"analyzer": "word", "ngram_range": [1, 2], "token_pattern": r"[a-z0-9]+"}
CHAR_PARAMETERS = {"analyzer": "char_wb", "ngram_range": [2, 5]}


@dataclass(frozen=True)
class Reading:
    """What the model reads in one reason.

    ``label``: ``immigration``, ``health_care`` or ``none``; ``score``: the model's
    probability for ``label`` (for ``none``, the higher of the two labels'); ``drivers``:
    up to five words or phrases of the reason, as written, with their contribution to the
    label's score, strongest first (empty for ``none``).
    """

    label: str
    score: float
    drivers: tuple[tuple[str, float], ...]

    @property
    def label_name(self) -> str:
        return LABEL_NAMES[self.label]


def model_text(reason: str) -> str:
    """The text the model reads: the reason's words as the term classifier sees them."""
    return " ".join(normalise(reason or "").words)


def _target(label: str) -> str:
    return label if label in POSITIVE else OTHER


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rounded(values: Any) -> list[float]:
    return [float(f"{value:.{DIGITS}g}") for value in values]


# --- training ----------------------------------------------------------------------------


def _vectorisers(vocabularies: tuple[dict[str, int], dict[str, int]] | None = None):
    # scikit-learn is heavy: imported when a model is built or loaded, not with the app.
    from sklearn.feature_extraction.text import TfidfVectorizer

    word_vocabulary, char_vocabulary = vocabularies or (None, None)
    word = dict(WORD_PARAMETERS, ngram_range=tuple(WORD_PARAMETERS["ngram_range"]))
    char = dict(CHAR_PARAMETERS, ngram_range=tuple(CHAR_PARAMETERS["ngram_range"]))
    return (
        TfidfVectorizer(**_COMMON, **word, vocabulary=word_vocabulary),
        TfidfVectorizer(**_COMMON, **char, vocabulary=char_vocabulary),
    )


def _name_forms(given: str, family: str) -> tuple[list[str], ...]:
    return ([given, family], [family, given], [family], [given])


def named_copies(
    texts: Sequence[str], targets: Sequence[str], names: corpora.Names
) -> tuple[list[str], list[str], list[int]]:
    """Step 2 of the module docstring: ``NAME_COPIES`` copies of each model text with a
    person's name replaced or put in; returns their texts, targets and the index of the
    text each copies."""
    # Not for secrets: a seeded generator is what makes the copies the same every build.
    pick = random.Random(NAME_SEED)  # noqa: S311
    pools = {
        "first": [model_text(name) for name in names.first],
        "surname": [model_text(name) for name in names.surname],
    }
    listed = {name: part for part, pool in pools.items() for name in pool}
    rounds: dict[tuple[str, str], list[str]] = {}

    def deal(target: str, part: str) -> str:
        # Each label has its own round of every name, so no name leans to a label.
        queue = rounds.setdefault((target, part), [])
        if not queue:
            queue.extend(pools[part])
            pick.shuffle(queue)
        return queue.pop()

    copies: tuple[list[str], list[str], list[int]] = ([], [], [])
    for index, (text, target) in enumerate(zip(texts, targets, strict=True)):
        words = text.split()
        for _ in range(NAME_COPIES):
            person = {"first": deal(target, "first"), "surname": deal(target, "surname")}
            if any(word in listed for word in words):
                named = [person[listed[word]] if word in listed else word for word in words]
            else:
                form = pick.choice(_name_forms(person["first"], person["surname"]))
                at = pick.choice((0, min(1, len(words)), len(words)))
                named = words[:at] + form + words[at:]
            if pick.randrange(DOB_EVERY) == 0:
                born = [
                    str(pick.randint(1, 12)),
                    str(pick.randint(1, 28)),
                    str(pick.randint(1940, 2008)),
                ]
                named += pick.choice((["dob"], [])) + born
            copies[0].append(" ".join(named))
            copies[1].append(target)
            copies[2].append(index)
    return copies


def _fit(texts: Sequence[str], targets: Sequence[str]):
    """Fit the vectorisers and the model; returns (word, char, model)."""
    # Imported here for the same reason as in ``_vectorisers``.
    import numpy as np
    import scipy.sparse
    from sklearn.linear_model import LogisticRegression

    word, char = _vectorisers()
    features = scipy.sparse.hstack([word.fit_transform(texts), char.fit_transform(texts)])
    model = LogisticRegression(
        C=C, class_weight="balanced", max_iter=5_000, random_state=RANDOM_STATE
    )
    model.fit(features.tocsr(), np.asarray(targets))
    return word, char, model


def _threshold(probability: Any, predicted: Any, gold: Any, label: str) -> dict[str, float]:
    """The lowest threshold at which the cross-validated readings of ``label`` reach the
    target precision, with that precision and recall (see step 4 of the docstring)."""
    support = int((gold == label).sum())
    candidates = sorted({float(p) for p in probability[predicted == label]})
    best = {"threshold": 1.0, "precision": 0.0, "recall": 0.0}
    for threshold in candidates:
        if threshold < MIN_THRESHOLD:
            continue
        flagged = (predicted == label) & (probability >= threshold)
        right = int((flagged & (gold == label)).sum())
        precision = right / int(flagged.sum())
        if precision >= TARGET_PRECISION or precision > best["precision"]:
            best = {
                "threshold": threshold,
                "precision": round(precision, 4),
                "recall": round(right / support, 4) if support else 0.0,
            }
        if precision >= TARGET_PRECISION:
            break
    return best


def cross_validated(
    texts: Sequence[str],
    targets: Sequence[str],
    copies: tuple[list[str], list[str], list[int]] = ([], [], []),
):
    """Out-of-fold probabilities of the training reasons (rows in ``CLASSES`` order); each
    fold trains on the other folds' reasons and their ``copies`` (``named_copies``)."""
    # Imported here for the same reason as in ``_vectorisers``.
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    texts_array, targets_array = np.asarray(texts, dtype=object), np.asarray(targets)
    copy_texts, copy_targets = np.asarray(copies[0], dtype=object), np.asarray(copies[1])
    copy_of = np.asarray(copies[2], dtype=int)
    probabilities = np.zeros((len(texts), len(CLASSES)))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=RANDOM_STATE)
    for train, test in folds.split(texts_array, targets_array):
        with_copies = np.isin(copy_of, train)
        word, char, model = _fit(
            [*texts_array[train], *copy_texts[with_copies]],
            [*targets_array[train], *copy_targets[with_copies]],
        )
        probabilities[test] = _predict(word, char, model, list(texts_array[test]))
    return probabilities


def _features(word, char, texts: Sequence[str]):
    """The word and character grams of ``texts``, side by side (step 3)."""
    # Imported here for the same reason as in ``_vectorisers``.
    import scipy.sparse

    return scipy.sparse.hstack([word.transform(texts), char.transform(texts)]).tocsr()


def _predict(word, char, model, texts: Sequence[str]):
    return model.predict_proba(_features(word, char, texts))


def _decide(probabilities: Any) -> tuple[Any, Any]:
    """The likelier positive label of each row and its probability."""
    # Imported here for the same reason as in ``_vectorisers``.
    import numpy as np

    immigration = probabilities[:, CLASSES.index(IMMIGRATION)]
    health_care = probabilities[:, CLASSES.index(HEALTH_CARE)]
    label = np.where(immigration >= health_care, IMMIGRATION, HEALTH_CARE)
    return label, np.maximum(immigration, health_care)


@dataclass(frozen=True)
class Fitted:
    """A freshly trained model: the artifact's document and the fitted objects."""

    document: dict[str, Any]
    word: Any
    char: Any
    model: Any

    def probabilities(self, reasons: Sequence[str]):
        """The fitted model's probabilities (rows in ``CLASSES`` order) of each reason."""
        return _predict(self.word, self.char, self.model, [model_text(r) for r in reasons])


def reason_model_fit(*, paths: Sequence[Path] | None = None, names: Path = corpora.NAMES) -> Fitted:
    """Train on the labelled corpora (``paths``, by default ``corpora.training_files()``)
    and their copies with the ``names``: thresholds from cross-validation, then the model on
    every row (module docstring)."""
    # Imported here for the same reason as in ``_vectorisers``.
    import numpy as np
    import sklearn

    paths = list(paths if paths is not None else corpora.training_files())
    rows = [row for path in paths for row in corpora.load(path)]
    texts = [model_text(row.reason) for row in rows]
    targets = [_target(row.label) for row in rows]

    copies = named_copies(texts, targets, corpora.names_load(names))

    gold = np.asarray(targets)
    label, probability = _decide(cross_validated(texts, targets, copies))
    thresholds = {name: _threshold(probability, label, gold, name) for name in POSITIVE}

    word, char, model = _fit([*texts, *copies[0]], [*targets, *copies[1]])
    if tuple(model.classes_) != CLASSES:
        raise ValueError(f"the corpora hold the classes {model.classes_}, expected {CLASSES}")

    def ordered(vectoriser) -> list[str]:
        inverse = [""] * len(vectoriser.vocabulary_)
        for gram, index in vectoriser.vocabulary_.items():
            inverse[index] = gram
        return inverse

    document = {
        "format": FORMAT,
        "release": RELEASE,
        "sklearn": sklearn.__version__,
        "corpora": {path.name: _digest(path) for path in paths},
        "names": {names.name: _digest(names)},
        "rows": len(rows),
        "named_copies": len(copies[0]),
        "parameters": {
            "common": _COMMON,
            "word": WORD_PARAMETERS,
            "char": CHAR_PARAMETERS,
            "C": C,
            "folds": FOLDS,
            "random_state": RANDOM_STATE,
            "name_copies": NAME_COPIES,
            "name_seed": NAME_SEED,
            "dob_every": DOB_EVERY,
            "target_precision": TARGET_PRECISION,
        },
        "classes": list(CLASSES),
        "thresholds": thresholds,
        "word": {"grams": ordered(word), "idf": _rounded(word.idf_)},
        "char": {"grams": ordered(char), "idf": _rounded(char.idf_)},
        "coefficients": [_rounded(row) for row in model.coef_],
        "intercepts": _rounded(model.intercept_),
    }
    return Fitted(document, word, char, model)


def artifact_bytes(document: dict[str, Any]) -> bytes:
    """The artifact's bytes: sorted JSON, gzipped without a timestamp or a file name."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def artifact_write(*, document: dict[str, Any], path: Path) -> str:
    """Write the artifact; returns its SHA-256."""
    data = artifact_bytes(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def artifact_read(path: Path) -> dict[str, Any]:
    """The artifact's document, refused unless its format is this code's."""
    document = json.loads(gzip.decompress(path.read_bytes()))
    if document.get("format") != FORMAT:
        raise ValueError(f"{path}: artifact format {document.get('format')!r}, expected {FORMAT}")
    return document


# --- reading -----------------------------------------------------------------------------


class ReasonModel:
    """The fitted model rebuilt from an artifact's document; ``read`` one reason or
    ``read_many`` (vectorised, in batches)."""

    def __init__(self, document: dict[str, Any], version: str) -> None:
        # Imported here for the same reason as in ``_vectorisers``.
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        if tuple(document["classes"]) != CLASSES:
            raise ValueError(f"artifact classes {document['classes']}, expected {CLASSES}")
        self.version = version
        self.document = document
        self.thresholds = {
            label: float(document["thresholds"][label]["threshold"]) for label in POSITIVE
        }
        word_grams, char_grams = document["word"]["grams"], document["char"]["grams"]
        self._word_vocabulary = {gram: index for index, gram in enumerate(word_grams)}
        self._char_vocabulary = {gram: index for index, gram in enumerate(char_grams)}
        self._word, self._char = _vectorisers((self._word_vocabulary, self._char_vocabulary))
        self._word.idf_ = np.asarray(document["word"]["idf"], dtype=np.float64)
        self._char.idf_ = np.asarray(document["char"]["idf"], dtype=np.float64)
        self._char_analyse = self._char.build_analyzer()
        self._word_count = len(word_grams)
        self._model = LogisticRegression()
        self._model.classes_ = np.asarray(CLASSES)
        self._model.coef_ = np.asarray(document["coefficients"], dtype=np.float64)
        self._model.intercept_ = np.asarray(document["intercepts"], dtype=np.float64)
        expected = (len(CLASSES), len(word_grams) + len(char_grams))
        if self._model.coef_.shape != expected:
            raise ValueError(f"artifact weights {self._model.coef_.shape}, expected {expected}")

    @classmethod
    def load(cls, path: Path) -> ReasonModel:
        """The model of the artifact at ``path``, versioned by its release and digest."""
        document = artifact_read(path)
        return cls(document, f"{document['release']}+{_digest(path)[:12]}")

    def probabilities(self, reasons: Sequence[str]):
        """The model's probabilities (rows in ``CLASSES`` order) of each reason."""
        return _predict(self._word, self._char, self._model, [model_text(r) for r in reasons])

    def read(self, reason: str) -> Reading:
        return self.read_many([reason])[0]

    def read_many(self, reasons: Sequence[str]) -> list[Reading]:
        """Read many reasons at once (vectorised in batches of ``BATCH``); drivers are
        worked out only for the reasons read as a label, which are few."""
        readings: list[Reading] = []
        for start in range(0, len(reasons), BATCH):
            batch = reasons[start : start + BATCH]
            texts = [model_text(reason) for reason in batch]
            features = _features(self._word, self._char, texts)
            label, probability = _decide(self._model.predict_proba(features))
            for index, reason in enumerate(batch):
                name, score = str(label[index]), float(probability[index])
                if score < self.thresholds[name]:
                    readings.append(Reading(NONE, score, ()))
                    continue
                drivers = self._drivers(reason, features.getrow(index), name)
                readings.append(Reading(name, score, drivers))
        return readings

    def _drivers(self, reason: str, row: Any, label: str) -> tuple[tuple[str, float], ...]:
        """Step 5 of the module docstring: words and phrases of the reason, as written,
        with their contribution to ``label``'s score."""
        weights = self._model.coef_[CLASSES.index(label)]
        value = {
            int(i): float(v) * float(weights[i]) for i, v in zip(row.indices, row.data, strict=True)
        }
        norm = normalise(reason)
        words = norm.words
        credit: dict[tuple[int, int], float] = defaultdict(float)
        for first in range(len(words)):
            for size in (1, 2):
                gram = " ".join(words[first : first + size])
                index = self._word_vocabulary.get(gram)
                if first + size <= len(words) and index in value:
                    credit[(first, first + size)] += value[index]
        grams = [self._char_analyse(word) for word in words]
        occurrences = Counter(gram for word_grams in grams for gram in word_grams)
        for first, word_grams in enumerate(grams):
            for gram in word_grams:
                index = self._char_vocabulary.get(gram)
                if index is not None and self._word_count + index in value:
                    share = value[self._word_count + index] / occurrences[gram]
                    credit[(first, first + 1)] += share
        by_text: dict[str, list] = {}
        for (first, last), amount in sorted(credit.items()):
            key = " ".join(words[first:last])
            if key in by_text:
                by_text[key][1] += amount
            else:
                quoted = self._quote(reason, norm, first, last)
                by_text[key] = [quoted, amount, last - first]
        # A function word alone ("for", "to") explains nothing to an auditor: it still
        # counts in the score, and in the phrases it starts or ends, but is not listed.
        ranked = sorted(
            (entry for key, entry in by_text.items() if entry[1] > 0 and key not in FUNCTION_WORDS),
            key=lambda entry: (-round(entry[1], 9), -entry[2], entry[0]),
        )
        return tuple((quoted, round(amount, 4)) for quoted, amount, _ in ranked[:MAX_DRIVERS])

    @staticmethod
    def _quote(reason: str, norm: Any, first: int, last: int) -> str:
        start, end = norm.spans[first][0], norm.spans[last - 1][1]
        return reason[norm.source[start] : norm.source[end - 1] + 1]


@lru_cache(maxsize=1)
def reason_model() -> ReasonModel:
    """The shipped model (``ARTIFACT``), loaded once per process."""
    return ReasonModel.load(ARTIFACT)


def combine(term_label: str, reading: Reading) -> str:
    """The reason's label from the terms' and the model's: a term's immigration or
    health-care label stands (a person wrote that term: the critical path); when the
    terms read ``none``, ``vague`` or ``sensitive_data``, the model's label becomes its
    *review* label (personal data in a reason does not hide the purpose the model reads
    in it); otherwise (the model reads nothing) the terms' label stands."""
    if term_label in OPEN_TO_REVIEW and reading.label in REVIEW_LABELS:
        return REVIEW_LABELS[reading.label]
    return term_label
