"""ARCHITECTURE.md names only what exists: every path, and every function, class or
statement it places in a file."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "ARCHITECTURE.md").read_text()
PATH = re.compile(r"`((?:apps|config|docs|tests|bench|scripts|templates)/[\w./-]*|[\w-]+\.md)`")


def test_every_path_it_names_exists():
    named = set(PATH.findall(DOC))
    assert len(named) > 30, "the paths are written as `apps/...`"
    assert sorted(p for p in named if not (ROOT / p).exists()) == []


def test_every_name_it_places_in_a_file_is_there():
    """A backquoted name followed, in the same sentence, by "(`file`)" or "in `file`"
    is defined in that file."""
    placed = re.findall(r"`(\w+)`[^`.;]{0,40}?(?:\(|in )`((?:apps|config)/[\w/]+\.py)`", DOC)
    assert len(placed) >= 6
    missing = [
        (name, file)
        for name, file in placed
        if not re.search(rf"(?m)^\s*(?:def |class )?{name}\b", (ROOT / file).read_text())
    ]
    assert missing == []


def test_the_rule_statements_it_lists_are_in_the_evaluation():
    section = DOC.split("## Where each rule lives")[1].split("\n## ")[0]
    statements = re.findall(r"^- `(_[A-Z_]+)`", section, re.MULTILINE)
    source = (ROOT / "apps/audits/evaluation.py").read_text()
    assert len(statements) == 3
    assert [s for s in statements if not re.search(rf"(?m)^{s} = ", source)] == []
