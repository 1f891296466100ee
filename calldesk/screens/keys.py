"""The key bar at the bottom of every screen."""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeysFooter(Footer):
    """Textual's footer, rebuilt only when the keys it shows change.

    Textual's own footer recomposes all its key widgets, each restyled as it mounts, whenever
    the bindings *may* have changed: every focus move, every screen shown, and on screens
    underneath too. A call moved focus and greyed keys several times before its first frame:
    a good part of the time from `n` to the lead on screen, for the same keys each time.
    Here a hidden footer waits for its screen to be shown, and a key that is only greyed or
    un-greyed is restyled in place."""

    _shown: tuple[Hashable, ...] | None = None  # the keys composed, as _keys_shown gives them

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = _keys_shown(self.screen)
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if self._bindings_ready and self.is_attached and screen is self.screen and self._shown is not None:
            if not screen.is_current:
                return  # its screen refreshes its bindings when it is shown again
            shown = _keys_shown(screen)
            if shown == self._shown:
                return
            if [key[:-1] for key in shown] == [key[:-1] for key in self._shown]:
                self._shown = shown
                enabled = {(key[0], key[1]): key[-1] for key in shown}
                for widget in self.query(FooterKey):
                    state = enabled.get((widget.key, widget.action))
                    if state is not None:
                        widget._disabled = not state  # FooterKey's own flag: a click on it rings
                        widget.set_class(not state, "-disabled")
                return
        super().bindings_changed(screen)


def _keys_shown(screen: Screen) -> tuple[Hashable, ...]:
    """What the footer shows: per key, its action, label and tooltip, then whether it is enabled."""
    return tuple((binding.key, binding.action, binding.description, binding.key_display, tooltip, enabled)
                 for _node, binding, enabled, tooltip in screen.active_bindings.values() if binding.show)
