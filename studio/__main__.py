"""`python -m studio …` (also what `accelerate launch -m studio …` runs)."""

from studio.cli import main

raise SystemExit(main())
