"""`calldesk import`: a CSV file of leads into the store, all or nothing.

Streams the file in chunks (memory does not grow with it), inserts with Core executemany in
one transaction, and never lets a duplicate overwrite what a caller recorded.
"""

from __future__ import annotations

import codecs
import csv
import io
import multiprocessing
import os
import pickle
import re
import shlex
import stat
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa

from calldesk.db.campaigns import campaign_for_leads
from calldesk.db.engine import Store
from calldesk.db.files import output_path, store_files
from calldesk.db.privacy import suppressed_numbers
from calldesk.db.scoring import note_scored
from calldesk.db.tables import callers, campaigns, import_runs, leads, suppression, window_keys
from calldesk.db.team import caller_name
from calldesk.errors import CalldeskError
from calldesk.i18n import _, language, set_language
from calldesk.rules.config import Config
from calldesk.rules.mapping import (
    Converted,
    HeaderMap,
    build_header_map,
    convert_chunk,
    header_score,
    looks_like_phone,
)

CHUNK_ROWS = 2000
PARALLEL_BYTES = 2 << 20  # files from ~20k rows up parse their phones in worker processes
_SCAN_BYTES = 1 << 20
_SQLITE = b"SQLite format 3\x00"  # a store given as the CSV
# Fields a duplicate may fill when the stored lead has them empty; never stage or phone.
FILLABLE = ("company", "contact_name", "role", "email", "linkedin_url", "industry",
            "company_size", "employees", "source", "owner", "phone_extension")
# Columns a new lead starts with that no CSV sets.
_NEW_LEAD: dict[str, Any] = {"phone_bad": False, "attempts": 0, "lost_reason": "", "warmth": 0,
                             "warmth_reasons": "[]", "no_answer_streak": 0, "unreachable": False,
                             "last_outcome": None, "last_called_at": None, "next_call_at": None,
                             "claimed_by": None, "claim_expires_at": None}


# The summary's counts, in the order they are reported (and stored on the imports row).
COUNTS = ("rows_read", "imported", "updated", "duplicates", "rejected", "suppressed")


@dataclass
class ImportSummary:
    file: Path
    encoding: str = ""
    delimiter: str = ","
    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    suppressed: int = 0
    rejects_path: Path | None = None
    duplicates_path: Path | None = None
    first_rejects: list[tuple[int, str]] = field(default_factory=list)
    # Owners in the file that are no caller: their rows' leads went to the shared pool.
    unknown_owners: Counter[str] = field(default_factory=Counter)
    shape: str = ""  # "" (a header row), "no header", "vicidial": how the file was read
    skipped_lines: int = 0  # sep= line and preamble above the header
    dry_run: bool = False
    campaign: str = ""  # the campaign the new leads went to


class _DryRunDone(Exception):
    """Raised inside the import transaction to roll a dry run back."""


Progress = Callable[[int, int], None]  # (bytes read, bytes in all)


def detect_encoding(raw: BinaryIO) -> str:
    """UTF-8 (with or without BOM) or UTF-16 when they decode; else cp1252 (Excel-NL), else latin-1."""
    head = raw.read(len(_SQLITE))
    raw.seek(0)
    if head == _SQLITE:
        raise CalldeskError(_("not a CSV file: it holds binary data"))
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head[:2] == b"PK" or head[:4] == b"\xd0\xcf\x11\xe0":
        raise CalldeskError(_("this is an Excel workbook, not a CSV file: save it as CSV first"))
    utf8: codecs.IncrementalDecoder | None = codecs.getincrementaldecoder("utf-8")()
    cp1252_ok = True
    while chunk := raw.read(_SCAN_BYTES):
        if b"\x00" in chunk:
            raw.seek(0)
            sample = raw.read(4096)
            raw.seek(0)
            return _utf16_without_bom(sample)
        if utf8 is not None:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                utf8 = None
        if utf8 is None and cp1252_ok:
            try:
                chunk.decode("cp1252")
            except UnicodeDecodeError:
                cp1252_ok = False
    raw.seek(0)
    if utf8 is not None:
        try:
            utf8.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    return "cp1252" if cp1252_ok else "latin-1"


