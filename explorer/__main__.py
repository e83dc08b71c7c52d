"""``python -m explorer``: the same as the ``dataset-explorer`` command."""

from explorer.cli import main

raise SystemExit(main())
