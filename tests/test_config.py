"""``[tool.qa2anki]`` (qa2anki.config): defaults, every key read and validated, the derived deck id and
output path.

test_cli has one wrong value through the CLI (``deck_id = 'x'``) and the deck name's slug as the output
file; test_genre has the label keys at work. Here every key, and every way of getting one wrong.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from qa2anki.config import (
    DEFAULT_DECK_NAME,
    Config,
    config_file,
    config_from_table,
    default_deck_id,
    load_config,
    setting_line,
    slugify,
)
from qa2anki.errors import ConfigError
from tests.conftest import REPO, RunCli


def _write(folder: Path, text: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- defaults --------------------------------------------------------------------------------------------


def test_defaults_without_a_pyproject(tmp_path: Path) -> None:
    """Without pyproject.toml every setting has its documented default."""
    config = load_config(tmp_path)
    assert config == Config()
    assert config.deck_name == DEFAULT_DECK_NAME == "qa2anki"
    assert config.deck_id is None
    assert config.sources == ("source",)
    assert config.output is None
    assert config.near_duplicate_question == 0.85
    assert config.near_duplicate_answer == 0.65
    assert config.reidentify_threshold == 0.6
    assert config.reidentify_margin == 0.1
    assert config.question_labels == () and config.answer_labels == ()
    assert config.heading_questions is True
    assert config.default_output == "build/qa2anki.apkg"
    assert config.resolved_deck_id == default_deck_id("qa2anki")


@pytest.mark.parametrize(
    "text",
    [
        "",
        '[project]\nname = "x"\n',
        '[tool.ruff]\nline-length = 100\n[tool.other]\ndeck_name = "not ours"\n',
        "[tool.qa2anki]\n",
    ],
    ids=["empty", "no-tool-table", "other-tools", "empty-table"],
)
def test_defaults_without_a_qa2anki_table(tmp_path: Path, text: str) -> None:
    """A pyproject.toml without (or with an empty) ``[tool.qa2anki]`` gives the defaults; other tools'
    tables are not read."""
    _write(tmp_path, text)
    assert load_config(tmp_path) == Config()


def test_config_is_frozen() -> None:
    """Settings cannot be changed once read (a build reads them once and passes them around)."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config().deck_name = "other"  # type: ignore[misc]


# --- every key -------------------------------------------------------------------------------------------

FULL = """\
[tool.qa2anki]
deck_name = "  面试题::机器学习  "
deck_id = 1234567890123
sources = ["notes", "extra/one.md"]
output = " dist/deck.apkg "
near_duplicate_question = 0.9
near_duplicate_answer = 1
reidentify_threshold = 0
reidentify_margin = 0.25
question_labels = ["考题", " Question "]
answer_labels = ["参考"]
heading_questions = false
"""


def test_every_key_is_read(tmp_path: Path) -> None:
    """Every key of ``[tool.qa2anki]`` reaches the Config: strings trimmed, lists as tuples, whole numbers
    as floats for the thresholds."""
    _write(tmp_path, FULL)
    config = load_config(tmp_path)
    assert config == Config(
        deck_name="面试题::机器学习",
        deck_id=1234567890123,
        sources=("notes", "extra/one.md"),
        output="dist/deck.apkg",
        near_duplicate_question=0.9,
        near_duplicate_answer=1.0,
        reidentify_threshold=0.0,
        reidentify_margin=0.25,
        question_labels=("考题", "Question"),
        answer_labels=("参考",),
        heading_questions=False,
    )
    assert isinstance(config.near_duplicate_answer, float)
    assert isinstance(config.reidentify_threshold, float)


def test_a_byte_order_mark_is_read_past(tmp_path: Path) -> None:
    """A pyproject.toml saved with a UTF-8 byte order mark (Windows Notepad) is read, not refused as an
    invalid statement at line 1."""
    text = '[tool.qa2anki]\ndeck_name = "测试"\n'
    (tmp_path / "pyproject.toml").write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert load_config(tmp_path).deck_name == "测试"
    assert config_file(tmp_path) == tmp_path / "pyproject.toml"


def test_every_field_is_a_key() -> None:
    """FULL sets every field, so a new setting cannot slip in without a test of its key."""
    table = {line.split(" = ")[0] for line in FULL.splitlines() if " = " in line}
    assert table == {f.name for f in dataclasses.fields(Config)}


