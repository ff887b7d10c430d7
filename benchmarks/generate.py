"""Deterministic synthetic interview Q&A documents, in the source format qa2anki reads.

``generate(n, seed)`` returns one Markdown document of ``n`` entries that looks like the genre (and like
``source/gpt-4-tech-highlights.md``)::

    ## 大语言模型技术面试题精选

    ### 1. 模型压缩和加速

    **面试题：** 在实际工业部署中，GPT-4.0在模型压缩和加速方面有哪些关键技术？

    **答案：** GPT-4.0在模型压缩和加速方面采用了以下技术：

    1. **量化**：通过降低模型参数的精度，减少模型的大小和计算复杂度。
    2. ……

About 70% of the entries are distinct; about 15% are exact copies of another entry and about 15% are near
duplicates: the question reworded ("在X方面有哪些技术？" → "如何提高X？") and the answer's intro line
rewritten, the numbered list items kept, under the same topic. Entries stand under ~50 topics.

Only a seeded :class:`random.Random` is used (no wall clock, no set or hash iteration order), so the same
``n`` and ``seed`` always give the same text, byte for byte.

Command line::

    python benchmarks/generate.py N OUTDIR [--seed S] [--files K] [--edited]

``--edited`` applies :func:`edit_one` to the middle file (what the rebuild measurement reads).
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, replace
from pathlib import Path

TITLE = "大语言模型技术面试题精选"
"""The ``##`` title of a generated document."""

EXACT_SHARE = 0.15
"""Share of entries that are verbatim copies of another entry."""
NEAR_SHARE = 0.15
"""Share of entries that are near duplicates (reworded question and intro, same list items)."""

TOPICS = (
    "预训练语言模型的效果提升",
    "多模态学习",
    "语言理解和生成",
    "零样本学习",
    "生成对抗网络（GAN）",
    "模型压缩和加速",
    "模型安全性",
    "模型可解释性",
    "多语言支持",
    "模型部署与优化",
    "自动机器学习（AutoML）",
    "知识蒸馏",
    "指令微调",
    "人类反馈强化学习（RLHF）",
    "提示工程",
    "检索增强生成",
    "长上下文建模",
    "位置编码",
    "注意力机制优化",
    "混合专家模型（MoE）",
    "分布式训练",
    "混合精度训练",
    "数据清洗与去重",
    "分词与词表设计",
    "模型评估",
    "幻觉抑制",
    "价值对齐",
    "代码生成",
    "数学推理",
    "思维链推理",
    "工具调用",
    "智能体规划",
    "向量数据库",
    "语义检索",
    "文本分类",
    "信息抽取",
    "机器翻译",
    "文本摘要",
    "对话管理",
    "情感分析",
    "推荐系统",
    "图神经网络",
    "语音识别",
    "图像描述生成",
    "持续学习",
    "联邦学习",
    "隐私保护",
    "推理加速",
    "量化感知训练",
    "参数高效微调",
)
"""The ~50 topics (``### i. 主题`` headings)."""

SUBJECTS = (
    "GPT-4.0",
    "ChatGPT",
    "Claude",
    "Gemini",
    "PaLM",
    "文心一言",
    "通义千问",
    "ChatGLM",
    "百川大模型",
    "Qwen",
    "Mistral",
    "Falcon",
    "T5",
    "RoBERTa",
    "ERNIE",
    "BERT",
    "LLaMA",
    "Transformer模型",
    "多模态大模型",
    "开源基座模型",
    "对话式AI系统",
    "检索增强的问答系统",
    "千亿参数模型",
    "代码大模型",
    "视觉语言模型",
    "语音大模型",
    "端侧小模型",
    "行业垂直大模型",
)

QUALIFIERS = (
    "在实际工业部署中，",
    "针对长文本场景，",
    "面对有限的算力预算时，",
    "在数据量不足的情况下，",
    "在多轮对话场景中，",
    "从工程实现的角度看，",
    "在低延迟要求下，",
    "结合业界最新进展，",
    "面对跨领域任务时，",
    "在端侧设备上，",
    "在大规模集群训练时，",
    "在中文语料为主的场景下，",
    "在安全合规要求严格时，",
    "在开源生态中，",
    "针对高并发在线服务，",
)

QUALIFIER_SHARE = 0.3
"""Share of questions that start with a qualifier (the rest are short, like the seed document's)."""

