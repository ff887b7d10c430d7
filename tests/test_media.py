"""Images beside the sources are packed by content; escapes and absolute paths are refused."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import PNG, RunCli, read_apkg, read_apkg_media


def entry(question: str, image: str, heading: str = "图") -> str:
    return f"### {heading}\n\n**面试题：** {question}\n\n**答案：** 见图：\n\n![结构图]({image})\n"


def deck(project: Path) -> tuple[dict[str, str], list[str]]:
    """The packed media (index → name) and every note's fields joined, from build/qa2anki.apkg."""
    path = project / "build" / "qa2anki.apkg"
    return read_apkg_media(path), ["\x1f".join(note.fields) for note in read_apkg(path).values()]


def test_images_are_packed_under_content_names(project: Path, run_cli: RunCli) -> None:
    """Two different image.png never collide, one file used twice is stored once, cards point at them."""
    source = project / "source"
    (source / "a").mkdir()
    (source / "b").mkdir()
    (source / "a" / "image.png").write_bytes(PNG)
    (source / "b" / "image.png").write_bytes(PNG + b"different")
    (source / "a" / "one.md").write_text(entry("甲？", "image.png") + entry("乙？", "./image.png", "图二"))
    (source / "b" / "two.md").write_text(entry("丙？", "image.png", "图三"))
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    media, fields = deck(project)
    names = sorted(media.values())
    assert len(names) == 2 and all(n.startswith("qa2anki-") and n.endswith(".png") for n in names)
    answers = "\n".join(fields)
    assert all(f'src="{name}"' in answers for name in names)
    assert 'src="image.png"' not in answers


def test_escaping_and_absolute_images_are_refused(project: Path, run_cli: RunCli) -> None:
    """../ escapes stop the build with file:line, and nothing is written. Absolute paths (Typora's default
    for pasted screenshots) are left out with a warning at their line: the rest of the deck builds, and
    the file is never read."""
    (project / "secret.png").write_bytes(PNG)
    (project / "source" / "a.md").write_text(entry("甲？", "../secret.png"), encoding="utf-8")
    result = run_cli("build")
    assert result.exit_code == 1
    assert "source/a.md:7: error: image '../secret.png' is outside the sources folder" in result.output
    assert not (project / "build" / "qa2anki.apkg").exists()
    (project / "source" / "a.md").write_text(entry("甲？", str(project / "secret.png")), encoding="utf-8")
    result = run_cli("check")
    assert result.exit_code == 0
    assert "is an absolute path and is left out of the deck" in result.output
    # Typora's own folder on Windows: left out by name, not read.
    typora = "C:\\Users\\me\\AppData\\Roaming\\Typora\\typora-user-images\\image-1.png"
    (project / "source" / "a.md").write_text(entry("甲？", typora), encoding="utf-8")
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    assert "source/a.md:7: warning: image 'C:\\\\Users" in result.output
    assert "is an absolute path and is left out of the deck" in result.output
    assert read_apkg_media(project / "build" / "qa2anki.apkg") == {}


def test_missing_image_is_a_warning(project: Path, run_cli: RunCli) -> None:
    """A missing image is reported as file:line and the rest still builds."""
    (project / "source" / "a.md").write_text(entry("甲？", "nowhere.png"), encoding="utf-8")
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    assert "source/a.md:7: warning: image 'nowhere.png' not found" in result.output


def test_web_images_are_left_alone(project: Path, run_cli: RunCli) -> None:
    """An https image is neither packed nor refused."""
    (project / "source" / "a.md").write_text(entry("甲？", "https://example.org/x.png"), encoding="utf-8")
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    media, fields = deck(project)
    assert media == {} and 'src="https://example.org/x.png"' in fields[0]


def test_an_html_image_as_typora_writes_it_is_packed(project: Path, run_cli: RunCli) -> None:
    """``<img src=… width=…>`` (Typora, once an image is resized) is an image: packed, its size kept."""
    source = project / "source"
    (source / "image.png").write_bytes(PNG)
    text = '### 图\n\n**面试题：** 甲？\n\n**答案：** 见图：<img src="image.png" width="300">\n'
    (source / "a.md").write_text(text, encoding="utf-8")
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    (name,) = deck(project)[0].values()
    (fields,) = deck(project)[1]
    assert f'<img src="{name}" alt="" width="300" />' in fields and "&lt;img" not in fields


def test_an_obsidian_embed_is_found_by_name_in_the_sources(project: Path, run_cli: RunCli) -> None:
    """``![[Pasted image ….png]]``, as Obsidian pastes an image, with the file in an attachments folder:
    found by its name anywhere in the sources (hidden folders aside), as Obsidian finds it, and packed."""
    source = project / "source"
    (source / "notes").mkdir()
    (source / "attachments").mkdir()
    (source / ".trash").mkdir()
    (source / "attachments" / "Pasted image 1.png").write_bytes(PNG)
    (source / ".trash" / "Pasted image 1.png").write_bytes(PNG + b"old")
    text = "### 网络\n\n**面试题：** 三次握手？\n\n**答案：** 见图：\n\n![[Pasted image 1.png|300]]\n"
    (source / "notes" / "net.md").write_text(text, encoding="utf-8")
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    media, fields = deck(project)
    (name,) = media.values()
    assert f'<img src="{name}" alt="" width="300" />' in "\n".join(fields)


def test_an_image_name_found_twice_in_the_sources_is_a_warning(project: Path, run_cli: RunCli) -> None:
    source = project / "source"
    for folder in ("a", "b"):
        (source / folder).mkdir()
        (source / folder / "shot.png").write_bytes(PNG + folder.encode())
    (source / "net.md").write_text(entry("甲？", "shot.png"), encoding="utf-8")
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    assert (
        "source/net.md:7: warning: image 'shot.png' is not beside its document, and 2 source files have "
        "that name"
    ) in result.output
    assert read_apkg_media(project / "build" / "qa2anki.apkg") == {}