def _utf16_without_bom(sample: bytes) -> str:
    # Text in UTF-16 has a NUL in every other byte; anything else with NULs is not text.
    if sample[1::2].count(0) > len(sample) // 3:
        encoding = "utf-16-le"
    elif sample[0::2].count(0) > len(sample) // 3:
        encoding = "utf-16-be"
    else:
        raise CalldeskError(_("not a CSV file: it holds binary data"))
    # Binary files full of zeros pass the count above; text never holds U+0000 or a lone surrogate.
    try:
        decoded = codecs.getincrementaldecoder(encoding)().decode(sample[:len(sample) & ~1])
    except UnicodeDecodeError:
        decoded = "\x00"
    if "\x00" in decoded:
        raise CalldeskError(_("not a CSV file: it holds binary data"))
    return encoding


def sniff_delimiter(header_line: str) -> str:
    """The most frequent of ; , tab | in the header (outside quotes); comma when none."""
    counts = dict.fromkeys(";,\t|", 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


# VICIdial's standard lead file, in its documented column order (no header row).
VICIDIAL_COLUMNS = ("vendor_lead_code", "source_code", "list_id", "phone_code", "phone_number", "title",
                    "first_name", "middle_initial", "last_name", "address1", "address2", "address3", "city",
                    "state", "province", "postal_code", "country_code", "gender", "date_of_birth", "alt_phone",
                    "email", "security_phrase", "comments", "rank", "owner")
_VICIDIAL_FIELDS = {"source_code": "source", "phone_code": "calling_code", "phone_number": "phone",
                    "title": "ignore", "middle_initial": "middle_name", "country_code": "country",
                    "alt_phone": "phone"}
_SEP_LINE = re.compile(r'^\ufeff?"?sep=(.)"?\s*$', re.IGNORECASE)  # Excel's own first line
_LOOKAHEAD = 25  # lines searched for the header below a preamble (LinkedIn's "Notes:")
_COLUMN = "column {number}"  # a file without a header: its columns as --map names them


@dataclass
class Shape:
    """How a file is laid out: where its rows start and what its columns are."""

    delimiter: str
    headers: list[str]
    overrides: dict[str, str]
    lines: Iterator[str]  # the rows, from first_line on
    first_line: int
    kind: str = ""  # "", "no header" or "vicidial"
    skipped: int = 0


def read_shape(text: Iterator[str], overrides: dict[str, str], path: Path) -> Shape:
    """Find the header: after Excel's `sep=;` line and any preamble; or know there is none
    (a VICIdial lead file, or a list that starts with its first lead)."""
    ahead: list[str] = []
    for line in text:
        ahead.append(line)
        if len(ahead) >= _LOOKAHEAD:
            break
    if not any(line.strip() for line in ahead):
        raise CalldeskError(_("{path} is empty: no header row").format(path=path))
    forced = None
    start = 0
    sep = _SEP_LINE.match(ahead[0].rstrip("\r\n"))
    if sep:
        forced, start = sep[1], 1
    while start < len(ahead) and not ahead[start].strip():
        start += 1
    if start == len(ahead):
        raise CalldeskError(_("{path} is empty: no header row").format(path=path))

    def cells_of(line: str) -> tuple[str, list[str]]:
        delimiter = forced or sniff_delimiter(line)
        try:
            return delimiter, next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])
        except csv.Error:  # a cell past the csv module's limit: no header, and the rows say so
            return delimiter, []

    def rest(index: int) -> Iterator[str]:
        yield from ahead[index:]
        yield from text

    given = {column.strip().lower() for column in overrides}
    delimiter, first = cells_of(ahead[start])
    if not any(looks_like_phone(cell) for cell in first):
        # The first line that names two fields (or one --map names) is the header.
        for index in range(start, len(ahead)):
            if index > start and not ahead[index].strip():
                continue
            delimiter, cells = cells_of(ahead[index])
            known = header_score(cells) + sum(cell.strip().lower() in given for cell in cells)
            if known >= 2 or (index == start and known):
                return Shape(delimiter, cells, overrides, rest(index + 1), index + 2, skipped=index)
        # Nothing reads as a header: the first line is, and its error names what it holds.
        return Shape(delimiter, first, overrides, rest(start + 1), start + 2, skipped=start)
    # No header: the first line is a lead, never lost.
    if _is_vicidial(delimiter, first):
        headers = [*VICIDIAL_COLUMNS, *(_COLUMN.format(number=n + 1) for n in range(len(VICIDIAL_COLUMNS), len(first)))]
        headers = headers[:max(len(first), len(VICIDIAL_COLUMNS))]
        mapping = {name: field for name, field in _VICIDIAL_FIELDS.items()}
        return Shape(delimiter, headers, {**mapping, **overrides}, rest(start), start + 1, "vicidial", start)
    width = max(len(cells_of(line)[1]) for line in ahead[start:] if line.strip())
    headers = [_COLUMN.format(number=n + 1) for n in range(width)]
    guessed = dict(overrides)
    for index in range(width):
        column = [cells_of(line)[1] for line in ahead[start:] if line.strip()]
        values = [cells[index].strip() for cells in column if index < len(cells) and cells[index].strip()]
        if values and all(looks_like_phone(value) for value in values):
            guessed.setdefault(headers[index], "phone")
        elif values and all("@" in value for value in values):
            guessed.setdefault(headers[index], "email")
    if not overrides:
        unnamed = [f"{headers[i]} ({first[i].strip()!r})" for i in range(len(first))
                   if first[i].strip() and headers[i] not in guessed]
        if unnamed:
            raise CalldeskError(_(
                "{path} has no header row (line {line} is a lead): name its columns with --map, "
                "e.g. --map {example}; columns: {columns}").format(
                path=path, line=start + 1, example=shlex.quote(f"{headers[0]}=company"),
                columns=", ".join(unnamed)))
    return Shape(delimiter, headers, guessed, rest(start), start + 1, "no header", start)