GOALS = (
    "效果",
    "稳定性",
    "泛化能力",
    "推理效率",
    "训练效率",
    "鲁棒性",
    "准确率",
    "可扩展性",
    "资源利用率",
    "用户体验",
    "响应速度",
    "可靠性",
    "吞吐量",
    "收敛速度",
    "显存占用",
    "部署成本",
    "数据利用率",
    "长文本能力",
    "多语言能力",
    "事实准确性",
    "安全性",
    "公平性",
    "可控性",
    "可维护性",
    "能耗",
    "上线速度",
)

QUESTION_TEMPLATES = (
    "{q}{s}在{t}方面有哪些技术？",
    "{q}{s}在{t}方面采用了哪些关键技术来提升{g}？",
    "{q}{s}如何提高{t}的{g}？",
    "{q}{s}是如何实现{t}的？请说明如何兼顾{g}。",
    "{q}请介绍{s}在{t}上的主要技术路线及其对{g}的影响。",
    "{q}{s}在{t}中面临哪些挑战，又是如何改善{g}的？",
    "{q}如何评价{s}在{t}方面的{g}？有哪些改进手段？",
    "{q}{s}在{t}方面有哪些值得关注的技术亮点？",
)
"""Question wordings; a near duplicate uses a different one than its original."""

INTRO_TEMPLATES = (
    "{s}在{t}方面采用了以下技术：",
    "{s}通过以下方法提高{t}的{g}：",
    "{s}主要从以下几个方面实现{t}：",
    "{s}在{t}方面有以下几个技术亮点：",
    "针对{t}，{s}通常采用如下手段：",
    "为了提升{g}，{s}在{t}上做了以下工作：",
)
"""Answer intro lines; a near duplicate uses a different one than its original."""

LABELS = (
    "量化",
    "剪枝",
    "深度压缩",
    "分布式训练",
    "知识蒸馏",
    "低秩分解",
    "稀疏注意力",
    "梯度检查点",
    "混合精度",
    "流水线并行",
    "张量并行",
    "数据并行",
    "动态批处理",
    "缓存复用",
    "早停机制",
    "对抗训练",
    "数据增强",
    "课程学习",
    "多任务学习",
    "对比学习",
    "注意力机制可视化",
    "解释性规则提取",
    "模型压缩与简化",
    "隐私保护",
    "对抗攻击防御",
    "模型混淆",
    "多语言预训练",
    "跨语言迁移",
    "多语言融合",
    "自动化超参数调优",
    "自动化特征选择",
    "自动化模型选择",
    "文本嵌入",
    "融合学习",
    "跨模态预测",
    "指令模板设计",
    "奖励模型训练",
    "近端策略优化",
    "检索结果重排",
    "向量索引构建",
    "旋转位置编码",
    "相对位置偏置",
    "滑动窗口注意力",
    "专家路由",
    "负载均衡损失",
    "去重过滤",
    "质量打分",
    "子词切分",
    "词表扩充",
    "自一致性解码",
    "思维链提示",
    "少样本示例选择",
    "函数调用协议",
    "任务分解",
    "反思与重试",
    "增量学习",
    "弹性权重巩固",
    "差分隐私",
    "安全聚合",
    "投机解码",
    "键值缓存压缩",
    "算子融合",
    "适配器微调",
    "前缀微调",
    "低秩适配（LoRA）",
)
"""Bold labels of the numbered list items."""

METHODS = (
    "降低",
    "去除",
    "引入",
    "共享",
    "复用",
    "重排",
    "拆分",
    "合并",
    "约束",
    "动态调整",
    "自动搜索",
    "逐层校准",
    "并行处理",
    "异步更新",
    "增量构建",
    "在线估计",
    "离线统计",
    "加权融合",
    "逐步蒸馏",
    "稀疏化",
)
OBJECTS = (
    "模型参数的精度",
    "冗余连接和参数",
    "中间激活值",
    "注意力矩阵",
    "训练数据的分布",
    "梯度与优化器状态",
    "输入序列的长度",
    "词表与嵌入层",
    "专家网络的路由",
    "检索到的文档片段",
    "人类偏好数据",
    "解码过程中的候选",
    "不同模态的特征",
    "多轮对话的历史",
    "提示中的示例",
    "外部工具的调用结果",
    "训练过程中的噪声",
    "显存中的键值缓存",
    "模型中间层的表示",
    "用户数据的敏感字段",
)
EFFECTS = (
    "减少",
    "提高",
    "降低",
    "增强",
    "改善",
    "稳定",
    "加快",
    "缩小",
    "扩大",
    "平衡",
)
TARGETS = (
    "模型",
    "训练过程",
    "推理服务",
    "检索系统",
    "生成结果",
    "部署环境",
    "下游任务",
    "整体系统",
    "在线服务",
    "评估流程",
)
METRICS = (
    "大小和计算复杂度",
    "速度和效率",
    "泛化能力",
    "鲁棒性",
    "可解释性",
    "显存占用",
    "响应延迟",
    "吞吐量",
    "准确率和召回率",
    "事实一致性",
    "安全性",
    "稳定性",
    "跨领域适应能力",
    "长距离依赖的建模能力",
    "资源利用率",
)
TABLE_SHARE = 0.05
"""Share of answers that end with a small comparison table (the genre has some)."""

