"""Field assembly: a note's question, answer and alternatives, topic and source, as cards show them."""

from __future__ import annotations

from dataclasses import replace

from qa2anki.normalize import Merge, Note
from qa2anki.parse import Entry, parse_document
from qa2anki.render import location_label, render_note
from qa2anki.sources import Document


def _note(entry: Entry) -> Note:
    return Note(
        key="k",
        topic=entry.topic,
        question_md=entry.question_md,
        answer_md=entry.answer_md,
        question_html=entry.question_html,
        answer_html=entry.answer_html,
        question_folded="",
        answer_folded="",
        shown=entry,
        keys=("k",),
        alternatives=(),
        topics=(entry.topic,),
        documents=(entry.document,),
        locations=((entry.document, entry.topic),),
        merges=(Merge(entry, "canonical", 1.0, 1.0),),
        tags=("主题::图",),
    )


def test_images_point_at_packed_names() -> None:
    """A local image's src becomes its content-hash media name in the field; web images stay."""
    text = (
        "### 图\n\n**面试题：** 结构？\n\n**答案：** 见图 ![arch](img/a.png) 和 ![web](https://e.org/b.png)\n"
    )
    (entry,) = parse_document(Document(path="d/a.md", name="a.md", text=text)).entries
    rendered = render_note(_note(entry), {("d/a.md", "img/a.png"): "qa2anki-0123456789abcdef0123.png"})
    assert rendered.fields[1] == (
        '<p>见图 <img src="qa2anki-0123456789abcdef0123.png" alt="arch" /> 和 '
        '<img src="https://e.org/b.png" alt="web" /></p>'
    )


def _entry(text: str, path: str = "d/a.md") -> Entry:
    (entry,) = parse_document(Document(path=path, name=path.rsplit("/", 1)[-1], text=text)).entries
    return entry


def test_fields_are_question_answer_topic_source() -> None:
    entry = _entry(
        "### 2. 过拟合\n\n**面试题：** 什么是过拟合？\n\n"
        "**答案：** 训练集好，<b>测试集</b>差<br onclick=x>。\n"
    )
    rendered = render_note(_note(entry))
    assert rendered.fields == (
        "<p>什么是过拟合？</p>",
        # A formatting tag formats; nothing with an attribute runs.
        "<p>训练集好，<b>测试集</b>差&lt;br onclick=x&gt;。</p>",
        "过拟合",
        "a.md › 过拟合",
    )
    assert rendered.tags == ("主题::图",)


def test_an_alternative_answer_is_labelled_with_where_it_stands() -> None:
    first = _entry("### 过拟合\n\n**面试题：** 什么是过拟合？\n\n**答案：** 训练好测试差。\n")
    other = _entry("### 泛化 <x>\n\n**面试题：** 什么是过拟合？\n\n**答案：** 记住了噪声。\n", "d/b.md")
    note = replace(
        _note(first),
        alternatives=(other,),
        topics=(first.topic, other.topic),
        locations=((first.document, first.topic), (other.document, other.topic)),
    )
    _, answer, topic, source = render_note(note).fields
    assert answer.startswith("<p>训练好测试差。</p>\n")
    assert '<div class="qa-alternative-label">另一种答案（b.md › 泛化 &lt;x&gt;）</div>' in answer
    assert "<p>记住了噪声。</p>" in answer
    assert topic == "过拟合 / 泛化 &lt;x&gt;"
    assert source == "a.md › 过拟合<br>b.md › 泛化 &lt;x&gt;"


def test_a_location_has_no_line_number() -> None:
    """One inserted line must not change every later note's Source field."""
    assert location_label("a.md", "过拟合") == "a.md › 过拟合"