def _is_vicidial(delimiter: str, cells: list[str]) -> bool:
    """Pipe or tab, phone_code (1-4 digits) and phone_number in columns 4 and 5."""
    return (delimiter in "|\t" and len(cells) >= 10 and re.fullmatch(r"\+?\d{1,4}", cells[3].strip()) is not None
            and looks_like_phone(cells[4]))


def import_csv(
    store: Store,
    path: Path,
    *,
    now: datetime,
    by: str,
    config: Config | None = None,
    region: str | None = None,
    source: str | None = None,
    owner: str | None = None,
    overrides: dict[str, str] | None = None,
    stage_map: tuple[tuple[str, str], ...] = (),
    owner_map: dict[str, str] | None = None,
    strict_owners: bool = False,
    dry_run: bool = False,
    rejects_path: Path | None = None,
    duplicates_path: Path | None = None,
    progress: Progress | None = None,
    allow_premium: bool = False,
    campaign: str | None = None,
) -> ImportSummary:
    """`campaign`: the name of the campaign new leads go to; None for the only active one
    (CalldeskError when several are, or none)."""
    config = config or Config()
    region = region or config.region
    summary = ImportSummary(file=path, dry_run=dry_run)
    with store.read() as conn:  # before the file is read: a wrong name is known at once
        campaign_id = campaign_for_leads(conn, campaign)
        summary.campaign = conn.execute(sa.select(campaigns.c.name).where(campaigns.c.id == campaign_id)).scalar_one()
    owners = _Owners(store)
    if owner is not None and owner.strip():
        owner, refused = owners.check(owner)
        if refused:
            raise CalldeskError(refused)
    else:
        owner = None
    mapped_owners = owners.mapped(owner_map or {})
    # Checked before any row is written: --rejects must not wipe the store or the file read.
    shown_rejects = rejects_path or _default_rejects(path)
    protect = [path, *(store_files(store.url.database) if store.is_sqlite else ())]
    rejects_target = output_path(shown_rejects, "--rejects", protect)
    shown_duplicates = duplicates_path or path.with_name(f"{path.stem}.duplicates.csv")
    duplicates_target = output_path(shown_duplicates, "--duplicates", [*protect, shown_rejects])
    try:
        raw = path.open("rb")
    except FileNotFoundError:
        raise CalldeskError(_("cannot read {path}: no such file").format(path=path)) from None
    except IsADirectoryError:
        raise CalldeskError(_("cannot read {path}: it is a folder").format(path=path)) from None
    except OSError as exc:
        raise CalldeskError(_("cannot read {path}: {error}").format(path=path, error=exc.strerror)) from None
    with raw:
        total = path.stat().st_size
        summary.encoding = detect_encoding(raw)
        text = io.TextIOWrapper(raw, encoding=summary.encoding, newline="")
        try:
            shape = read_shape(text, overrides or {}, path)
        except UnicodeDecodeError:
            raise CalldeskError(_("cannot read {path}: not text in {encoding}").format(
                path=path, encoding=summary.encoding)) from None
        summary.delimiter, summary.shape, summary.skipped_lines = shape.delimiter, shape.kind, shape.skipped
        headers = shape.headers
        header_map = build_header_map(headers, shape.overrides, stage_map)
        rows = _rows(shape.lines, summary.delimiter, start_line=shape.first_line)
        rejects = _RowsFile(rejects_target, shown_rejects, headers, summary.delimiter, ("line", "reason"),
                            "--rejects")
        duplicates = _RowsFile(duplicates_target, shown_duplicates, headers, summary.delimiter,
                               ("line", "lead", "filled"), "--duplicates")
        spool = tempfile.TemporaryFile()  # unlinked at once: gone with the import, even after kill -9
        try:
            # Read and parse first (the phones are most of an import's time: in worker processes
            # for a big file), spooling the rows to a private temporary file; then write them in
            # one transaction. On SQLite that transaction holds the write lock every caller's
            # next and log wait for: only for the writes, not the whole import (issue 18).
            workers = _workers_for(total)
            scoring = (now, config)
            for chunk, converted in _converted_chunks(_chunks(rows), header_map, region, scoring, workers,
                                                        allow_premium):
                good: list[tuple[int, dict[str, Any], list[str]]] = []
                for (_line, read), (line, cells, fields, reason) in zip(chunk, converted, strict=True):
                    summary.rows_read += 1
                    if fields is not None and fields["owner"] is not None:
                        text_owner = fields["owner"]
                        fields["owner"], reason = mapped_owners.get(_owner_key(text_owner)) or owners.check(text_owner)
                        if reason and not strict_owners:
                            # A CRM user, not a caller: the lead goes to the pool, the summary says so.
                            summary.unknown_owners[" ".join(text_owner.split())] += 1
                            fields["pooled"], reason = True, ""
                        if reason:
                            fields, cells = None, read
                    if fields is None:
                        _reject(summary, rejects, line, cells or [], reason, dry_run)
                    else:
                        good.append((line, fields, read or []))
                if good:
                    pickle.dump(good, spool, protocol=pickle.HIGHEST_PROTOCOL)
                if progress:
                    progress(raw.tell(), total)
            spool.seek(0)
            with store.write() as conn:
                run_id = conn.execute(
                    sa.insert(import_runs).values(file_name=path.name, source=source or "", started_at=now, run_by=by)
                    .returning(import_runs.c.id)
                ).scalar_one()
                defaults = {
                    "source": source, "owner": owner, "import_id": run_id, "now": now, "campaign_id": campaign_id,
                    "fallback_source": path.stem, "duplicates": None if dry_run else duplicates,
                    "any_suppressed": conn.execute(sa.select(sa.exists().select_from(suppression))).scalar(),
                }
                while True:
                    try:
                        good = pickle.load(spool)  # our own file, written just now
                    except EOFError:
                        break
                    _store_chunk(conn, good, summary, defaults)
                note_scored(conn, now, config)
                conn.execute(
                    sa.update(import_runs)
                    .where(import_runs.c.id == run_id)
                    .values({name: getattr(summary, name) for name in COUNTS})
                )
                if dry_run:
                    raise _DryRunDone  # counted exactly as a real run, then rolled back
                if summary.imported and conn.dialect.name == "postgresql":
                    # Without statistics PostgreSQL's planner guesses one callable lead and, for
                    # every claim, sorts them all instead of walking the warmth index (17 ms a
                    # claim at 9k leads) until autovacuum, if on, analyzes the table. ANALYZE
                    # counts this transaction's own rows; its statistics commit with the import.
                    conn.exec_driver_sql("ANALYZE leads")
        except _DryRunDone:
            rejects.discard()
            duplicates.discard()
        except UnicodeDecodeError as exc:
            rejects.discard()
            duplicates.discard()
            raise CalldeskError(_("cannot read {path}: not text in {encoding} ({error})").format(
                path=path, encoding=summary.encoding, error=exc.reason)) from None
        except BaseException:
            rejects.discard()  # the import was undone: its rejects would describe rows never imported
            duplicates.discard()
            raise
        else:  # the import committed: now its rejects and duplicates take their paths
            rejects.commit()
            duplicates.commit()
        finally:
            spool.close()
        if progress:
            progress(total, total)
    summary.rejects_path = rejects.shown if rejects.opened else None
    summary.duplicates_path = duplicates.shown if duplicates.opened else None
    return summary