EPILOGUE = (
    "通过以上技术亮点，大语言模型在预训练、多模态学习、模型压缩、模型安全性和可解释性等方面都有了显著提升，"
    "为人工智能领域的发展带来了新的突破。"
)


@dataclass(frozen=True)
class Entry:
    """One generated 面试题/答案 pair."""

    topic: str
    """The ``###`` heading's topic."""
    question: str
    """The question text."""
    intro: str
    """The answer's first line."""
    items: tuple[str, ...]
    """The numbered list items, ``**label**：explanation``."""
    table: str = ""
    """An optional Markdown table after the list."""

    def markdown(self, number: int) -> str:
        """The entry as a section: ``### number. topic``, question paragraph, answer paragraph and list."""
        lines = [
            f"### {number}. {self.topic}",
            "",
            f"**面试题：** {self.question}",
            "",
            f"**答案：** {self.intro}",
            "",
            *(f"{i}. {item}" for i, item in enumerate(self.items, 1)),
        ]
        if self.table:
            lines += ["", self.table]
        return "\n".join(lines) + "\n"


def _item(rng: random.Random, label: str) -> str:
    explanation = (
        f"通过{rng.choice(METHODS)}{rng.choice(OBJECTS)}，"
        f"{rng.choice(EFFECTS)}{rng.choice(TARGETS)}的{rng.choice(METRICS)}"
    )
    if rng.random() < 0.5:
        explanation += f"，同时{rng.choice(EFFECTS)}{rng.choice(TARGETS)}的{rng.choice(METRICS)}"
    return f"**{label}**：{explanation}。"


def _table(rng: random.Random, labels: list[str]) -> str:
    rows = [f"| {label} | {rng.choice(METRICS)} | {rng.choice(('高', '中', '低'))} |" for label in labels]
    return "\n".join(["| 方法 | 主要收益 | 实现成本 |", "|---|---|---|", *rows])


@dataclass(frozen=True)
class _Theme:
    """What a distinct entry is about; its near duplicates keep it and change only the wording."""

    topic: str
    subject: str
    goal: str
    question_template: int
    intro_template: int


def _question(rng: random.Random, theme: _Theme, template: int) -> str:
    qualifier = rng.choice(QUALIFIERS) if rng.random() < QUALIFIER_SHARE else ""
    return QUESTION_TEMPLATES[template].format(q=qualifier, s=theme.subject, t=theme.topic, g=theme.goal)


def _intro(theme: _Theme, template: int) -> str:
    return INTRO_TEMPLATES[template].format(s=theme.subject, t=theme.topic, g=theme.goal)


def _other(rng: random.Random, count: int, but: int) -> int:
    """A random index in ``range(count)`` other than ``but``."""
    index = rng.randrange(count - 1)
    return index + 1 if index >= but else index


def generate_entries(n: int, seed: int = 0) -> list[Entry]:
    """``n`` entries in document order: ~70% distinct, ~15% exact and ~15% near duplicates."""
    if n < 0:
        raise ValueError("n must not be negative")
    rng = random.Random(seed)
    exact = round(n * EXACT_SHARE)
    near = round(n * NEAR_SHARE)
    distinct = n - exact - near
    if distinct < 1:
        distinct, exact, near = n, 0, 0
    owner: dict[tuple[str, str], int] = {}  # (topic, question) → the distinct entry it belongs to
    originals: list[tuple[Entry, _Theme]] = []
    while len(originals) < distinct:
        theme = _Theme(
            topic=rng.choice(TOPICS),
            subject=rng.choice(SUBJECTS),
            goal=rng.choice(GOALS),
            question_template=rng.randrange(len(QUESTION_TEMPLATES)),
            intro_template=rng.randrange(len(INTRO_TEMPLATES)),
        )
        question = _question(rng, theme, theme.question_template)
        if (theme.topic, question) in owner:
            continue  # keep distinct entries distinct: a repeated question would be a conflict
        owner[(theme.topic, question)] = len(originals)
        labels = rng.sample(LABELS, rng.choice((3, 3, 4)))
        items = tuple(_item(rng, label) for label in labels)
        table = _table(rng, labels) if rng.random() < TABLE_SHARE else ""
        originals.append(
            (Entry(theme.topic, question, _intro(theme, theme.intro_template), items, table), theme)
        )

    entries = [entry for entry, _ in originals]
    entries += [rng.choice(originals)[0] for _ in range(exact)]
    made = 0
    while made < near:
        index = rng.randrange(len(originals))
        entry, theme = originals[index]
        question = _question(rng, theme, _other(rng, len(QUESTION_TEMPLATES), theme.question_template))
        if owner.setdefault((theme.topic, question), index) != index:
            continue  # that wording belongs to another entry
        intro = _intro(theme, _other(rng, len(INTRO_TEMPLATES), theme.intro_template))
        entries.append(replace(entry, question=question, intro=intro))
        made += 1
    rng.shuffle(entries)
    return entries


