from __future__ import annotations

from qa2anki.cli import main

# Guarded: where worker processes are spawned (not forked), they import this module again.
if __name__ == "__main__":
    main()
