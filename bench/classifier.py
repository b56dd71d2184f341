"""Reason classifier benchmark: the term-based classifier against plain keyword matching.

    cd /work/main && .venv/bin/python -m bench.classifier

Loads the labelled corpus (``apps/compliance/corpora/reason_corpus.csv``, used while building
the term lists), the held-out file (``apps/compliance/corpora/reason_holdout.csv``, written
before the classifier existed and not tuned on) and the blind corpus
(``tests/compliance/reason_blind.csv``, written by someone who had not seen the term
lists, frozen), labels every reason with
``ReasonClassifier(DEFAULT_TERMS)`` and with a naive baseline (case-insensitive substring
search of a short keyword list, same priority order), and prints per corpus and label the
precision, recall and F1 of both, the classifier's misclassified reasons, and its speed.
No Django needed.
"""

import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apps.compliance.classifier import PRIORITY, ReasonClassifier  # noqa: E402
from apps.compliance.default_terms import DEFAULT_TERMS  # noqa: E402

CORPORA = {
    "corpus": ROOT / "apps" / "compliance" / "corpora" / "reason_corpus.csv",
    "holdout": ROOT / "apps" / "compliance" / "corpora" / "reason_holdout.csv",
    # Written blind (by someone who had not seen the term lists), frozen before any term
    # is added from it (tests/compliance/README_blind.md).
    "blind": ROOT / "tests" / "compliance" / "reason_blind.csv",
}
#: Corpora whose misclassified rows are counted but never printed.
HELD_OUT = frozenset({"blind"})
BASELINE_KEYWORDS = {
    "immigration": ["ice", "immigration", "hsi", "ero", "cbp", "border patrol", "dhs", "uscis",
                    "deport", "alien"],
    "health_care": ["abortion", "reproductive", "planned parenthood", "gender"],
    "sensitive_data": ["dob", "ssn"],
    "vague": ["inv", "test", "investigation"],
}  # fmt: skip


def baseline(reason: str) -> str:
    """Plain keyword matching: the first label (in priority order) with a keyword
    anywhere in the lower-cased reason."""
    text = reason.lower()
    for label in PRIORITY[:-1]:
        if any(keyword in text for keyword in BASELINE_KEYWORDS[label]):
            return label
    return "none"


def load(path: Path) -> list[tuple[str, str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [(row["reason"], row["label"], row["note"]) for row in csv.DictReader(handle)]


def scores(gold: list[str], predicted: list[str], label: str) -> tuple[float, float, float, int]:
    """Precision, recall and F1 of one label against all others, and its support."""
    true_pos = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == label)
    predicted_pos = sum(1 for p in predicted if p == label)
    support = sum(1 for g in gold if g == label)
    precision = true_pos / predicted_pos if predicted_pos else 0.0
    recall = true_pos / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, support


def main() -> None:
    classifier = ReasonClassifier(DEFAULT_TERMS)
    misses: dict[str, list[str]] = {}
    header = (
        f"{'corpus':8} {'label':15} {'n':>4} | {'classifier P':>12} {'R':>6} {'F1':>6} |"
        f" {'keywords P':>10} {'R':>6} {'F1':>6}"
    )
    print(header)
    print("-" * len(header))
    for name, path in CORPORA.items():
        rows = load(path)
        gold = [label for _, label, _ in rows]
        results = [classifier.classify(reason) for reason, _, _ in rows]
        ours = [result.label for result in results]
        naive = [baseline(reason) for reason, _, _ in rows]
        for label in PRIORITY:
            p1, r1, f1, support = scores(gold, ours, label)
            p2, r2, f2, _ = scores(gold, naive, label)
            print(
                f"{name:8} {label:15} {support:4} | {p1:12.3f} {r1:6.3f} {f1:6.3f} |"
                f" {p2:10.3f} {r2:6.3f} {f2:6.3f}"
            )
        correct = sum(1 for g, p in zip(gold, ours, strict=True) if g == p)
        correct_naive = sum(1 for g, p in zip(gold, naive, strict=True) if g == p)
        print(
            f"{name:8} {'accuracy':15} {len(rows):4} | {correct / len(rows):12.3f} {'':6} {'':6} |"
            f" {correct_naive / len(rows):10.3f}"
        )
        print("-" * len(header))
        misses[name] = [
            f"  {reason!r}: expected {expected}, got {result.label} -- {result.explanation}"
            for (reason, expected, _), result in zip(rows, results, strict=True)
            if result.label != expected
        ]
    for name, lines in misses.items():
        print(f"\nclassifier misclassified in {name} ({len(lines)}):")
        if name in HELD_OUT:
            # Its rows are not shown: terms are never written from what it misses.
            print("  (held out: rows not shown)")
            continue
        print("\n".join(lines) if lines else "  (none)")

    reasons = [reason for path in CORPORA.values() for reason, _, _ in load(path)]
    repeat = max(1, 20_000 // len(reasons))
    started = time.perf_counter()
    fresh = ReasonClassifier(DEFAULT_TERMS)
    built = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(repeat):
        for reason in reasons:
            fresh.classify(reason)
    elapsed = time.perf_counter() - started
    total = repeat * len(reasons)
    print(
        f"\nspeed: built from {len(DEFAULT_TERMS)} terms in {built * 1000:.1f} ms;"
        f" {total} classifications in {elapsed:.2f} s ({total / elapsed:,.0f} per second)"
    )


if __name__ == "__main__":
    main()