def test_the_repositorys_own_settings_load() -> None:
    """This repository's pyproject.toml (the published seed deck) is valid and pins its deck id."""
    config = load_config(REPO)
    assert config.deck_id is not None and config.resolved_deck_id == config.deck_id
    assert config.sources == ("source",)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("deck_id", 1),
        ("deck_id", (1 << 63) - 1),
        ("near_duplicate_question", 0),
        ("near_duplicate_question", 1.0),
        ("reidentify_margin", 0.0),
        ("question_labels", []),
        ("sources", ["."]),
    ],
)
def test_boundary_values_are_accepted(key: str, value: Any) -> None:
    """The ends of each range are allowed: deck ids 1 to 2⁶³-1, thresholds 0 and 1, no extra labels."""
    assert getattr(config_from_table({key: value}), key) == (
        tuple(value) if isinstance(value, list) else value
    )


# --- wrong values ----------------------------------------------------------------------------------------

BAD: list[tuple[str, str, str]] = [
    ("deck_name", "1", "must be a non-empty string"),
    ("deck_name", '"   "', "must be a non-empty string"),
    ("deck_name", '["a"]', "must be a non-empty string"),
    ("deck_id", '"123"', "must be a positive integer"),
    ("deck_id", "0", "must be a positive integer"),
    ("deck_id", "-5", "must be a positive integer"),
    ("deck_id", "1.5", "must be a positive integer"),
    ("deck_id", "true", "must be a positive integer"),
    ("deck_id", "9223372036854775808", "must be a positive integer"),
    ("sources", '"source"', "must be a list of paths"),
    ("sources", "[]", "must be a list of paths"),
    ("sources", '["a", 1]', "must be a list of paths"),
    ("output", '""', "must be a non-empty string"),
    ("output", "false", "must be a non-empty string"),
    ("near_duplicate_question", "1.01", "must be a number from 0 to 1"),
    ("near_duplicate_answer", "-0.1", "must be a number from 0 to 1"),
    ("reidentify_threshold", '"0.6"', "must be a number from 0 to 1"),
    ("reidentify_margin", "true", "must be a number from 0 to 1"),
    ("near_duplicate_question", "nan", "must be a number from 0 to 1"),
    ("near_duplicate_answer", "inf", "must be a number from 0 to 1"),
    ("question_labels", '"考题"', "must be a list of words (no spaces)"),
    ("question_labels", '["两 个"]', "must be a list of words (no spaces)"),
    ("answer_labels", '["  "]', "must be a list of words (no spaces)"),
    ("answer_labels", "[1]", "must be a list of words (no spaces)"),
    ("heading_questions", '"yes"', "must be true or false"),
    ("deck_name", '"面试\\u0000题"', "is refused: the deck name holds a control character"),
    ("deck_name", '"a::::b"', "is refused: a part of the deck name between '::' is empty"),
    ("heading_questions", "1", "must be true or false"),
]
"""A key, a wrong TOML value for it, and what the error says."""


@pytest.mark.parametrize(("key", "value", "says"), BAD, ids=[f"{k}={v}" for k, v, _ in BAD])
def test_a_wrong_value_is_an_error_naming_the_key(tmp_path: Path, key: str, value: str, says: str) -> None:
    """A value of the wrong kind or out of range is a ConfigError naming the file, the key and its line."""
    pyproject = _write(tmp_path, f"[project]\nname = 'x'\n\n[tool.qa2anki]\n{key} = {value}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert (caught.value.path, caught.value.line) == (str(pyproject), 5)
    assert caught.value.message == f"[tool.qa2anki] {key} {says}"


def test_unknown_keys_are_named_sorted(tmp_path: Path) -> None:
    """A misspelt key is not silently ignored: every unknown key is named, sorted."""
    _write(tmp_path, '[tool.qa2anki]\ndeck_name = "d"\nsource = ["a"]\ndeck-id = 5\n')
    with pytest.raises(ConfigError, match=r"unknown keys in \[tool.qa2anki\]: deck-id, source$"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"[tool.qa2anki\ndeck_name = 1\n", "cannot read pyproject.toml: "),
        (b'[tool.qa2anki]\ndeck_name = "a"\ndeck_name = "b"\n', "cannot read pyproject.toml: "),
        ('[tool.qa2anki]\ndeck_name = "面试"\n'.encode("gbk"), "cannot read pyproject.toml: "),
        (b"[tool]\nqa2anki = 5\n", "[tool.qa2anki] must be a table"),
        (b'[tool]\nqa2anki = ["deck_name"]\n', "[tool.qa2anki] must be a table"),
    ],
    ids=["bad-toml", "duplicate-key", "not-utf-8", "number", "list"],
)
def test_an_unreadable_pyproject_is_an_error_naming_it(tmp_path: Path, data: bytes, says: str) -> None:
    """Broken TOML, a file that is not UTF-8, or a ``tool.qa2anki`` that is not a table is a ConfigError
    naming pyproject.toml, never a TOMLDecodeError or UnicodeDecodeError."""
    (tmp_path / "pyproject.toml").write_bytes(data)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert caught.value.path == str(tmp_path / "pyproject.toml")
    assert caught.value.message.startswith(says)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("key", "value", "says"), BAD[::3], ids=[f"{k}={v}" for k, v, _ in BAD[::3]])
