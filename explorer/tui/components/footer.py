"""`Footer`: Textual's footer, rebuilt once per burst of binding changes.

Textual's ``Footer`` recomposes (removes and builds again every key widget, with their styles)
each time the screen signals that its bindings changed, and a screen that mounts, focuses a
widget and loads its content signals it several times in a row: the inspector's first paint
built the footer five times. This one schedules one rebuild and lets the signals that arrive
before it runs share it; the footer it shows is the same.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter

__all__ = ["Footer"]


class Footer(TextualFooter):
    """Textual's ``Footer`` (same look, same CSS type), recomposed at most once per refresh."""

    _rebuild_pending = False

    def bindings_changed(self, screen: Screen[object]) -> None:
        # Textual 8.2.8's handler, with the rebuild coalesced (see the module docstring).
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        # cleared first: a change arriving while the footer is rebuilt schedules another
        self._rebuild_pending = False
        await self.recompose()
