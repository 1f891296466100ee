"""What every screen shares to fit the terminal: width and height classes, and table columns.

The app sets the classes through Textual's breakpoints (calldesk.tcss and the screens' CSS key
on them): `-narrow` below 100 columns, `-medium` up to 159, `-wide` from 160; `-short` below 30
rows, `-tall` from 30.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual import events
from textual.screen import Screen
from textual.widgets import DataTable

HORIZONTAL = [(0, "-narrow"), (100, "-medium"), (160, "-wide")]
VERTICAL = [(0, "-short"), (30, "-tall")]
MEDIUM, WIDE = 100, 160

CELL_PADDING = 2  # a DataTable cell's padding, left and right
SCROLLBAR = 2  # a DataTable's vertical scrollbar


def _classes(size: int, breakpoints: list[tuple[int, str]]) -> dict[str, bool]:
    shown = max((start, name) for start, name in breakpoints if size >= start)[1]
    return {name: name == shown for _start, name in breakpoints}


class Responsive(Screen):
    """A screen whose size classes follow the terminal also when it was resized while another
    screen was on top: Textual sets them only on the screen in front as it resizes, and a
    screen shown again keeps the classes it had."""

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        width, height = self.app.size
        self.update_classes({**_classes(width, HORIZONTAL), **_classes(height, VERTICAL)}, animate=False)


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # translated where the table is made
    width: int  # the least it gets
    grow: int = 0  # its share of the room left over (0: keeps its width)
    from_width: int = 0  # shown only in a table at least this wide
    most: int = 0  # the most it grows to (0: no limit)


def fit_columns(columns: Sequence[Column], width: int) -> list[tuple[Column, int]]:
    """The columns a table `width` cells wide shows, with their widths: those it has room for,
    and what room is left shared among the growing ones (company names, notes)."""
    shown = [column for column in columns if width >= column.from_width]
    room = width - SCROLLBAR - sum(column.width + CELL_PADDING for column in shown)
    widths = {column.key: column.width for column in shown}
    growing = [column for column in shown if column.grow]
    while room > 0 and growing:
        weight, total = sum(column.grow for column in growing), room
        for column in list(growing):
            extra = min(max(total * column.grow // weight, 1), room)
            if column.most:
                extra = min(extra, column.most - widths[column.key])
            widths[column.key] += extra
            room -= extra
            if column.most and widths[column.key] >= column.most:
                growing.remove(column)
    return [(column, widths[column.key]) for column in shown]


class FitTable(DataTable):
    """A table whose screen lays its columns out again (fit_columns) when its width changes."""

    def __init__(self, refit: Callable[[], None], **kwargs) -> None:  # noqa: ANN003 - DataTable's own
        super().__init__(**kwargs)
        self._refit = refit
        self._fitted_to = 0

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._fitted_to:
            self._fitted_to = event.size.width
            self._refit()