def _rows(text: Iterator[str], delimiter: str, start_line: int) -> Iterator[tuple[int, list[str] | None]]:
    """(line number, cells) per non-blank row; cells None for a row the csv module can't read."""
    reader = csv.reader(text, delimiter=delimiter)
    line = start_line
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield line, None
            line = start_line + reader.line_num
            continue
        if any(cell.strip() for cell in cells):
            yield line, cells
        line = start_line + reader.line_num


def _chunks(rows: Iterator[tuple[int, list[str] | None]]) -> Iterator[list[tuple[int, list[str] | None]]]:
    chunk: list[tuple[int, list[str] | None]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _workers_for(size: int) -> int:
    """Worker processes for phone parsing: none for small files (starting one costs ~0.3 s)."""
    if size < PARALLEL_BYTES:
        return 0
    return max(1, min(4, os.cpu_count() or 1))


Chunk = list[tuple[int, list[str] | None]]


def _converted_chunks(chunks: Iterator[Chunk], header_map: HeaderMap, region: str,
                      scoring: tuple[datetime, Config], workers: int,
                      allow_premium: bool = False) -> Iterator[tuple[Chunk, Converted]]:
    """(chunk, its conversion) in order; with workers, parsing overlaps the database writes.

    At most a few chunks are in flight, so memory does not grow with the file. The chunk comes
    along: a row converted fine may still be rejected here (its owner), with its cells.
    """
    if not workers:
        for chunk in chunks:
            yield chunk, convert_chunk(chunk, header_map, region, scoring, allow_premium)
        return
    # spawn: a clean child, never a fork of a process holding a database connection. The child
    # starts in English: it speaks the caller's language, as reject reasons are shown to a person.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_start_worker, initargs=(language(), os.getpid())) as pool:
        pending: deque[tuple[Chunk, Future[Converted]]] = deque()
        for chunk in chunks:
            pending.append((chunk, pool.submit(convert_chunk, chunk, header_map, region, scoring, allow_premium)))
            if len(pending) > 2 * workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


def _start_worker(lang: Any, parent: int) -> None:
    set_language(lang)
    # A worker blocks on its task queue, which it holds both ends of: a parent killed with -9
    # never closes it, so without this watch the workers would run on for good.
    threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="parent-watch").start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _reject(summary: ImportSummary, rejects: _RowsFile, line: int, cells: list[str],
            reason: str, dry_run: bool) -> None:
    summary.rejected += 1
    if len(summary.first_rejects) < 10:
        summary.first_rejects.append((line, reason))
    if not dry_run:
        rejects.write(cells, line, reason)


