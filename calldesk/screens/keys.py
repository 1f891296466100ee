"""The key bar at the bottom of every screen, and the keys the config's [keys] moved.

The footer and the ? panel (Textual's) read the screen's active bindings, in which Textual has
already put the keys of `App.set_keymap` (the app sets the config's keymap when it is made)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping

from rich.cells import cell_len
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

from calldesk.screens.textual_hooks import FooterKey, footer_ready, keymap_of, own_bindings, set_key_disabled

NARROW = 100  # below this width the keys are packed closer (Footer's compact style)
# Keys a narrow footer leaves out first (? lists them): those a caller needs least often.
SPARE = frozenset({"script.clear", "script.note", "call.edit", "call.log_contact", "queue.add", "queue.pipeline",
                   "queue.assign", "queue.refresh", "schedule.refresh", "schedule.select_all", "app.quit"})


class KeysFooter(Footer):
    """Textual's footer, rebuilt only when the keys it shows change.

    Textual's own footer recomposes all its key widgets, each restyled as it mounts, whenever
    the bindings *may* have changed: every focus move, every screen shown, and on screens
    underneath too. A call moved focus and greyed keys several times before its first frame:
    a good part of the time from `n` to the lead on screen, for the same keys each time.
    Here a hidden footer waits for its screen to be shown, and a key that is only greyed or
    un-greyed is restyled in place."""

    _shown: tuple[Hashable, ...] | None = None  # the keys composed, as _keys_shown gives them
    _fitted_to = -1  # the width the keys were last fitted to

    def compose(self) -> ComposeResult:
        if footer_ready(self):
            self._shown = _keys_shown(self.screen)
        if not keymap_of(self.app) or not footer_ready(self):
            yield from super().compose()
            return
        # Textual puts a key the keymap moved after the other keys of its screen (BindingsMap.
        # apply_keymap): back in its BINDINGS' place, as the narrow footer drops keys from the end.
        widgets = list(super().compose())
        keys = [widget for widget in widgets if isinstance(widget, FooterKey)]
        yield from sorted(keys, key=_default_place(self.screen)) if len(keys) == len(widgets) else widgets

    async def recompose(self) -> None:
        await super().recompose()
        self._fitted_to = -1
        self.fit()

    def on_mount(self) -> None:
        self.call_after_refresh(self.fit)

    def on_resize(self, event: events.Resize) -> None:
        self.fit()

    def fit(self) -> None:
        """Show the keys the footer has room for, and always ? (help), which lists them all:
        on a narrow terminal the palette's key goes first, then the SPARE keys, then others
        from the end, rather than ? and whatever follows it being cut off at the edge."""
        width = self.size.width
        if not width or width == self._fitted_to:
            return
        self._fitted_to = width
        self.compact = width < NARROW
        ids = {(binding.key, binding.action): binding.id
               for _node, binding, _enabled, _tooltip in self.screen.active_bindings.values()}
        keys = list(self.query(FooterKey))
        for key in keys:
            key.display = True
        palette = [key for key in keys if key.has_class("-command-palette")]
        others = [key for key in reversed(keys) if key not in palette and not key.action.endswith("toggle_help")]
        spare = [key for key in others if ids.get((key.key, key.action)) in SPARE]
        used = sum(self._width(key) for key in keys) + 2 * len(palette)  # the palette key's border and padding
        for key in palette + spare + [key for key in others if key not in spare]:
            if used <= width:
                break
            key.display = False
            used -= self._width(key) + (2 if key in palette else 0)

    def _width(self, key: FooterKey) -> int:
        """The cells a key takes (FooterKey's paddings, compact or not, and margin)."""
        text = cell_len(key.key_display) + (cell_len(key.description) + 1 if key.description else 0)
        return text + (1 if self.compact else 2)

    def bindings_changed(self, screen: Screen) -> None:
        if footer_ready(self) and self.is_attached and screen is self.screen and self._shown is not None:
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
                        set_key_disabled(widget, not state)  # a click on a greyed key rings
                return
        super().bindings_changed(screen)


def _default_place(screen: Screen) -> Callable[[FooterKey], int]:
    """A footer key's place without the keymap: where its binding's default key first comes in
    the binding chain, as Screen.active_bindings orders keys (a node's own `_bindings` are not
    remapped; the chain's copies are)."""
    first: dict[str, int] = {}
    of_id: dict[str, int] = {}
    for node in own_bindings(screen):
        for key, binding in node:
            place = first.setdefault(key, len(first))
            if binding.id:
                of_id.setdefault(binding.id, place)
    ids = {(binding.key, binding.action): binding.id
           for _node, binding, _enabled, _tooltip in screen.active_bindings.values()}

    def default_place(widget: FooterKey) -> int:
        binding_id = ids.get((widget.key, widget.action))
        return of_id[binding_id] if binding_id in of_id else first.get(widget.key, len(first))

    return default_place


def _keys_shown(screen: Screen) -> tuple[Hashable, ...]:
    """What the footer shows: per key, its action, label and tooltip, then whether it is enabled."""
    return tuple((binding.key, binding.action, binding.description, binding.key_display, tooltip, enabled)
                 for _node, binding, enabled, tooltip in screen.active_bindings.values() if binding.show)


def shown_key(app: App, binding: Binding, keymap: Mapping[str, str]) -> str:
    """The key `binding` runs on, for the command palette: a class's BINDINGS keep the default,
    the keymap (action id → keys) has the one in effect, shown as the footer shows it."""
    moved = keymap.get(binding.id) if binding.id else None
    if not moved:
        return binding.key_display or binding.key
    return app.get_key_display(binding.with_key(moved.split(",")[0], key_display=None))
