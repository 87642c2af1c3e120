"""Streaming readers for feedback files: CSV (any delimiter, several encodings), JSON and JSONL.

Every reader yields :class:`RawRecord` objects one at a time; nothing holds the whole file:

- **Encoding** is decided on a 64 KiB head sample: a BOM wins (UTF-8, UTF-16, UTF-32); NUL bytes
  without a BOM mean a binary file; strict UTF-8 next; otherwise charset-normalizer, preferring
  cp1252 (the Windows default of Western spreadsheet exports) whenever its guess is a single-byte
  Latin code page and the bytes are valid cp1252. A decoding error later in the file is a file
  error naming the line.
- **CSV**: the delimiter comes from ``csv.Sniffer`` (``, ; TAB |``) checked against the header
  line, falling back to the candidate that occurs most in the header, then ``,``. Parsing is
  strict: an unbalanced quote or a stray character after a closing quote is a file error
  naming the line where the record starts, since the parser cannot resynchronise. A short last
  row without a final newline means the file stops mid-row (a file error); other short or long
  rows are yielded with ``problem`` set so the caller rejects just that row. Fields may be up
  to 64 MiB.
- **JSON**: a top-level array of objects, parsed one element at a time with
  ``json.JSONDecoder.raw_decode`` over a sliding text buffer, so memory is bounded by the read
  chunk plus the largest single object. Any syntax error or truncation is a file error.
- **JSONL**: one object per line; a bad line is a row problem, except a bad last line without
  a final newline, which means the file was cut (a file error).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from charset_normalizer import from_bytes

from voc.errors import FileFormatError, NotFound

FileKind = Literal["csv", "json", "jsonl"]

HEAD_BYTES = 64 * 1024
CHUNK_CHARS = 1 << 20
MAX_FIELD_CHARS = 64 * 1024 * 1024
DELIMITERS = ",;\t|"
_LATIN_SINGLE_BYTE = {"cp1250", "cp1252", "latin_1", "iso8859_15", "iso8859_2", "cp1257"}
_JSON_SPACE = re.compile(r"[ \t\r\n]+")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as read: its first line in the file, its values, and any structural problem."""

    line: int
    values: dict[str, Any]
    problem: str | None = None


