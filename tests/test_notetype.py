"""The published note type's schema: changing it breaks every user's re-import, so it is pinned here."""

from __future__ import annotations

import re

import pytest

from qa2anki.notetype import NOTE_TYPE


def test_schema_is_frozen() -> None:
    """Model id, field names and order, and template names never change."""
    assert NOTE_TYPE.schema == {
        "id": 1732801987,
        "fields": ["Question", "Answer", "Topic", "Source"],
        "templates": ["Card 1"],
    }


def test_templates_use_every_field() -> None:
    """Each field appears in the card templates, so nothing built is invisible."""
    _, front, back = NOTE_TYPE.templates[0]
    for name in NOTE_TYPE.fields:
        assert "{{" + name + "}}" in front + back


# --- contrast ------------------------------------------------------------------------------------------
# Every text on the card meets WCAG AA (4.5:1) in light and in night mode. The ratios are computed from the
# note type's own CSS: each text rule's colour, the night-mode rule that overrides it (or, with none, the
# light colour, which is what night mode then shows), over the card's background in that mode, with the
# translucent backgrounds of code blended over it.

LIGHT_BACKGROUND, NIGHT_BACKGROUND = "#ffffff", "#1e1e1e"
NIGHT = (".nightMode", ".night_mode")


def _rules(css: str) -> list[tuple[list[str], dict[str, str]]]:
    rules = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
        declarations = dict(
            (name.strip(), value.strip())
            for name, _, value in (part.partition(":") for part in body.split(";"))
            if value.strip()
        )
        rules.append(([s.strip() for s in selectors.split(",")], declarations))
    return rules


def _colour(selector: str, prop: str, night: bool) -> str | None:
    """The value of ``prop`` for an element matched by ``selector`` in one mode (the last rule wins)."""
    found = None
    for selectors, declarations in _rules(NOTE_TYPE.css):
        for candidate in selectors:
            is_night = any(marker in candidate for marker in NIGHT)
            plain = candidate
            for marker in NIGHT:
                plain = plain.replace(marker + ".card", ".card").replace(marker + " ", "").replace(marker, "")
            plain = plain.replace(".card.night_mode", ".card").strip()
            if plain == selector and prop in declarations and (night or not is_night):
                found = declarations[prop]
    return found


def _variable(name: str, night: bool) -> str:
    value = _colour(":root", name, False)
    if night:
        value = _colour("", name, True) or value
    assert value is not None, name
    return value


def _rgb(value: str, night: bool) -> tuple[float, float, float]:
    if value.startswith("var("):
        value = _variable(value[4:-1], night)
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = map(channel, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _blend(over: str, under: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b, a = (float(x) for x in re.findall(r"[\d.]+", over))
    return (r * a + under[0] * (1 - a), g * a + under[1] * (1 - a), b * a + under[2] * (1 - a))


def _ratio(fore: tuple[float, float, float], back: tuple[float, float, float]) -> float:
    light, dark = sorted((_luminance(fore), _luminance(back)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


TEXTS = [".card", ".qa-topic", ".qa-answer strong", "blockquote", ".qa-alternative-label", ".qa-source"]
TOKENS = ["comment", "keyword", "string", "number", "function", "class", "tag", "constant"]


@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
def test_every_text_meets_wcag_aa(night: bool) -> None:
    card = _rgb(NIGHT_BACKGROUND if night else LIGHT_BACKGROUND, night)
    ratios = {}
    for selector in TEXTS:
        colour = _colour(selector, "color", night) or _colour(".card", "color", night)
        assert colour is not None
        ratios[selector] = _ratio(_rgb(colour, night), card)
    code = _blend(_colour("pre", "background", False) or "", card)
    for token in TOKENS:
        ratios[f"code {token}"] = _ratio(_rgb(f"var(--qa-hl-{token})", night), code)
    for change in ("inserted", "deleted"):
        fore, back = f"var(--qa-hl-{change})", f"var(--qa-hl-{change}-bg)"
        ratios[f"code {change}"] = _ratio(_rgb(fore, night), _rgb(back, night))
    low = {what: round(ratio, 2) for what, ratio in ratios.items() if ratio < 4.5}
    assert not low, f"below 4.5:1 in {'night' if night else 'light'} mode: {low}"
