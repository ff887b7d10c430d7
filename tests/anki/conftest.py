"""Round trips through the real Anki backend: build a deck with the CLI, import it into a fresh collection
(default options), study every card once, rebuild, re-import and compare what the user kept.

Helpers here: a small document in the genre (``Section`` / ``render_document`` / ``BASE_SECTIONS``), the
build and import steps, reading an ``.apkg``'s notes, and a snapshot of a collection's per-note state.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportResponse
from anki.scheduler_pb2 import CardAnswer
from click.testing import Result

from qa2anki.scaffold import scaffold
from tests.conftest import RunCli

FIELDS = ("Question", "Answer", "Topic", "Source")
NOTE_TYPE_NAME = "qa2anki 问答"
DOC_NAME = "llm-interview.md"
"""The file name of the hand-written test document (tags say ``文档::llm-interview``)."""


# --------------------------------------------------------------------------------------------------
# A small document in the genre
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One ``### N. 主题`` section with one 面试题/答案 entry; ``key`` is the test's own name for it."""

    key: str
    topic: str
    question: str
    lead: str
    items: tuple[str, ...]

    @property
    def answer(self) -> str:
        """The answer's Markdown: the lead sentence and a numbered list."""
        return self.lead + "\n\n" + "\n".join(f"{i}. {item}" for i, item in enumerate(self.items, 1))

    def with_(self, **changes: object) -> Section:
        """A copy with some attributes changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


ATTENTION = Section(
    "attention",
    "注意力机制",
    "Transformer中的自注意力机制是如何计算的？",
    "自注意力机制的计算步骤如下：",
    (
        "**线性投影**：将输入向量分别乘以三个权重矩阵，得到查询（Q）、键（K）和值（V）。",
        "**相似度打分**：用Q与K的转置做点积，并除以键向量维度的平方根进行缩放。",
        "**归一化**：对打分结果做Softmax，得到每个位置的注意力权重。",
        "**加权求和**：用注意力权重对V加权求和，得到输出表示。",
    ),
)
POSITION = Section(
    "position",
    "位置编码",
    "为什么Transformer需要位置编码？常见的位置编码有哪些？",
    "自注意力本身对输入顺序不敏感，因此需要显式注入位置信息：",
    (
        "**正弦位置编码**：用不同频率的正弦和余弦函数生成固定的位置向量。",
        "**可学习位置编码**：把每个位置的向量作为参数，随模型一起训练。",
        "**旋转位置编码（RoPE）**：通过旋转查询和键向量，把相对位置信息融入点积。",
    ),
)
LORA = Section(
    "lora",
    "微调方法",
    # The typo (底 for 低) is fixed by one of the edits.
    "什么是LoRA？它为什么能降底微调成本？",
    "LoRA是一种参数高效的微调方法：",
    (
        "**低秩分解**：冻结原始权重，只训练两个低秩矩阵A和B，用它们的乘积近似权重更新。",
        "**参数量小**：可训练参数通常只有全量微调的千分之一左右，显存占用大幅下降。",
        "**可合并**：训练完成后可以把低秩矩阵合并回原权重，推理时没有额外延迟。",
    ),
)
RAG = Section(
    "rag",
    "检索增强生成",
    "检索增强生成（RAG）的基本流程是什么？",
    "RAG的基本流程包括：",
    (
        "**文档切分**：把知识库文档切成大小合适的片段。",
        "**向量化索引**：用嵌入模型把片段编码成向量，存入向量数据库。",
        "**检索**：把用户问题编码后检索最相关的若干片段。",
        "**生成**：把检索到的片段和问题一起放进提示词，让大模型生成答案。",
    ),
)
QUANT = Section(
    "quant",
    "模型量化",
    "大模型量化有哪些常见方法？",
    "常见的量化方法有：",
    (
        "**训练后量化（PTQ）**：在训练完成后直接把权重转换为低精度，不需要重新训练。",
        "**量化感知训练（QAT）**：在训练中模拟量化误差，让模型适应低精度。",
        "**仅权重量化**：如GPTQ、AWQ，只量化权重而保留激活的精度。",
    ),
)
DECODING = Section(
    "decoding",
    "解码策略",
    "大模型生成文本时有哪些解码策略？",
    "主要的解码策略有：",
    (
        "**贪心搜索**：每一步选择概率最大的词，速度快但容易重复。",
        "**束搜索**：同时保留多个候选序列，最终选择整体概率最高的序列。",
        "**Top-k采样**：只在概率最高的k个词中随机采样。",
        "**Top-p采样**：在累计概率达到p的最小词集合中采样。",
    ),
)
EVALUATION = Section(
    "evaluation",
    "模型评估",
    "如何评估大模型的生成质量？",
    "可以从以下几个方面评估：",
    (
        "**自动指标**：如BLEU、ROUGE和困惑度，计算成本低但与人类判断的相关性有限。",
        "**人工评估**：由标注人员从流畅性、相关性和事实性等维度打分。",
        "**大模型裁判**：用更强的大模型作为裁判，对回答进行打分或两两比较。",
    ),
)
NORMALIZATION = Section(
    "normalization",
    "归一化",
    "LayerNorm和BatchNorm有什么区别？",
    "两者的主要区别如下：",
    (
        "**统计维度**：BatchNorm在批次维度上求均值和方差，LayerNorm在单个样本的特征维度上求。",
        "**对批大小的依赖**：BatchNorm依赖较大的批次，LayerNorm与批大小无关。",
        "**适用场景**：BatchNorm常用于卷积网络，LayerNorm常用于Transformer和循环网络。",
    ),
)
MOE = Section(
    "moe",
    "混合专家模型",
    "什么是混合专家模型（MoE）？它有什么优势？",
    "混合专家模型由多个专家网络和一个门控网络组成：",
    (
        "**稀疏激活**：门控网络为每个词元只选择少数几个专家参与计算。",
        "**容量大、算力省**：总参数量可以很大，而每个词元的计算量基本不变。",
        "**负载均衡**：训练时需要加入辅助损失，避免所有词元都涌向同一个专家。",
    ),
)
"""Not in the base document: the entry an edit adds."""

BASE_SECTIONS: tuple[Section, ...] = (
    ATTENTION,
    POSITION,
    LORA,
    RAG,
    QUANT,
    DECODING,
    ATTENTION,  # an exact copy under the same topic
    EVALUATION,
    RAG,  # another exact copy under the same topic
    QUANT.with_(topic="推理加速"),  # an exact copy under another topic: one note, two topics
    NORMALIZATION,
)
"""11 entries, 8 unique notes."""

BASE_KEYS = ("attention", "position", "lora", "rag", "quant", "decoding", "evaluation", "normalization")

INTRO = "## 大模型面试题精选\n\n以下整理了大模型方向常见的面试题及参考答案，供复习使用。\n"
EPILOGUE = "通过以上面试题，可以系统地复习大模型的核心知识点，为面试做好准备。\n"


def render_document(sections: Sequence[Section]) -> str:
    """The document as its author writes it: sections numbered in order, an intro and a closing line."""
    parts = [INTRO]
    for number, section in enumerate(sections, 1):
        heading = f"### {number}. {section.topic}"
        parts.append(f"{heading}\n\n**面试题：** {section.question}\n\n**答案：** {section.answer}\n")
    parts.append(EPILOGUE)
    return "\n".join(parts)


def initialised_deck(folder: Path, deck: str) -> Path:
    """A deck repository as ``qa2anki init`` makes it, with a document of its own (``source/llm.md``)."""
    scaffold(folder, deck)
    (folder / "source" / "llm.md").write_text(render_document(BASE_SECTIONS), encoding="utf-8")
    return folder


def write_document(project: Path, sections: Sequence[Section], name: str = DOC_NAME) -> Path:
    """Write the document into the project's ``source/`` folder."""
    path = project / "source" / name
    path.write_text(render_document(sections), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------------
# Building and reading decks
# --------------------------------------------------------------------------------------------------


def build_deck(run_cli: RunCli, *args: str, output: str = "deck.apkg") -> tuple[Path, Result]:
    """``qa2anki build -o OUTPUT ARGS`` in the working folder; it must succeed."""
    result = run_cli("build", "-o", output, *args)
    assert result.exit_code == 0, result.output
    path = Path.cwd() / output
    assert path.is_file()
    return path, result


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Collection]:
    """A fresh, empty Anki collection (outside the project's source folder), closed afterwards."""
    profile = tmp_path / "anki-profile"
    profile.mkdir()
    col = Collection(str(profile / "collection.anki2"))
    try:
        yield col
    finally:
        col.close()


