"""The bare-genanki baseline the benchmark compares qa2anki against.

What a one-off script would do: split the text on the ``**面试题：**`` and ``**答案：**`` labels (no document
parsing beyond that, no duplicate detection, no lock), render each answer with markdown-it-py, and write
every entry as a note of a simple Basic-like model with genanki, the GUID a hash of the question.
This is a yardstick, not product code: it reads only the exact labels the generator writes.

Command line::

    python benchmarks/baseline.py SOURCE_DIR OUT.apkg
"""

from __future__ import annotations

import argparse
import html
import sys
from collections.abc import Iterator
from pathlib import Path

import genanki
from markdown_it import MarkdownIt

QUESTION_LABEL = "**面试题：**"
ANSWER_LABEL = "**答案：**"

MODEL_ID = 1607392319
DECK_ID = 2059400110

MODEL = genanki.Model(
    MODEL_ID,
    "Baseline Basic",
    fields=[{"name": "Question"}, {"name": "Answer"}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "{{Question}}",
            "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}',
        }
    ],
)


def split_entries(text: str) -> Iterator[tuple[str, str]]:
    """``(question, answer)`` Markdown pairs, found by splitting on the labels; an answer ends at the next
    heading line."""
    for chunk in text.split(QUESTION_LABEL)[1:]:
        question, found, answer = chunk.partition(ANSWER_LABEL)
        if not found:
            continue
        yield question.strip(), answer.split("\n#", 1)[0].strip()


def source_files(folder: Path) -> list[Path]:
    """The Markdown files under ``folder``, in sorted order."""
    return sorted(p for p in folder.rglob("*") if p.suffix in (".md", ".markdown") and p.is_file())


def build(source_dir: Path, out: Path) -> int:
    """Write every entry under ``source_dir`` as a note into ``out``; returns the number of notes."""
    md = MarkdownIt("commonmark").enable("table")
    deck = genanki.Deck(DECK_ID, "baseline")
    for path in source_files(source_dir):
        for question, answer in split_entries(path.read_text(encoding="utf-8")):
            deck.add_note(
                genanki.Note(
                    model=MODEL,
                    fields=[html.escape(question), md.render(answer)],
                    guid=genanki.guid_for(question),
                )
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    genanki.Package(deck).write_to_file(str(out))
    return len(deck.notes)


def main(argv: list[str] | None = None) -> int:
    """``python benchmarks/baseline.py SOURCE_DIR OUT.apkg``."""
    parser = argparse.ArgumentParser(description="Bare genanki baseline: one note per labelled entry.")
    parser.add_argument("source_dir", type=Path, help="folder of Markdown files")
    parser.add_argument("out", type=Path, help="the .apkg to write")
    args = parser.parse_args(argv)
    print(f"{build(args.source_dir, args.out)} notes → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
