"""`python -m core` is the same as the `marquee` console script."""

from core.cli import main

raise SystemExit(main())
