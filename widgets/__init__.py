"""The notebook panel: ``from widgets import DatasetPanel``.

``DatasetPanel.demo()`` in a cell shows the explorer on the embedded server with demo data,
speaking PostHog Cloud's versioned datasets API (v2; ``DatasetPanel.demo(api="classic")``: the
classic API of older self-hosted PostHog); ``DatasetPanel()``
connects with your settings (environment or profile), classic or v2 as the server answers. The
next cell scripts it: ``panel.dataset``, ``panel.item``, ``panel.items``,
``await panel.open(...)``, ``await panel.select(...)``, ``await panel.search("metadata.tags:x")``,
``await panel.mark_all()``, ``await panel.bulk_set_metadata(...)``, ``panel.to_pandas()``,
``await panel.apply(df)``; on v2 an item's
history: ``await panel.history()``, ``await panel.diff(1, 3)``, ``await panel.restore_version(1)``.
Standard
ipywidgets only (JupyterLab 4, Notebook 7, Voila, VS Code). Everything else in this package is
internal.
"""

from widgets._panel import DatasetPanel

__all__ = ["DatasetPanel"]
