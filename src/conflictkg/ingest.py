"""Ingest: files and folders of articles in, :class:`Article` records out.

Every problem with one input becomes an :class:`IngestError` naming the file
(and JSONL line) and the reason, so a run reports it and goes on with the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
LANGS = ("ar", "en")


@dataclass
class Article:
    id: str
    text: str
    path: str
    date: dt.date | None = None
    source: str | None = None
    url: str | None = None
    lang: str = "ar"
    title: str | None = None
    record: int | None = None  # JSONL line number
    meta: dict = field(default_factory=dict)


@dataclass
class IngestError(Exception):
    path: str
    reason: str
    record: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.record}" if self.record is not None else self.path
        return f"{where}: {self.reason}"


def article_id(raw: str) -> str:
    """A stable, IRI-safe identifier from a file stem or a JSONL id."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", raw).strip("-.")
    return cleaned or "article"


def parse_date(value: object, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{where}: date must be a string YYYY-MM-DD, not {type(value).__name__}")
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not a real date in the form YYYY-MM-DD") from None


# Common English words: Latin-script text without them is some other language (French, Turkish, Kurdish...).
_ENGLISH_WORDS = "the of and to in a is was were said that on for with by from at as has have had it its are be an this"
_ENGLISH = frozenset(_ENGLISH_WORDS.split(" ")) | {"which", "after", "over", "their", "they", "who", "not", "but"}


def detect_language(text: str) -> str | None:
    """ar, en, or None when the text is in neither (then --lang must say which pipeline to use)."""
    arabic = len(re.findall("[\u0600-\u06ff]", text))
    latin = len(re.findall("[A-Za-z]", text))
    letters = sum(1 for c in text if c.isalpha())
    if arabic and arabic >= latin and arabic >= letters / 2:
        return "ar"
    if latin and latin >= letters / 2:
        words = re.findall("[A-Za-z]+", text.lower())
        if sum(1 for w in words if w in _ENGLISH) >= max(1, len(words) / 10):
            return "en"
    return None


class _TextExtractor(HTMLParser):
    """Visible text of an HTML page; scripts, styles and navigation dropped."""

    SKIP: ClassVar[set[str]] = {
        "script",
        "style",
        "nav",
        "header",
        "footer",
        "aside",
        "noscript",
        "template",
        "form",
        "svg",
    }
    BLOCK: ClassVar[set[str]] = {
        "p",
        "div",
        "br",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "article",
        "section",
        "blockquote",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.title: str | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag == "title":
            self._in_title = False
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title = (self.title or "") + data.strip()
        elif not self.skipping:
            self.parts.append(data)

    def text(self) -> str:
        joined = "".join(self.parts)
        lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in joined.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(markup: str) -> tuple[str, str | None]:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return parser.text(), parser.title


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def decode(data: bytes, path: str) -> str:
    """UTF-8 (a BOM is dropped) or UTF-16 with a BOM; anything else is refused with a hint."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise IngestError(path, f"broken UTF-16 text ({exc.reason} at byte {exc.start})") from None
    head = data[:8192]
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if len(data) % 2 == 0 and (not even or not odd) and _decodes(data, "utf-16-le" if odd else "utf-16-be"):
            raise IngestError(path, "UTF-16 text without a byte-order mark; re-save it as UTF-8 (or UTF-16 with a BOM)")
        raise IngestError(path, "binary file (NUL bytes), not a text article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        hint = "re-save it as UTF-8"
        try:
            guess = data.decode("cp1256")
            if len(re.findall("[\u0600-\u06ff]", guess)) > len(guess) / 4:
                hint = "it looks like Windows-1256 Arabic: convert it with `iconv -f CP1256 -t UTF-8`"
        except UnicodeDecodeError:
            pass
        bad = data[exc.start]
        raise IngestError(path, f"not valid UTF-8 (byte 0x{bad:02x} at offset {exc.start}); {hint}") from None


def _sidecar(path: Path) -> dict:
    side = path.with_suffix(".json")
    if not side.exists():
        return {}
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IngestError(str(side), f"sidecar is not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise IngestError(str(side), "sidecar must be a JSON object with date, source, url, lang")
    return meta


def _finish(
    art: Article, meta: dict, date: dt.date | None, lang: str, where: str, origin: str | None = None
) -> Article:
    """Check and attach the metadata; ``origin`` names the sidecar it came from, so the message says where to fix it."""
    if not art.text.strip():
        raise IngestError(art.path, "empty article (no text)", art.record)
    try:
        art.date = date or (parse_date(meta["date"], where) if meta.get("date") else None)
    except ValueError as exc:
        reason = str(exc).split(": ", 1)[-1]
        if origin:
            reason += f" (the date in its sidecar {origin}; fix it there or give --date)"
        raise IngestError(art.path, reason, art.record) from None
    for key in ("source", "url", "title", "lang"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            raise IngestError(art.path, f"{key!r} must be a string, not {type(meta[key]).__name__}", art.record)
    art.source = meta.get("source") or None
    art.url = meta.get("url") or None
    art.title = art.title or meta.get("title") or None
    chosen = lang if lang != "auto" else (meta.get("lang") or detect_language(art.text))
    if chosen is None:
        raise IngestError(
            art.path,
            "the text is neither Arabic nor English (the languages conflictkg extracts); "
            "if it is one of them, say so with --lang ar or --lang en",
            art.record,
        )
    if chosen not in LANGS:
        raise IngestError(art.path, f"unknown language {chosen!r}; use one of {', '.join(LANGS)} or auto", art.record)
    art.lang = chosen
    art.meta = {k: v for k, v in meta.items() if k not in {"text"}}
    return art


def read_file(
    path: Path, date: dt.date | None = None, lang: str = "auto", max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Article | IngestError]:
    """Articles of one file; errors are yielded, not raised, so the caller can go on."""
    name = str(path)
    if path.suffix.lower() == ".jsonl":
        # A JSONL corpus may be any size: it is read a record at a time and the limit is per record.
        yield from _read_jsonl(path, name, date, lang, max_bytes)
        return
    try:
        size = path.stat().st_size
        if size > max_bytes:
            yield IngestError(name, f"{size:,} bytes is over --max-bytes {max_bytes:,}; split it or raise the limit")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield IngestError(name, f"cannot read it ({exc.strerror or exc})")
        return
    try:
        text = decode(data, name)
        meta = _sidecar(path)
        title = None
        if path.suffix.lower() in (".html", ".htm") or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
            text, title = html_to_text(text)
        art = Article(id=article_id(path.stem), text=text, path=name, title=title)
        yield _finish(art, meta, date, lang, name, origin=path.with_suffix(".json").name if meta else None)
    except IngestError as exc:
        yield exc


def _jsonl_lines(path: Path, name: str, max_bytes: int) -> Iterator[tuple[int, str | IngestError]]:
    """Lines of a UTF-8 JSONL file, read one at a time (memory bounded by --max-bytes, whatever the file's size)
    and each decoded on its own: one bad line does not sink the file."""
    with path.open("rb") as fh:
        head = fh.read(3)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise IngestError(name, "JSONL must be UTF-8, and this is UTF-16; re-save it as UTF-8")
        if head != b"\xef\xbb\xbf":
            fh.seek(0)
        number = 0
        while raw := fh.readline(max_bytes + 1):
            number += 1
            if len(raw.rstrip(b"\r\n")) > max_bytes:
                while not raw.endswith(b"\n") and (raw := fh.readline(1 << 20)):
                    pass  # skip the rest of the over-long record without holding it
                reason = f"record over --max-bytes {max_bytes:,}; split it or raise the limit"
                yield number, IngestError(name, reason, number)
                continue
            try:
                yield number, raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                reason = f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
                yield number, IngestError(name, reason, number)


def _read_jsonl(
    path: Path, name: str, date: dt.date | None, lang: str, max_bytes: int
) -> Iterator[Article | IngestError]:
    seen: set[str] = set()  # ids only: a few bytes a record
    stem = article_id(path.stem)
    records = 0
    try:
        for number, line in _jsonl_lines(path, name, max_bytes):
            if isinstance(line, IngestError):
                records += 1
                yield line
                continue
            if not line.strip():
                continue
            records += 1
            yield from _jsonl_record(line, number, name, stem, seen, date, lang)
    except IngestError as exc:
        yield exc
        return
    except OSError as exc:
        yield IngestError(name, f"cannot read it ({exc.strerror or exc})")
        return
    if not records:
        yield IngestError(name, "empty JSONL file (no records)")


def _jsonl_record(
    line: str, number: int, name: str, stem: str, seen: set[str], date: dt.date | None, lang: str
) -> Iterator[Article | IngestError]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        yield IngestError(name, f"malformed JSON ({exc.msg} at column {exc.colno})", number)
        return
    if not isinstance(record, dict):
        yield IngestError(name, "a record must be a JSON object", number)
        return
    body = record.get("text")
    if not isinstance(body, str):
        reason = "missing field 'text'" if body is None else f"'text' must be a string, not {type(body).__name__}"
        yield IngestError(name, reason, number)
        return
    raw_id = record.get("id", f"{stem}-{number}")
    if not isinstance(raw_id, (str, int)):
        yield IngestError(name, "'id' must be a string or a number", number)
        return
    aid = article_id(str(raw_id))
    if aid in seen:
        yield IngestError(name, f"duplicate id {raw_id!r}", number)
        return
    seen.add(aid)
    art = Article(id=aid, text=body, path=name, record=number, title=record.get("title"))
    try:
        yield _finish(art, record, date, lang, f"{name}:{number}")
    except IngestError as exc:
        yield exc


def expand(paths: Iterable[str | Path]) -> Iterator[Path | IngestError]:
    """Files named, and the article files inside folders named (sorted, so runs are repeatable)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)
            if not found:
                yield IngestError(str(path), f"no article files ({', '.join(ARTICLE_SUFFIXES)}) in this folder")
            yield from found
        elif path.exists():
            yield path
        else:
            yield IngestError(str(path), "no such file or folder")


def read(
    paths: Iterable[str | Path], date: dt.date | None = None, lang: str = "auto", max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Article | IngestError]:
    for item in expand(paths):
        if isinstance(item, IngestError):
            yield item
        else:
            yield from read_file(item, date=date, lang=lang, max_bytes=max_bytes)
