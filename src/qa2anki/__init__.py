"""qa2anki: Markdown interview Q&A documents → an Anki deck that keeps review history."""

from __future__ import annotations

__version__ = "0.1.0"
