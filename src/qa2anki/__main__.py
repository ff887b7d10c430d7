from __future__ import annotations

from qa2anki.cli import main

main()
