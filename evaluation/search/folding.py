"""Accent- and case-insensitive matching where PostgreSQL's full-text search is not there (SQLite):
the fallback compares folded text, and highlights what it matched in the original text."""

import re
import unicodedata

from django.db.backends.signals import connection_created

FOLD_FUNCTION = "atc_fold"
# Characters that are never part of a searched word: punctuation, symbols, tsquery syntax.
_WORD = re.compile(r"\w+", re.UNICODE)


def fold_char(char: str) -> str:
    """One character without its accent, lower-cased, still one character (positions are kept)."""
    decomposed = unicodedata.normalize("NFD", char)
    return (decomposed[0] if decomposed else char).lower()[:1] or char


def fold(text: str | None) -> str:
    """The text without accents, lower-cased, with the same length as the original."""
    return "".join(fold_char(char) for char in text or "")


def terms(query: str) -> list[str]:
    """The folded words of a query, duplicates removed, in order."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(fold(query)):
        seen.setdefault(word.replace("_", ""), None)
    return [word for word in seen if word]


def highlight(text: str, words: list[str], *, window: int | None = None) -> list[tuple[str, bool]]:
    """`text` cut into (piece, matched) segments; with `window`, only around the first match."""
    folded = fold(text)
    spans = []
    for word in words:
        start = folded.find(word)
        while start >= 0:
            spans.append((start, start + len(word)))
            start = folded.find(word, start + len(word))
    spans.sort()
    begin, end = 0, len(text)
    if window is not None and len(text) > 2 * window:
        centre = spans[0][0] if spans else 0
        begin = max(0, centre - window // 2)
        end = min(len(text), begin + 2 * window)
    segments: list[tuple[str, bool]] = [("…", False)] if begin > 0 else []
    cursor = begin
    for start, stop in spans:
        if start < cursor or stop > end:
            continue
        if start > cursor:
            segments.append((text[cursor:start], False))
        segments.append((text[start:stop], True))
        cursor = stop
    if cursor < end:
        segments.append((text[cursor:end], False))
    if end < len(text):
        segments.append(("…", False))
    return segments


def register(sender, connection, **kwargs) -> None:
    """Give every SQLite connection the folding function the fallback search filters with."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)


connection_created.connect(register, dispatch_uid="search-fold-function")
