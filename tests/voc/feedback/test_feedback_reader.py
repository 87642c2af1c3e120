"""Streaming readers on hostile files: encodings, delimiters, quotes, truncation, binary, JSON."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from voc.errors import FileFormatError, NotFound
from voc.feedback.reader import FeedbackFile, RawRecord, sniff_delimiter

ROWS = "id,text,score\n1,Café crème naïve – très “bien”,9\n2,Export is slow,3\n"


def read(path: Path) -> list[RawRecord]:
    return list(FeedbackFile(path).records())


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("cp1252", b""),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
    ],
)
def test_every_supported_encoding_reads_the_same_text(
    tmp_path: Path, encoding: str, prefix: bytes
) -> None:
    path = write(tmp_path, "f.csv", prefix + ROWS.encode(encoding))
    records = read(path)
    assert [r.values["text"] for r in records] == [
        "Café crème naïve – très “bien”",
        "Export is slow",
    ]
    assert [r.line for r in records] == [2, 3]
    assert list(records[0].values) == ["id", "text", "score"]  # no BOM left in the first column


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_any_delimiter_is_detected(tmp_path: Path, delimiter: str) -> None:
    body = f'id{delimiter}text\n1{delimiter}"Hello, world; ok | fine"\n'
    path = write(tmp_path, "f.csv", body.encode())
    assert read(path)[0].values == {"id": "1", "text": "Hello, world; ok | fine"}


def test_sniffer_falls_back_to_the_header() -> None:
    assert sniff_delimiter("text\nno delimiter at all\n") == ","
    assert sniff_delimiter("a;b;c\n") == ";"


def test_quoted_newlines_keep_the_line_where_the_record_starts(tmp_path: Path) -> None:
    path = write(tmp_path, "f.csv", b'id,text\n1,"two\nlines"\n2,next\n')
    records = read(path)
    assert [(r.line, r.values["text"]) for r in records] == [(2, "two\nlines"), (4, "next")]


def test_fields_over_128_kib_are_read(tmp_path: Path) -> None:
    huge = "x" * (300 * 1024)
    path = write(tmp_path, "f.csv", f'id,text\n1,"{huge}"\n2,small\n'.encode())
    assert [len(r.values["text"]) for r in read(path)] == [len(huge), 5]


def test_unbalanced_quote_is_a_file_error_naming_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "f.csv", b'id,text\n1,fine\n2,"never closed\n3,more\n')
    with pytest.raises(FileFormatError, match=r"f\.csv.*line 3.*unbalanced quote"):
        read(path)


def test_text_after_a_closing_quote_is_a_file_error(tmp_path: Path) -> None:
    path = write(tmp_path, "f.csv", b'id,text\n1,"quoted" tail\n')
    with pytest.raises(FileFormatError, match="line 2"):
        read(path)


def test_a_file_cut_mid_row_is_a_file_error(tmp_path: Path) -> None:
    path = write(tmp_path, "f.csv", b"id,text,score\n1,complete,9\n2,cut her")
    with pytest.raises(FileFormatError, match=r"stops in the middle of the row at line 3"):
        read(path)


def test_a_short_row_in_the_middle_is_a_row_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "f.csv", b"id,text,score\n1,short\n2,complete,9")
    records = read(path)
    assert records[0].problem == "the row has 2 fields, the header has 3"
    assert records[1].problem is None  # a complete last row without a final newline is fine


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "f.csv", b"id,text\n\n1,a\n,\n2,b\n")
    assert [r.values["id"] for r in read(path)] == ["1", "2"]


def test_binary_file_is_refused(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    with pytest.raises(FileFormatError, match="binary"):
        FeedbackFile(write(tmp_path, "image.csv", png))


def test_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="empty"):
        FeedbackFile(write(tmp_path, "e.csv", b"  \n"))
    with pytest.raises(NotFound):
        FeedbackFile(tmp_path / "missing.csv")


def test_invalid_bytes_after_the_sample_name_the_encoding(tmp_path: Path) -> None:
    body = b"id,text\n" + b"1,plain ascii text\n" * 5000 + b"2,caf\xe9\n"
    path = write(tmp_path, "f.csv", body)
    with pytest.raises(FileFormatError, match="not valid utf-8"):
        read(path)


def test_json_array_streams_objects_with_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "f.json", b'[\n {"id": 1, "text": "a"},\n {"id": 2, "text": "b"}\n]\n')
    records = read(path)
    assert [(r.line, r.values) for r in records] == [
        (2, {"id": 1, "text": "a"}),
        (3, {"id": 2, "text": "b"}),
    ]


def test_json_elements_larger_than_the_read_chunk(tmp_path: Path) -> None:
    big = "é" * (3 * 1024 * 1024)
    path = write(tmp_path, "f.json", f'[{{"text": "{big}"}}, {{"text": "x"}}, 7]'.encode())
    records = read(path)
    assert [len(r.values.get("text", "")) for r in records] == [len(big), 1, 0]
    assert records[2].problem == "expected a JSON object, got int"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'[{"text": "a"}, {"text": "b"', "stops inside an element"),
        (b'[{"text": "a"},\n{"text" "b"}]', "line 2"),
        (b'{"text": "a"}', "expected a JSON array"),
        (b'[{"text": "a"}] trailing', "after the closing"),
    ],
)
def test_broken_json_is_a_file_error(tmp_path: Path, body: bytes, message: str) -> None:
    with pytest.raises(FileFormatError, match=message):
        read(write(tmp_path, "f.json", body))


def test_jsonl_bad_line_is_a_row_problem_but_a_cut_last_line_is_a_file_error(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "f.jsonl", b'{"text": "a"}\n{oops}\n\n{"text": "c"}\n')
    records = read(path)
    assert [r.line for r in records] == [1, 2, 4]
    assert records[1].problem is not None
    assert records[1].problem.startswith("invalid JSON")
    cut = write(tmp_path, "cut.jsonl", b'{"text": "a"}\n{"text": "b')
    with pytest.raises(FileFormatError, match="stops in the middle of line 2"):
        read(cut)


def test_kind_is_sniffed_when_the_extension_says_nothing(tmp_path: Path) -> None:
    assert FeedbackFile(write(tmp_path, "a.dat", b'[{"text": "a"}]')).kind == "json"
    assert FeedbackFile(write(tmp_path, "b.dat", b'{"text": "a"}\n')).kind == "jsonl"
    assert FeedbackFile(write(tmp_path, "c.dat", b"text\na\n")).kind == "csv"