class FeedbackFile:
    """An open feedback file: its kind, encoding, columns (CSV) and a record iterator."""

    def __init__(self, path: Path, kind: FileKind | None = None) -> None:
        if not path.is_file():
            raise NotFound(f"{path}: no such file")
        self.path = path
        self.size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
        if not head.strip():
            raise FileFormatError(f"{path}: the file is empty")
        self.encoding = detect_encoding(head, path)
        self.kind: FileKind = kind or _detect_kind(path, head, self.encoding)
        self._raw: BinaryIO | None = None
        self._ended_with_newline = True
        self.columns: list[str] | None = None  # CSV header, once read

    def bytes_read(self) -> int:
        """Bytes consumed so far (chunk granular; for progress bars)."""
        return self._raw.tell() if self._raw is not None and not self._raw.closed else 0

    def records(self) -> Iterator[RawRecord]:
        """Yield the file's records in order; raise FileFormatError for a broken file."""
        with self.path.open("rb") as raw:
            self._raw = raw
            text = io.TextIOWrapper(raw, encoding=self.encoding, newline="")
            readers: dict[FileKind, Callable[[io.TextIOWrapper], Iterator[RawRecord]]] = {
                "csv": self._csv,
                "json": self._json,
                "jsonl": self._jsonl,
            }
            try:
                yield from readers[self.kind](text)
            except UnicodeDecodeError as exc:
                raise FileFormatError(
                    f"{self.path}: bytes that are not valid {self.encoding} near byte "
                    f"{raw.tell()}: {exc.reason}"
                ) from None

    def _csv(self, text: io.TextIOWrapper) -> Iterator[RawRecord]:
        head = text.read(HEAD_BYTES)
        delimiter = sniff_delimiter(head)
        text.seek(0)
        csv.field_size_limit(MAX_FIELD_CHARS)
        reader = csv.reader(self._lines(text), delimiter=delimiter, strict=True)
        start = 1
        try:
            header = next(reader, None)
            if header is None:
                raise FileFormatError(f"{self.path}: the file is empty")
            columns = self.columns = unique_columns(header)
            start = reader.line_num + 1
            last: RawRecord | None = None
            for fields in reader:
                line, start = start, reader.line_num + 1
                if not any(field.strip() for field in fields):
                    continue
                if last is not None:
                    yield last
                last = self._csv_record(line, columns, fields)
            if last is not None:
                self._check_last_row(last, len(columns))
                yield last
        except csv.Error as exc:
            raise FileFormatError(
                f"{self.path}: malformed CSV in the record starting at line {start}: {exc} "
                "(an unbalanced quote?)"
            ) from None

    def _lines(self, text: io.TextIOWrapper) -> Iterator[str]:
        """The file's lines, remembering whether the last one ended with a newline."""
        for line in text:
            self._ended_with_newline = line.endswith(("\n", "\r"))
            yield line

    @staticmethod
    def _csv_record(line: int, columns: list[str], fields: list[str]) -> RawRecord:
        problem = None
        if len(fields) != len(columns):
            problem = f"the row has {len(fields)} fields, the header has {len(columns)}"
        return RawRecord(line, dict(zip(columns, fields, strict=False)), problem)

    def _check_last_row(self, last: RawRecord, n_columns: int) -> None:
        """A short last row in a file without a final newline: the file was cut mid-row."""
        if last.problem is None or len(last.values) >= n_columns:
            return
        if not self._ended_with_newline:
            raise FileFormatError(
                f"{self.path}: the file stops in the middle of the row at line {last.line} "
                f"({len(last.values)} of {n_columns} fields)"
            )

    def _jsonl(self, text: io.TextIOWrapper) -> Iterator[RawRecord]:
        for number, line in enumerate(text, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                if not line.endswith(("\n", "\r")):
                    raise FileFormatError(
                        f"{self.path}: the file stops in the middle of line {number}: {exc.msg}"
                    ) from None
                yield RawRecord(number, {}, f"invalid JSON: {exc.msg} (column {exc.colno})")
                continue
            yield _object_record(number, value)

    def _json(self, text: io.TextIOWrapper) -> Iterator[RawRecord]:
        for line, value in JsonArrayStream(text, self.path):
            yield _object_record(line, value)


def _object_record(line: int, value: Any) -> RawRecord:
    if not isinstance(value, dict):
        return RawRecord(line, {}, f"expected a JSON object, got {type(value).__name__}")
    return RawRecord(line, value)


class JsonArrayStream:
    """Iterate over the elements of a top-level JSON array without loading the whole file."""

    def __init__(self, text: io.TextIOBase, path: Path) -> None:
        self._text = text
        self._path = path
        self._decoder = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._line = 1  # line number at self._pos
        self._eof = False

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        if self._next_char() != "[":
            self._fail("expected a JSON array of objects ('[' at the start)")
        self._pos += 1
        if self._next_char() == "]":
            self._pos += 1
        else:
            while True:
                yield self._decode_one()
                char = self._next_char()
                self._pos += 1
                if char == "]":
                    break
                if char != ",":
                    self._fail("expected ',' or ']' after an array element")
        if self._next_char() != "":
            self._fail("unexpected data after the closing ']'")

    def _fill(self) -> bool:
        if self._eof:
            return False
        if self._pos > CHUNK_CHARS:  # drop what was consumed; self._line stays at self._pos
            self._buf, self._pos = self._buf[self._pos :], 0
        chunk = self._text.read(max(CHUNK_CHARS, len(self._buf)))
        self._eof = not chunk
        self._buf += chunk
        return bool(chunk)

    def _advance_to(self, pos: int) -> None:
        self._line += self._buf.count("\n", self._pos, pos)
        self._pos = pos

    def _next_char(self) -> str:
        """Skip whitespace; return the next character ('' at the end of the file)."""
        while True:
            end = _JSON_SPACE.match(self._buf, self._pos)
            if end is not None and end.end() > self._pos:
                self._advance_to(end.end())
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def _decode_one(self) -> tuple[int, Any]:
        self._next_char()
        line = self._line
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                near_end = exc.pos >= len(self._buf) - 8 or exc.msg.startswith("Unterminated")
                if near_end and self._fill():
                    continue
                line = self._line + self._buf.count("\n", self._pos, exc.pos)
                where = "the file stops inside an element" if self._eof and near_end else exc.msg
                raise FileFormatError(
                    f"{self._path}: invalid JSON at line {line}: {where}"
                ) from None
            self._advance_to(end)
            return line, value

    def _fail(self, message: str) -> None:
        raise FileFormatError(f"{self._path}: invalid JSON at line {self._line}: {message}")


def detect_encoding(head: bytes, path: Path) -> str:
    """The text encoding of a file from its head sample; FileFormatError for binary files."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    if b"\x00" in head:
        raise FileFormatError(
            f"{path}: looks like a binary file (NUL bytes); expected CSV, JSON or JSONL text "
            "(UTF-16 files need a byte-order mark)"
        )
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"  # the sample cut a multi-byte character in two
    best = from_bytes(head).best()
    if best is None:
        raise FileFormatError(f"{path}: not a text file in any known encoding (binary?)")
    if best.encoding in _LATIN_SINGLE_BYTE:
        try:
            head.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
    return str(best.encoding)


def _detect_kind(path: Path, head: bytes, encoding: str) -> FileKind:
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson"}:
        return "jsonl"
    if suffix == ".json":
        return "json"
    if suffix in {".csv", ".tsv", ".txt"}:
        return "csv"
    sample = head.decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n")
    if sample.startswith("["):
        return "json"
    return "jsonl" if sample.startswith("{") else "csv"


def sniff_delimiter(sample: str) -> str:
    """The CSV delimiter: Sniffer's if the header has it, else the header's commonest."""
    lines = sample.splitlines()
    header = lines[0] if lines else ""
    counts = {d: header.count(d) for d in DELIMITERS}
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed and counts.get(sniffed, 0) > 0:
        return sniffed
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def unique_columns(header: list[str]) -> list[str]:
    """Header names stripped, blanks named ``column_N``, duplicates suffixed ``_2``, ``_3``..."""
    seen: dict[str, int] = {}
    columns = []
    for index, raw in enumerate(header, start=1):
        name = raw.strip().lstrip("\ufeff") or f"column_{index}"
        seen[name] = seen.get(name, 0) + 1
        columns.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return columns
