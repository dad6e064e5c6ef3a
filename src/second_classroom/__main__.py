"""``python -m second_classroom``."""

from second_classroom.cli import main

raise SystemExit(main())
