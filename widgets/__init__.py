"""The notebook panel: ``from widgets import DatasetPanel``.

``DatasetPanel.demo()`` in a cell shows the explorer on the embedded server with demo data
(``DatasetPanel.demo(api="v2")``: PostHog's versioned datasets API); ``DatasetPanel()``
connects with your settings (environment or profile), classic or v2 as the server answers. The
next cell scripts it: ``panel.dataset``, ``panel.item``, ``panel.items``,
``await panel.open(...)``, ``await panel.select(...)``, ``panel.to_pandas()``. Standard
ipywidgets only (JupyterLab 4, Notebook 7, Voila, VS Code). Everything else in this package is
internal.
"""

from widgets._panel import DatasetPanel

__all__ = ["DatasetPanel"]
