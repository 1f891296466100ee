"""Key bindings in the UI language.

Textual reads BINDINGS when a class is made, at import, before the language is known; so they
stay English (marked with N_ for the catalog) and every screen, modal and widget translates its
own copy when it is made. The footer, the key panel and the command palette all read that copy.
Textual's own widgets (a table's cursor keys, an input's editing keys) are translated when they
first take the focus (`translate_widget`, from the app): the key panel shows the focused one's.
"""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from calldesk.i18n import N_, _
from calldesk.screens.textual_hooks import key_bindings

_DONE = "_calldesk_translated"  # set on a node whose bindings are translated

# The descriptions of Textual's own widgets' keys (DataTable, Input, OptionList, TextArea and
# the command palette, Textual 8), for the catalog.
TEXTUAL_WIDGET_TEXTS = (
    N_("Cursor up"), N_("Cursor down"), N_("Cursor left"), N_("Cursor right"), N_("Home"), N_("End"),
    N_("Page up"), N_("Page down"), N_("Page Left"), N_("Page Right"), N_("Select"), N_("Top"), N_("Bottom"),
    N_("Scroll Up"), N_("Scroll Down"), N_("Move cursor left"),
    N_("Move cursor right or accept the completion suggestion"), N_("Go to start"), N_("Go to end"),
    N_("Page Up"), N_("Page Down"), N_("Move cursor left and select"), N_("Move cursor left a word"),
    N_("Move cursor left a word and select"), N_("Move cursor right and select"), N_("Move cursor right a word"),
    N_("Move cursor right a word and select"), N_("Delete character left"), N_("Select all"),
    N_("Select line start"), N_("Select line end"), N_("Delete character right"), N_("Submit"),
    N_("Delete left to start of word"), N_("Delete all to the left"), N_("Delete right to start of word"),
    N_("Delete all to the right"), N_("Cut selected text"), N_("Copy selected text"),
    N_("Paste text from the clipboard"), N_("Up"), N_("Down"), N_("Scroll Left"), N_("Scroll Right"),
    N_("First"), N_("Last"), N_("Cursor line start"), N_("Cursor line end"), N_("Cursor page up"),
    N_("Cursor page down"), N_("Cursor word left"), N_("Cursor word right"), N_("Cursor left word select"),
    N_("Cursor right word select"), N_("Cursor line start select"), N_("Cursor line end select"),
    N_("Cursor up select"), N_("Cursor down select"), N_("Cursor left select"), N_("Cursor right select"),
    N_("Select line"), N_("Cut"), N_("Copy"), N_("Paste"), N_("Delete to line start"), N_("Delete to line end"),
    N_("Delete line"), N_("Undo"), N_("Redo"), N_("Go to bottom"), N_("Go to top"), N_("Next command"),
    N_("Exit the command palette"), N_("Next page"), N_("Previous page"), N_("Previous command"),
)


def translate_bindings(node: DOMNode) -> None:
    """Replace `node`'s bindings by copies with translated descriptions and tooltips (once)."""
    if getattr(node, _DONE, False):
        return
    keys = key_bindings(node)  # a copy per node: the class's lists stay untouched
    for key, bindings in keys.items():
        keys[key] = [replace(binding, description=_(binding.description) if binding.description else "",
                             tooltip=_(binding.tooltip) if binding.tooltip else "")
                     for binding in bindings]
    setattr(node, _DONE, True)


def translate_widget(node: DOMNode) -> None:
    """`node` and the nodes around it up to its screen: a widget that takes the focus shows its
    keys (and its containers') in the key panel."""
    for each in node.ancestors_with_self:
        if isinstance(each, DOMNode) and each is not node.app:
            translate_bindings(each)
