"""Key bindings in the UI language.

Textual reads BINDINGS when a class is made, at import, before the language is known; so they
stay English (marked with N_ for the catalog) and every screen, modal and widget translates its
own copy when it is made. The footer, the key panel and the command palette all read that copy.
"""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from calldesk.i18n import _


def translate_bindings(node: DOMNode) -> None:
    """Replace `node`'s bindings by copies with translated descriptions and tooltips."""
    keys = node._bindings.key_to_bindings  # a copy per node: the class's lists stay untouched
    for key, bindings in keys.items():
        keys[key] = [replace(binding, description=_(binding.description) if binding.description else "",
                             tooltip=_(binding.tooltip) if binding.tooltip else "")
                     for binding in bindings]