def _store_chunk(conn: sa.Connection, chunk: list[tuple[int, dict[str, Any], list[str]]],
                 summary: ImportSummary, defaults: dict[str, Any]) -> None:
    # Within the chunk: the first row of a number wins, later ones only fill its gaps.
    by_number: dict[str, dict[str, Any]] = {}
    first_row: dict[str, tuple[int, list[str]]] = {}
    folded: list[tuple[int, list[str], str, list[str]]] = []  # (line, cells, number, fields filled)
    later_rows: dict[str, list[int]] = {}  # number → its later rows' places in folded
    dnc: set[str] = set()
    for line, fields, cells in chunk:
        number = fields["phone_e164"]
        if fields.pop("do_not_call"):
            dnc.add(number)
        if number in by_number:
            summary.duplicates += 1
            later_rows.setdefault(number, []).append(len(folded))
            folded.append((line, cells, number, _fill(by_number[number], fields)))
        else:
            by_number[number] = fields
            first_row[number] = (line, cells)

    numbers = list(by_number)
    if dnc:
        _suppress(conn, sorted(dnc), defaults["now"])
        defaults["any_suppressed"] = True
    suppressed: set[str] = set()
    if defaults["any_suppressed"]:  # most stores' lists are short or empty: skip the lookup then
        suppressed = suppressed_numbers(conn, numbers)  # erased people's numbers are kept hashed
    existing = {
        row.phone_e164: row
        for row in conn.execute(
            sa.select(leads.c.id, leads.c.phone_e164, leads.c.import_id, *(leads.c[f] for f in FILLABLE))
            .where(leads.c.phone_e164.in_(numbers))
        )
    }
    inserts: list[dict[str, Any]] = []
    updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for number, fields in by_number.items():
        if number in suppressed:
            summary.suppressed += 1
            continue
        _apply_defaults(fields, defaults)
        stored = existing.get(number)
        if stored is None:
            inserts.append(fields)
            continue
        gaps = {f: fields[f] for f in FILLABLE if fields[f] not in (None, "") and stored._mapping[f] in (None, "")}
        # Each row is said to fill what it brought: later rows of the number their own fields.
        borrowed = set()
        for index in later_rows.get(number, ()):
            line, cells, _number, filled = folded[index]
            folded[index] = (line, cells, number, [f for f in filled if f in gaps])
            borrowed.update(filled)
        folded.append((*first_row[number], number, [f for f in gaps if f not in borrowed]))
        same_file = stored.import_id == defaults["import_id"]
        if gaps:
            gaps["updated_at"] = defaults["now"]
            updates.setdefault(tuple(sorted(gaps)), []).append({"_id": stored.id, **gaps})
        if same_file or not gaps:
            summary.duplicates += 1
        else:
            summary.updated += 1
    if inserts:
        _LeadInsert.for_connection(conn).run(conn, inserts)
        summary.imported += len(inserts)
        _add_window_keys(conn, {(f["time_zone"] or "", f["country"]) for f in inserts})
    for columns, params in updates.items():
        conn.execute(
            sa.update(leads).where(leads.c.id == sa.bindparam("_id"))
            .values({c: sa.bindparam(c) for c in columns}),
            params,
        )
    listed: _RowsFile | None = defaults["duplicates"]
    folded = [row for row in folded if row[2] not in suppressed]
    if listed is not None and folded:
        joined = dict(conn.execute(sa.select(leads.c.phone_e164, leads.c.id)
                                   .where(leads.c.phone_e164.in_({row[2] for row in folded}))).all())
        for line, cells, number, filled in sorted(folded, key=lambda row: row[0]):
            listed.write(cells, line, joined.get(number, ""), ", ".join(filled))


