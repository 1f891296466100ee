"""Textual's private parts that calldesk relies on, in one place (Textual 8.2).

Each works around something Textual does not offer or does wrongly for a desk that runs all day;
the other screens modules use these, never a `._` of Textual's. After a Textual upgrade, check
these first: tests/test_call_screen.py (memory, the footer's greyed keys), tests/test_layout.py
(the footer) and tests/test_i18n.py (translated keys) fail when one stops working.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from textual._styles_cache import StylesCache
from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Footer

# FooterKey, one key of the footer, is not exported by textual.widgets: KeysFooter (keys.py)
# fits, greys and measures the keys the footer composed.
from textual.widgets._footer import FooterKey

__all__ = ["FooterKey", "clear_styles_cache", "footer_ready", "key_bindings", "keymap_of", "own_bindings",
           "prune_watchers", "set_key_disabled"]


def key_bindings(node: DOMNode) -> dict[str, list[Binding]]:
    """`node`'s own bindings by key (a copy per node of its class's): translate.py replaces them
    by translated ones. Textual reads BINDINGS once per class, at import, and has no hook for a
    description in the UI language (none that the footer, key panel and palette all read)."""
    return node._bindings.key_to_bindings


def keymap_of(app: App) -> Mapping[str, str]:
    """The keymap the app was given (App.set_keymap): Textual keeps it, normalised, in `_keymap`
    and has no public getter; the footer needs it to put moved keys back in their place."""
    return app._keymap


def own_bindings(screen: Screen) -> Iterator[BindingsMap]:
    """Each node's own bindings along the screen's binding chain, as BINDINGS declared them
    (before the keymap moved any): Screen.active_bindings gives only the remapped copies, so
    the footer could not keep a moved key in its BINDINGS' place (`_modal_binding_chain`)."""
    for node, _remapped in screen._modal_binding_chain:
        yield node._bindings


def footer_ready(footer: Footer) -> bool:
    """Whether Textual's footer has been told its screen's bindings yet (before that, composing
    it lists nothing). KeysFooter skips Footer's recompose on every bindings change, which
    restyles all its keys each focus move and each screen shown (Textual 8.2
    Footer.bindings_changed; no Textual issue found), so it must know when the keys are there."""
    return bool(footer._bindings_ready)


def set_key_disabled(key: FooterKey, disabled: bool) -> None:
    """Grey a footer key in place instead of recomposing the footer: FooterKey keeps its state
    in `_disabled` (read on a click: a greyed key rings the bell instead of pressing)."""
    key._disabled = disabled
    key.set_class(disabled, "-disabled")


def prune_watchers(nodes: Iterable[DOMNode]) -> int:
    """Drop, from `nodes`, watchers whose widget has been removed; returns how many went.

    Textual keeps a removed widget registered as a watcher of what it watched (the app's theme
    and title, a footer's `compact`) until that attribute next changes (Textualize/textual#6666):
    every call screen closed and every footer redrawn would stay in memory all day, and full
    garbage collections grow with them. The watchers live in a name-mangled `__watchers` dict."""
    dropped = 0
    for node in nodes:
        for watchers in getattr(node, "__watchers", {}).values():
            kept = [(reactable, callback) for reactable, callback in watchers
                    if not (reactable._closing or reactable._closed)]
            dropped += len(watchers) - len(kept)
            watchers[:] = kept
    return dropped


def clear_styles_cache() -> None:
    """Textual memoises StylesCache.get_inner_outer per cache object (functools.lru_cache of
    1,024), which holds closed widgets' rendered lines: ~4,000 objects a call
    (Textualize/textual#6665)."""
    StylesCache.get_inner_outer.cache_clear()