def test_the_cli_reports_a_wrong_value_on_one_line(
    project: Path, run_cli: RunCli, key: str, value: str, says: str
) -> None:
    """Through the CLI a wrong value is one ``Error:`` line naming the file, the line and the key, exit 1,
    no traceback."""
    _write(project, f"[tool.qa2anki]\n{key} = {value}\n")
    (project / "source" / "a.md").write_text("**面试题：** 问？\n\n**答案：** 答。\n", encoding="utf-8")
    result = run_cli("check")
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and line.endswith(f"pyproject.toml:2: [tool.qa2anki] {key} {says}")
    assert "Traceback" not in result.output


# --- derived values --------------------------------------------------------------------------------------


def test_resolved_deck_id_is_the_set_id_or_one_derived_from_the_name() -> None:
    """A set deck_id is used as it is; otherwise the id is derived from the name: fixed for a name (so a
    rebuild finds the same deck), in Anki's usual range, and different for another name."""
    assert Config(deck_name="a", deck_id=42).resolved_deck_id == 42
    derived = Config(deck_name="面试题::GPT-4").resolved_deck_id
    assert derived == default_deck_id("面试题::GPT-4") == Config(deck_name="面试题::GPT-4").resolved_deck_id
    assert 1 << 30 <= derived < 1 << 31
    assert Config(deck_name="面试题::GPT-5").resolved_deck_id != derived
    # Published decks carry this id: a change would make a second deck for every user who imports again.
    assert default_deck_id("qa2anki") == 1325907836


def test_default_output_is_the_set_output_or_the_slugged_name() -> None:
    """``output`` wins; without it the deck goes to ``build/<slug of deck_name>.apkg``."""
    assert Config(deck_name="x", output="dist/my.apkg").default_output == "dist/my.apkg"
    assert Config(deck_name="面试题::机器 学习").default_output == "build/面试题-机器-学习.apkg"
    assert Config(deck_name="?!").default_output == "build/deck.apkg"


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("面试题::机器 学习", "面试题-机器-学习"),
        ("ＧＰＴ４ Deck", "gpt4-deck"),
        ("snake__case_name", "snake-case-name"),
        ("--Ünïcode Déck--", "ünïcode-déck"),
        ("../../etc/passwd", "etc-passwd"),
        ("!!!", "deck"),
        ("", "deck"),
    ],
)
def test_slugify_makes_a_safe_file_name(name: str, slug: str) -> None:
    """Letters (any script, NFKC-folded, lower case) and digits joined by ``-``; nothing that could climb
    out of the build folder; ``deck`` when nothing is left."""
    assert slugify(name) == slug


def test_the_project_is_the_nearest_folder_with_qa2anki_settings(tmp_path: Path) -> None:
    """Walking up from a folder, the first pyproject.toml with a [tool.qa2anki] table wins; one without
    that table is passed by; with none at all, the folder itself is the project."""
    from qa2anki.config import config_file, find_project

    outer, inner = tmp_path / "outer", tmp_path / "outer" / "inner" / "deep"
    inner.mkdir(parents=True)
    (outer / "pyproject.toml").write_text("[tool.qa2anki]\ndeck_name = 'x'\n", encoding="utf-8")
    (outer / "inner" / "pyproject.toml").write_text("[project]\nname = 'other'\n", encoding="utf-8")
    assert find_project(inner) == outer and config_file(outer) == outer / "pyproject.toml"
    assert config_file(outer / "inner") is None
    (outer / "inner" / "pyproject.toml").write_text("[tool.qa2anki\nbroken = ", encoding="utf-8")
    assert find_project(inner) == outer / "inner"  # broken but ours: load_config will say what is wrong
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    assert find_project(lonely) in (lonely, *[p for p in lonely.parents if config_file(p)])


def test_setting_line_finds_a_key_in_its_table_only(tmp_path: Path) -> None:
    """Messages about a setting name its line: the key in [tool.qa2anki], not another table's."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\ndeck_name = "x"\n\n[tool.qa2anki]\n# a comment\n  deck_name = "面试"\n', encoding="utf-8"
    )
    assert setting_line(tmp_path, "deck_name") == 6
    assert setting_line(tmp_path, "sources") == 0
    assert setting_line(tmp_path / "missing", "deck_name") == 0