def import_apkg(col: Collection, path: Path) -> ImportResponse:
    """Import like a user does: File → Import with the default options."""
    response = col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
    )
    col.models._clear_cache()  # the Python-side note type cache is stale after a backend import
    return response


def answer_all(col: Collection) -> int:
    """Answer every card of the collection once with GOOD; returns how many were answered."""
    card_ids = sorted(col.find_cards(""))
    for card_id in card_ids:
        card = col.get_card(card_id)
        card.start_timer()
        states = col._backend.get_scheduling_states(card.id)
        col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=CardAnswer.GOOD))
    return len(card_ids)


@dataclass(frozen=True)
class CardState:
    """A card's scheduling columns and its review log."""

    id: int
    type: int
    queue: int
    due: int
    ivl: int
    factor: int
    reps: int
    lapses: int
    revlog: tuple[tuple[object, ...], ...]


@dataclass(frozen=True)
class NoteState:
    """What a user has of one note: identity, content and the history of its cards."""

    id: int
    guid: str
    notetype: str
    fields: dict[str, str]
    tags: tuple[str, ...]
    mod: int
    cards: tuple[CardState, ...]

    @property
    def question(self) -> str:
        """The Question field."""
        return self.fields["Question"]


def snapshot(col: Collection) -> dict[int, NoteState]:
    """Every note of the collection, by note id."""
    states: dict[int, NoteState] = {}
    for note_id in sorted(col.find_notes("")):
        note = col.get_note(note_id)
        cards = []
        for card_id, ctype, queue, due, ivl, factor, reps, lapses in col.db.all(
            "select id, type, queue, due, ivl, factor, reps, lapses from cards where nid = ? order by id",
            note_id,
        ):
            revlog = tuple(
                tuple(row)
                for row in col.db.all(
                    "select id, cid, usn, ease, ivl, lastIvl, factor, time, type from revlog "
                    "where cid = ? order by id",
                    card_id,
                )
            )
            cards.append(CardState(card_id, ctype, queue, due, ivl, factor, reps, lapses, revlog))
        states[note_id] = NoteState(
            id=note_id,
            guid=note.guid,
            notetype=note.note_type()["name"],  # type: ignore[index]
            fields=dict(note.items()),
            tags=tuple(sorted(note.tags)),
            mod=note.mod,
            cards=tuple(cards),
        )
    return states


def deck_of(col: Collection, state: NoteState) -> str:
    """The name of the deck the note's first card is in."""
    card = col.get_card(state.cards[0].id)  # type: ignore[arg-type]
    return col.decks.name(card.did)
