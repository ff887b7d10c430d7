"""Errors and problems print as ``file:line: message``, leaving out what is not known; problems sort by
file, then line."""

from __future__ import annotations

import dataclasses

import pytest

from qa2anki.errors import (
    ConfigError,
    LockError,
    Problem,
    ProblemsFound,
    Qa2AnkiError,
    SchemaError,
    Severity,
    SourceError,
    format_location,
)


def test_format_location_leaves_out_what_is_not_known() -> None:
    assert format_location("a.md", 3, "bad") == "a.md:3: bad"
    assert format_location("a.md", None, "bad") == "a.md: bad"
    assert format_location(None, None, "bad") == "bad"
    assert format_location(None, 3, "bad") == "bad"  # a line means nothing without its file


def test_error_prints_its_place_and_keeps_its_parts() -> None:
    error = Qa2AnkiError("no such file", path="a.md", line=7)
    assert str(error) == "a.md:7: no such file"
    assert (error.message, error.path, error.line) == ("no such file", "a.md", 7)
    assert error.exit_code == 1


def test_error_without_a_place_is_its_message() -> None:
    assert str(Qa2AnkiError("not whole seconds")) == "not whole seconds"
    assert str(Qa2AnkiError("unreadable", path="docs/qa2anki.lock")) == "docs/qa2anki.lock: unreadable"


@pytest.mark.parametrize("kind", [SourceError, ConfigError, LockError, SchemaError])
def test_every_domain_error_is_a_qa2anki_error(kind: type[Qa2AnkiError]) -> None:
    """The CLI catches Qa2AnkiError alone; each kind prints like it."""
    with pytest.raises(Qa2AnkiError) as caught:
        raise kind("broken", path="x.toml", line=2)
    assert type(caught.value) is kind
    assert str(caught.value) == "x.toml:2: broken"
    assert caught.value.exit_code == 1


def test_problems_found_carries_the_problems() -> None:
    problems = (
        Problem("a.md", 3, Severity.ERROR, "image is outside the sources folder"),
        Problem("b.md", 0, Severity.WARNING, "no entries"),
    )
    error = ProblemsFound("2 problems", problems)
    assert isinstance(error, Qa2AnkiError)
    assert error.problems == problems
    assert str(error) == "2 problems"
    assert error.path is None and error.line is None


def test_problem_prints_file_line_severity_message() -> None:
    assert str(Problem("a.md", 12, Severity.ERROR, "question without an answer")) == (
        "a.md:12: error: question without an answer"
    )
    assert str(Problem("dir/b.md", 1, Severity.WARNING, "empty topic")) == "dir/b.md:1: warning: empty topic"


def test_problem_about_the_whole_file_has_no_line() -> None:
    """Line 0 means the whole file: it is left out rather than printed as ``:0``."""
    assert str(Problem("a.md", 0, Severity.ERROR, "no entries")) == "a.md: error: no entries"


def test_severity_is_its_word() -> None:
    assert Severity("error") is Severity.ERROR
    assert Severity("warning") is Severity.WARNING
    assert f"{Severity.ERROR}" == "error"


def test_problems_sort_by_file_then_line_then_severity_then_message() -> None:
    """Reports list problems in reading order; at one place errors come before warnings."""
    late = Problem("b.md", 1, Severity.ERROR, "x")
    whole_file = Problem("a.md", 0, Severity.WARNING, "x")
    line_2 = Problem("a.md", 2, Severity.ERROR, "z")
    line_10_warning = Problem("a.md", 10, Severity.WARNING, "a")
    line_10_error_b = Problem("a.md", 10, Severity.ERROR, "b")
    line_10_error_a = Problem("a.md", 10, Severity.ERROR, "a")
    shuffled = [late, line_10_warning, line_2, line_10_error_b, whole_file, line_10_error_a]
    assert sorted(shuffled) == [whole_file, line_2, line_10_error_a, line_10_error_b, line_10_warning, late]


def test_problems_are_values() -> None:
    """Equal problems are equal and hash alike (so they can be deduplicated); a problem cannot change."""
    problem = Problem("a.md", 3, Severity.ERROR, "bad")
    assert problem == Problem("a.md", 3, Severity.ERROR, "bad")
    assert len({problem, Problem("a.md", 3, Severity.ERROR, "bad")}) == 1
    assert problem != Problem("a.md", 3, Severity.WARNING, "bad")
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.line = 4  # type: ignore[misc]