class _LeadInsert:
    """INSERT … executemany handed to the driver with values processed for its dialect.

    SQLAlchemy's per-row parameter processing cost three times the write itself (15 µs a
    row); here each column's own bind processor still runs, once per distinct value, and a
    column holding one value for the whole chunk (times, import id, flags) is written into
    the statement once, escaped by the dialect's literal processor, instead of bound per row.
    """

    _cache: dict[str, _LeadInsert] = {}
    _MIN_ROWS_TO_INLINE = 50  # small chunks: plain binding (and no statement per row)

    def __init__(self, dialect: sa.Dialect) -> None:
        self.dialect = dialect
        self.columns = [c.name for c in leads.columns if c.name != "id"]
        self.processors = {
            name: leads.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in self.columns
        }
        self.quote = sa.String().literal_processor(dialect)
        # The literal processor escapes % for a percent-style driver (psycopg) and so does the
        # compiler when it renders literal_column: undo one, or `100%` is stored as `100%%`.
        self.percent_escaped = dialect.paramstyle in ("format", "pyformat")
        self.boolean = sa.Boolean().literal_processor(dialect)
        self._statements: dict[tuple[tuple[str, str], ...], tuple[str, list[str], bool]] = {}

    @classmethod
    def for_connection(cls, conn: sa.Connection) -> _LeadInsert:
        name = conn.dialect.name
        if name not in cls._cache:
            cls._cache[name] = cls(conn.dialect)
        return cls._cache[name]

    def _literal(self, value: Any) -> str | None:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return self.boolean(value)
        if isinstance(value, int):
            return str(value)
        if isinstance(value, str):
            quoted = self.quote(value)
            return quoted.replace("%%", "%") if self.percent_escaped else quoted
        return None  # anything else (a driver-native datetime) stays a bound parameter

    def _statement(self, literals: tuple[tuple[str, str], ...]) -> tuple[str, list[str], bool]:
        if literals not in self._statements:
            if len(self._statements) > 64:
                self._statements.clear()
            fixed = dict(literals)
            values: dict[str, sa.ColumnElement[Any]] = {
                c: sa.literal_column(fixed[c]) if c in fixed else sa.bindparam(c) for c in self.columns}
            compiled = sa.insert(leads).values(values).compile(dialect=self.dialect)
            order = (list(compiled.positiontup or ()) if compiled.positional
                     else [c for c in self.columns if c not in fixed])
            self._statements[literals] = (str(compiled), order, compiled.positional)
        return self._statements[literals]

    def run(self, conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
        columns: dict[str, list[Any]] = {}
        literals: list[tuple[str, str]] = []
        for name in self.columns:
            if name in _NEW_LEAD and name not in rows[0]:
                # What every new lead starts with: one constant, not a value per row.
                value = _NEW_LEAD[name]
                process = self.processors[name]
                literal = self._literal(process(value) if process and value is not None else value)
                if literal is not None:
                    literals.append((name, literal))
                    continue
                column = [value] * len(rows)
            else:
                column = [row[name] for row in rows]
            process = self.processors[name]
            if process is not None:
                # Processed columns (times, enums, flags) repeat few values: process each once.
                done: dict[Any, Any] = {None: None}
                column = [done[v] if v in done else done.setdefault(v, process(v)) for v in column]
            if len(rows) >= self._MIN_ROWS_TO_INLINE and column.count(column[0]) == len(column):
                literal = self._literal(column[0])
                if literal is not None:
                    literals.append((name, literal))
                    continue
            columns[name] = column
        sql, order, positional = self._statement(tuple(literals))
        values = zip(*(columns[name] for name in order), strict=True)
        if positional:
            conn.exec_driver_sql(sql, list(values))
        else:
            conn.exec_driver_sql(sql, [dict(zip(order, v, strict=True)) for v in values])


def _add_window_keys(conn: sa.Connection, pairs: set[tuple[str, str]]) -> None:
    """Record new (zone, country) pairs: calling windows are decided per pair."""
    known = {(zone, country) for zone, country in conn.execute(sa.select(window_keys.c.time_zone,
                                                                         window_keys.c.country))}
    new = [{"time_zone": z, "country": c} for z, c in pairs - known]
    if new:
        conn.execute(sa.insert(window_keys), new)


def _fill(first: dict[str, Any], later: dict[str, Any]) -> list[str]:
    """Fill first's empty fields from later; the names of those it filled."""
    filled = []
    for name in FILLABLE:
        if first.get(name) in (None, "") and later.get(name) not in (None, ""):
            first[name] = later[name]
            filled.append(name)
    return filled


def _apply_defaults(fields: dict[str, Any], defaults: dict[str, Any]) -> None:
    fields["source"] = defaults["source"] or fields["source"] or defaults["fallback_source"]
    # --owner is for leads without one; a lead the CRM gave to a non-caller stays in the pool.
    fields["owner"] = fields["owner"] or (None if fields.pop("pooled", False) else defaults["owner"])
    fields["import_id"] = defaults["import_id"]
    fields["campaign_id"] = defaults["campaign_id"]
    fields["created_at"] = fields["updated_at"] = defaults["now"]


def _suppress(conn: sa.Connection, numbers: list[str], now: datetime) -> None:
    known = suppressed_numbers(conn, numbers)  # hashed too: no plain copy of an erased number
    new = [{"phone_e164": n, "reason": "do not call (import)", "added_at": now, "added_by": "import"}
           for n in numbers if n not in known]
    if new:
        conn.execute(sa.insert(suppression), new)


def _default_rejects(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejects.csv")


def _owner_key(text: str) -> str:
    return " ".join(text.split()).lower()


class _Owners:
    """Owners as callers' names are stored (trimmed, lower-case); a lead owned by anyone else
    would be in nobody's queue. Each name is checked once per import."""

    def __init__(self, store: Store) -> None:
        with store.read() as conn:
            self.callers = set(conn.execute(sa.select(callers.c.name)).scalars())
        self._seen: dict[str, tuple[str | None, str]] = {}

    def mapped(self, owner_map: dict[str, str]) -> dict[str, tuple[str, str]]:
        """--map-owner 'CRM NAME=caller', checked before anything is read: key → (caller, "")."""
        result = {}
        for crm_name, caller in owner_map.items():
            name, refused = self.check(caller)
            if refused:
                raise CalldeskError(_("--map-owner {item}: {error}").format(
                    item=shlex.quote(f"{crm_name}={caller}"), error=refused))
            assert name is not None  # check gives a name whenever it refuses nothing
            result[_owner_key(crm_name)] = (name, "")
        return result

    def check(self, text: str) -> tuple[str | None, str]:
        """(the owner's name, "") or (None, why it can't own a lead)."""
        if text not in self._seen:
            self._seen[text] = self._check(text)
        return self._seen[text]

    def _check(self, text: str) -> tuple[str | None, str]:
        try:
            name = caller_name(text)
        except CalldeskError as exc:
            return None, _("owner {name}: {error}").format(name=repr(text.strip()), error=exc)
        if name not in self.callers:
            return None, _("owner {name} is not a caller (add them with: calldesk caller add {quoted})").format(
                name=name, quoted=shlex.quote(name))
        return name, ""


class _RowsFile:
    """Rows of the file as they were, plus what calldesk says about each (rejects: line and
    reason; duplicates: line, the lead it joined, the fields it filled); opened at its first row.

    Written beside its path and put in place only when the import commits (commit): a failed or
    killed import leaves a file already there as it was, and never names rows it did not import.
    A pipe or device (/dev/stdout) is written straight into."""

    def __init__(self, path: Path, shown: Path, headers: list[str], delimiter: str,
                 columns: tuple[str, ...], option: str) -> None:
        self.path = path  # from output_path: links followed, never the store or the input
        self.shown = shown  # as the user gave it
        self.headers = headers
        self.delimiter = delimiter
        self.columns = columns
        self.option = option
        self.opened = False
        self._partial: Path | None = None
        self._file: io.TextIOWrapper | None = None
        self._writer: Any = None

    def write(self, cells: list[str], *values: Any) -> None:
        if self._writer is None:
            try:
                # utf-8-sig: Excel opens it with accents intact.
                if self.path.exists() and not self.path.is_file():
                    self._file = self.path.open("w", encoding="utf-8-sig", newline="")
                else:
                    handle, partial = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".partial",
                                                       dir=self.path.parent)  # 0600: rows name people
                    self._partial = Path(partial)
                    self._file = os.fdopen(handle, "w", encoding="utf-8-sig", newline="")
            except OSError as exc:
                message = (_("cannot write rejects file {path}: {error} (choose one with --rejects)")
                           if self.option == "--rejects" else
                           _("cannot write duplicates file {path}: {error} (choose one with --duplicates)"))
                raise CalldeskError(message.format(path=self.shown, error=exc.strerror)) from None
            self.opened = True
            self._writer = csv.writer(self._file, delimiter=self.delimiter)
            self._writer.writerow([*self.headers, *self.columns])
        width = len(self.headers)
        self._writer.writerow([*(cells + [""] * width)[:width], *values])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def commit(self) -> None:
        """The import committed: the file takes its path (an existing one keeps its mode)."""
        self.close()
        if self._partial is not None:
            try:
                os.chmod(self._partial, stat.S_IMODE(self.path.stat().st_mode))
            except FileNotFoundError:
                pass  # a new file stays its owner's only
            os.replace(self._partial, self.path)
            self._partial = None

    def discard(self) -> None:
        """The import was undone: what was written goes; the path is left as it was."""
        self.close()
        if self._partial is not None:
            self._partial.unlink(missing_ok=True)
            self._partial = None
        self.opened = False
