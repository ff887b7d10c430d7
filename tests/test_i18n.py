"""Chinese for Chinese readers: choosing the language, the CLI in both languages, and the catalogue."""

from __future__ import annotations

import io
import json
import re
import string
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner, Result

from qa2anki import i18n, workers
from qa2anki.cli import cli
from tests.conftest import REPO
from tests.test_cli import DOC, write_doc

LOCALE = REPO / "src" / "qa2anki" / "locale"
PO = LOCALE / "zh_CN" / "LC_MESSAGES" / "qa2anki.po"
MO = PO.with_suffix(".mo")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def run(*args: str, **env: str) -> Result:
    """``qa2anki ARGS`` with these environment variables."""
    return CliRunner().invoke(cli, list(args), env=env, prog_name="qa2anki", catch_exceptions=False)


@pytest.mark.parametrize(
    ("option", "env", "expected"),
    [
        (None, {}, "en"),
        (None, {"LANG": "C"}, "en"),
        (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
        (None, {"LANG": "zh_TW.UTF-8"}, "zh"),
        (None, {"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh"),
        (None, {"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, "en"),
        (None, {"LANG": "zh_CN.UTF-8", "LC_ALL": ""}, "zh"),
        (None, {"LANG": "C", "QA2ANKI_LANG": "zh"}, "zh"),
        (None, {"LC_ALL": "zh_CN.UTF-8", "QA2ANKI_LANG": "en"}, "en"),
        ("zh", {"QA2ANKI_LANG": "en", "LANG": "C"}, "zh"),
        ("en", {"QA2ANKI_LANG": "zh", "LC_ALL": "zh_CN.UTF-8"}, "en"),
        (None, {"LANG": "fr_FR.UTF-8"}, "en"),
    ],
)
def test_language_precedence(option: str | None, env: dict[str, str], expected: str) -> None:
    """--lang beats QA2ANKI_LANG, which beats LC_ALL, LC_MESSAGES and LANG (first set wins); every
    Chinese locale is Chinese, every other one English."""
    assert i18n.language_from(option, env) == expected


def test_build_speaks_chinese_in_a_chinese_locale(project: Path) -> None:
    """`LANG=zh_CN.UTF-8 qa2anki build` prints its summary in Chinese; the deck and lock are the same."""
    write_doc(project)
    result = run("build", LANG="zh_CN.UTF-8")
    assert result.exit_code == 0, result.output
    assert "牌组 qa2anki（未找到 [tool.qa2anki]：使用默认设置）" in result.output
    assert "1 个文档，3 个条目 → 2 条唯一笔记（合并了 1 个重复条目），2 个主题" in result.output
    assert "新增 2，更新 0，重新识别 0，恢复 0，未变 0，移除 0" in result.output
    assert "已写入 build/qa2anki.apkg 和 source/qa2anki.lock" in result.output
    assert "document" not in result.output


def test_build_speaks_english_in_the_c_locale(project: Path) -> None:
    """`LANG=C qa2anki build` prints the English summary, and nothing Chinese but the sources' own text."""
    write_doc(project)
    result = run("build", LANG="C")
    assert result.exit_code == 0, result.output
    assert "1 document, 3 entries → 2 unique notes (1 duplicate merged), 2 topics" in result.output
    assert not CHINESE.search(result.output)


def test_counts_agree_with_their_nouns(project: Path) -> None:
    """One entry is "1 entry" and one note "1 unique note"; Chinese reads the counts as one sentence."""
    write_doc(project, "## 基础\n\n**面试题：** 什么是过拟合？\n\n**答案：** 训练集好，测试集差。\n")
    result = run("check", LANG="C")
    assert result.exit_code == 0, result.output
    assert "source/ml.md: 1 entry (bold-label 1)" in result.output
    assert "1 document, 1 entry, 1 unique note; 0 errors, 0 warnings" in result.output
    result = run("--lang", "zh", "check", LANG="C")
    assert "1 个文档，1 个条目，1 条唯一笔记；0 个错误，0 个警告" in result.output
    write_doc(project)
    result = run("--lang", "zh", "build", LANG="C")
    assert result.exit_code == 0, result.output
    assert "1 个文档，3 个条目 → 2 条唯一笔记（合并了 1 个重复条目），2 个主题" in result.output


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("--lang", "zh", "build"), {"LANG": "C"}),
        (("build",), {"LANG": "C", "QA2ANKI_LANG": "zh"}),
        (("build",), {"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}),
    ],
)
def test_chinese_on_request(project: Path, args: tuple[str, ...], env: dict[str, str]) -> None:
    """--lang zh and QA2ANKI_LANG=zh ask for Chinese whatever the locale."""
    write_doc(project)
    result = run(*args, **env)
    assert result.exit_code == 0, result.output
    assert "个文档" in result.output


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("--lang", "en", "build"), {"LANG": "zh_CN.UTF-8"}),
        (("build",), {"LANG": "zh_CN.UTF-8", "QA2ANKI_LANG": "en"}),
        (("--lang", "en", "build"), {"LANG": "C", "QA2ANKI_LANG": "zh"}),
    ],
)
def test_english_on_request(project: Path, args: tuple[str, ...], env: dict[str, str]) -> None:
    """--lang en and QA2ANKI_LANG=en ask for English in a Chinese locale; --lang beats QA2ANKI_LANG."""
    write_doc(project)
    result = run(*args, **env)
    assert result.exit_code == 0, result.output
    assert "1 document, 3 entries" in result.output
    assert not CHINESE.search(result.output)


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("--help",), {"LANG": "zh_CN.UTF-8"}),
        (("--lang", "zh", "--help"), {"LANG": "C"}),
        (("build", "--help"), {"QA2ANKI_LANG": "zh"}),
        (("--lang", "zh", "build", "--help"), {"LANG": "C"}),
        (("--lang", "zh", "preview", "-h"), {"LANG": "C"}),
    ],
)
def test_help_in_chinese(args: tuple[str, ...], env: dict[str, str]) -> None:
    """--help is Chinese in a Chinese locale, and after --lang zh, for the group and every command."""
    result = run(*args, **env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("用法: qa2anki")
    assert "选项:" in result.output
    assert "显示此帮助并退出。" in result.output
    assert "Show this message" not in result.output


def test_help_texts_are_all_translated() -> None:
    """Every help text of every command and option is in Chinese under --lang zh (none left in English)."""
    for command in (None, "build", "check", "list", "preview", "init"):
        args = ["--lang", "zh", *([command] if command else []), "--help"]
        result = run(*args, LANG="C")
        assert result.exit_code == 0, result.output
        english = [
            line for line in result.output.splitlines()[1:] if line.strip() and not CHINESE.search(line)
        ]
        assert english == [], command


def test_help_in_english_by_default() -> None:
    """LANG=C gives click's English help, as before."""
    result = run("build", "--help", LANG="C")
    assert result.output.startswith("Usage: qa2anki build")
    assert "Show what would change; write nothing." in result.output
    assert not CHINESE.search(result.output)


def test_list_json_keys_stay_english(project: Path) -> None:
    """list --json in Chinese has the same keys and statuses as in English: it is an interface."""
    write_doc(project)
    chinese = json.loads(run("list", "--json", LANG="zh_CN.UTF-8").output)
    english = json.loads(run("list", "--json", LANG="C").output)
    assert chinese == english

    def keys(value: object) -> Iterator[str]:
        if isinstance(value, dict):
            for key, inner in value.items():
                yield key
                yield from keys(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from keys(inner)

    assert not any(CHINESE.search(key) for key in keys(chinese))
    assert {note["status"] for note in chinese["notes"]} == {"added"}


def test_errors_speak_the_language(project: Path) -> None:
    """A domain error's message and its `Error:` prefix are translated."""
    (project / "source" / "ml.md").write_text(DOC, encoding="utf-8")
    result = run("build", "missing.md", LANG="zh_CN.UTF-8")
    assert result.exit_code == 1
    assert result.output.startswith("错误：")


@pytest.mark.parametrize(
    "args",
    [
        ("--lang", "zh", "build"),
        ("build", "--lang", "zh"),
        ("build", "--lang=zh"),
        ("build", "-h", "--lang", "zh"),
    ],
)
def test_lang_goes_before_or_after_the_command(project: Path, args: tuple[str, ...]) -> None:
    """``--lang`` is the group's option, but users put it after the command too (``build --lang zh``)."""
    write_doc(project)
    result = run(*args, "--dry-run")
    assert result.exit_code == 0, result.output
    assert CHINESE.search(result.output)


def test_a_run_leaves_the_language_as_it_was(project: Path) -> None:
    """The CLI speaks Chinese for one run, then the library is English again (no state leaks)."""
    write_doc(project)
    assert run("--lang", "zh", "build", "--dry-run").exit_code == 0
    assert i18n.language() == "en"
    assert i18n.gettext("Options") == "Options"


def test_spawned_workers_speak_the_build_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers started afresh (macOS, Windows) speak the language of the build that started them, so the
    parse problems they find are in it."""
    monkeypatch.setattr(workers, "START_METHOD", "spawn")
    with i18n.speaking("zh"), workers.process_pool(1) as pool:
        assert pool.submit(i18n.language).result() == "zh"


def _catalogue() -> Catalog:
    with PO.open("rb") as po:
        return read_po(po)


def _extracted() -> dict[str, tuple[str, ...]]:
    """Every message marked in the code, as ``pybabel extract -F babel.cfg`` finds it: msgid → its forms."""
    with (REPO / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {}
    for _path, _line, message, _comments, _context in extract_from_dir(REPO, method_map, options_map):
        forms = (message,) if isinstance(message, str) else tuple(message)
        found[forms[0]] = forms
    return found


def test_every_marked_message_is_translated() -> None:
    """What the code marks for translation is in the catalogue, translated, and not fuzzy (`make i18n`
    updates the catalogue; then translate what it added)."""
    catalogue = _catalogue()
    extracted = _extracted()
    assert len(extracted) > 50
    untranslated = []
    for msgid, forms in extracted.items():
        message = catalogue.get(msgid)
        if message is None or message.fuzzy or not all(_forms(message)):
            untranslated.append(msgid)
        elif len(forms) > 1:
            assert isinstance(message.id, tuple), msgid
    assert untranslated == []


def test_catalogue_has_nothing_stale() -> None:
    """Every message in the catalogue is still in the code (`make i18n` drops the others)."""
    extracted = _extracted()
    stale = [
        m.id for m in _catalogue() if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in extracted
    ]
    assert stale == []


def _forms(message: Message) -> tuple[str, ...]:
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


def _placeholders(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}


def test_translations_keep_the_placeholders() -> None:
    """A translation uses exactly the named placeholders of its msgid, so `.format()` can never fail."""
    for message in _catalogue():
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else message.id
        for form in _forms(message):
            assert _placeholders(form) == _placeholders(ids[-1]), message.id


def test_committed_mo_is_compiled_from_the_po() -> None:
    """The committed .mo (what gettext reads at run time) is exactly what `pybabel compile` makes of the
    .po: run `make i18n` after editing a translation."""
    compiled = io.BytesIO()
    write_mo(compiled, _catalogue())
    assert MO.read_bytes() == compiled.getvalue()


def test_the_mo_is_package_data() -> None:
    """pyproject.toml ships the compiled catalogues in the wheel (setuptools package data)."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["qa2anki"]
    package = REPO / "src" / "qa2anki"
    shipped = {path for pattern in patterns for path in package.glob(pattern)}
    assert MO in shipped
    assert "babel" not in " ".join(config["project"]["dependencies"]).lower()


WARNED = """\
### 1. 过拟合

**面试题：** 什么是过拟合？

**答案：**
"""
"""A document whose only entry has an empty answer: a warning, and nothing to build."""


def test_problems_speak_the_language(project: Path) -> None:
    """Parse warnings from the library, their severity, and the error that stops the build are Chinese."""
    write_doc(project, WARNED)
    checked = run("check", LANG="zh_CN.UTF-8")
    assert "source/ml.md:5: 警告: 答案为空；已跳过该条目" in checked.output
    assert "source/ml.md: 0 个条目\n1 个文档，0 个条目，0 条唯一笔记；1 个错误，2 个警告" in checked.output
    built = run("build", LANG="zh_CN.UTF-8")
    assert built.exit_code == 1
    assert built.output.splitlines()[-2:] == [
        "source: 错误: 源文件中没有 面试题/答案 条目；没有可构建的内容",
        "错误：发现 1 个错误；未写入任何文件",
    ]
    assert "source/ml.md:5: 警告: 答案为空；已跳过该条目" in built.output  # why there is nothing


def test_cached_problems_follow_the_language(project: Path) -> None:
    """Parse problems are kept in the section cache; a build in the other language does not take them
    from there in the wrong language."""
    write_doc(project, DOC + WARNED.replace("### 1. 过拟合", "### 4. 欠拟合"))
    english = "empty answer; the entry is skipped"
    chinese = "答案为空；已跳过该条目"
    for lang, expected, other in [("C", english, chinese), ("zh_CN.UTF-8", chinese, english)] * 2:
        result = run("build", LANG=lang)
        assert result.exit_code == 0, result.output
        assert expected in result.output
        assert other not in result.output


def test_source_errors_speak_the_language(project: Path) -> None:
    """A missing source says where it looked, in Chinese."""
    result = run("build", "missing.md", LANG="zh_CN.UTF-8")
    assert result.exit_code == 1
    assert result.output.startswith("错误：missing.md: 没有这个文件或文件夹（查找位置：")


def test_readmes_link_to_each_other() -> None:
    """The English and the Chinese user guides name each other in their first lines."""
    english = (REPO / "README.md").read_text(encoding="utf-8").splitlines()[:5]
    chinese = (REPO / "README.zh-CN.md").read_text(encoding="utf-8").splitlines()[:5]
    assert any("(README.zh-CN.md)" in line for line in english)
    assert any("(README.md)" in line for line in chinese)


def test_the_preview_page_speaks_the_language(project: Path) -> None:
    """The preview page's own words (sides, search box, night mode, statuses, merge kinds, problems)
    follow the language of the run; the cards are the documents' own text either way."""
    write_doc(project, DOC)
    assert run("preview", LANG="zh_CN.UTF-8").exit_code == 0
    page = (project / "build" / "preview.html").read_text(encoding="utf-8")
    for words in ("正面", "背面", "搜索问题、答案、标签、文件…", "夜间模式", "新增", "主条目"):
        assert words in page, words
    for words in (">Front<", ">Back<", '"pv-night"> night mode<', "Search questions"):
        assert words not in page, words
    assert run("preview", LANG="C").exit_code == 0
    english = (project / "build" / "preview.html").read_text(encoding="utf-8")
    assert ">Front<" in english and '"pv-night"> night mode<' in english
