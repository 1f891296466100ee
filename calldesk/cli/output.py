"""How commands write what they found: tables for people, CSV and JSON for scripts."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Mapping
from enum import StrEnum
from pathlib import Path

import typer

from calldesk.errors import CalldeskError
from calldesk.i18n import _


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def print_json(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def print_csv(fields: list[str], rows: Iterable[Mapping[str, object]]) -> None:
    """Rows under a header line; every value formula-safe for spreadsheets (None: empty)."""
    from calldesk.db.exports import neutralise

    writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: neutralise("" if v is None else str(v)) for k, v in row.items()} for row in rows)


def cell(value: object, width: int) -> str:
    """A table cell of `width`: cut short with … when the value is longer."""
    text = str(value)
    return (text[: width - 1] + "…" if len(text) > width else text).ljust(width)


def columns(heads: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """(heading, width) in the current language: a column grows when its heading needs more room."""
    return [(_(head), max(width, len(_(head)) + 1)) for head, width in heads]


def cannot_write(path: Path | None, exc: OSError) -> CalldeskError:
    return CalldeskError(_("cannot write {path}: {error}").format(path=path, error=exc.strerror or exc))