def render_document(entries: list[Entry], title: str = TITLE) -> str:
    """One Markdown document: ``## title``, the numbered entries, the genre's closing paragraph."""
    parts = [f"## {title}\n"]
    parts += [entry.markdown(number) for number, entry in enumerate(entries, 1)]
    parts.append(EPILOGUE + "\n")
    return "\n".join(parts)


def generate(n: int, seed: int = 0) -> str:
    """One Markdown document of ``n`` entries; the same arguments always give the same text."""
    return render_document(generate_entries(n, seed))


def generate_files(n: int, seed: int = 0, files: int = 1) -> dict[str, str]:
    """The same ``n`` entries split into ``files`` documents (file name → text), in order."""
    if files < 1:
        raise ValueError("files must be at least 1")
    entries = generate_entries(n, seed)
    if files == 1:
        return {"bench.md": render_document(entries)}
    width = len(str(files))
    documents: dict[str, str] = {}
    for k in range(files):
        chunk = entries[k * len(entries) // files : (k + 1) * len(entries) // files]
        documents[f"bench-{k + 1:0{width}d}.md"] = render_document(chunk, f"{TITLE}（第{k + 1}部分）")
    return documents


ANSWER_LABEL = "**答案：**"
EDIT = "在实际应用中还需要结合具体业务场景权衡取舍。"
"""The sentence :func:`edit_one` appends."""


def edit_one(text: str) -> str:
    """Change one entry's answer: the first list item of the middle answer of the document gets one more
    sentence. Deterministic; the text must contain at least one answer with a numbered list."""
    starts = []
    position = text.find(ANSWER_LABEL)
    while position != -1:
        starts.append(position)
        position = text.find(ANSWER_LABEL, position + 1)
    if not starts:
        raise ValueError("no answer to edit")
    middle = starts[len(starts) // 2]
    item = text.find("\n1. ", middle)
    if item == -1:
        raise ValueError("the middle answer has no numbered list")
    end = text.find("\n", item + 1)
    end = len(text) if end == -1 else end
    return text[:end] + EDIT + text[end:]


def edited_name(names: list[str]) -> str:
    """Which of the documents :func:`generate_files` returns the rebuild edit goes into: the middle one."""
    return sorted(names)[len(names) // 2]


def write(outdir: Path, n: int, seed: int = 0, files: int = 1, edited: int = 0) -> list[Path]:
    """Write the generated documents into ``outdir`` (created if needed); returns their paths. The middle
    document has :func:`edit_one` applied ``edited`` times (what the rebuild benchmarks read)."""
    outdir.mkdir(parents=True, exist_ok=True)
    documents = generate_files(n, seed, files)
    if edited:
        name = edited_name(list(documents))
        for _ in range(edited):
            documents[name] = edit_one(documents[name])
    paths = []
    for name, text in documents.items():
        path = outdir / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """``python benchmarks/generate.py N OUTDIR [--seed S] [--files K] [--edited]``."""
    parser = argparse.ArgumentParser(description="Write N synthetic interview Q&A entries as Markdown.")
    parser.add_argument("n", type=int, help="number of entries")
    parser.add_argument("outdir", type=Path, help="folder to write into (created if needed)")
    parser.add_argument("--seed", type=int, default=0, help="random seed [default: 0]")
    parser.add_argument("--files", type=int, default=1, help="split into this many files [default: 1]")
    parser.add_argument(
        "--edited",
        action="count",
        default=0,
        help="apply edit_one to the middle file (twice: --edited --edited)",
    )
    args = parser.parse_args(argv)
    if args.n < 0 or args.files < 1:
        parser.error("N must be >= 0 and --files >= 1")
    for path in write(args.outdir, args.n, args.seed, args.files, args.edited):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
