"""Merged entries in a real collection: a chain of merges never hides a distinct question."""

from __future__ import annotations

from pathlib import Path

from anki.collection import Collection

from tests.anki.conftest import build_deck, import_apkg, snapshot
from tests.conftest import RunCli

INCLUDE = '#include<file.h>与#include"file.h"的区别？'
INCLUDE_ANSWER = "尖括号从系统目录开始找头文件，引号先从当前目录找，找不到再去系统目录找。"
COMMA = 'int i=(j=4,k=8,l=16,m=32); printf("%d", i); 输出是多少？'
COPIED = "逗号表达式的值是最后一个表达式的值，所以 i 等于 32，输出 32。括号不能省略，否则 i 等于 4。"


def _entry(number: int, question: str, answer: str) -> str:
    return f"**面试题{number}：** {question}\n\n**答案：** {answer}\n\n"


def test_a_chain_of_merges_leaves_the_far_entry_its_own_note(
    project: Path, run_cli: RunCli, collection: Collection
) -> None:
    """A's question is like B's, and B's answer was copied under C (as a 1,000-question document did): C
    used to become an alternative answer on A's card, its question on no card. Now every question the
    user wrote is on a card, and C's card is its own."""
    text = "## C 语言\n\n" + "".join(
        [
            _entry(1, INCLUDE, INCLUDE_ANSWER),
            _entry(2, INCLUDE, INCLUDE_ANSWER),
            _entry(3, INCLUDE.replace("区别？", "区别呢？"), COPIED),
            _entry(4, COMMA, COPIED),
        ]
    )
    (project / "source" / "c.md").write_text(text, encoding="utf-8")
    deck, _ = build_deck(run_cli)
    import_apkg(collection, deck)
    notes = snapshot(collection).values()
    assert len(notes) == 2
    include, comma = sorted(notes, key=lambda n: "int" in n.question)
    assert "file.h" in include.question and "逗号表达式" in include.fields["Answer"]  # B: a conflict of A
    assert "输出是多少" in comma.question and "逗号表达式" in comma.fields["Answer"]
    assert "另一种答案" not in comma.fields["Answer"]
