"""HTML tables of a README (``<table><tr><td>``) as markdown pipe rows, line for line."""

from __future__ import annotations

import re

_TABLE = re.compile(r"<table\b[^>]*>.*?</table\s*>", re.IGNORECASE | re.DOTALL)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)(?=<tr\b|</table|$)", re.IGNORECASE | re.DOTALL)
_CELL = re.compile(r"<t([dh])\b[^>]*>(.*?)(?=<t[dh]\b|</tr|$)", re.IGNORECASE | re.DOTALL)


def _pipe_row(row: str) -> str:
    cells = []
    for _, body in _CELL.findall(row):
        body = re.sub(r"</t[dh]\s*>", "", body, flags=re.IGNORECASE)
        cells.append(" ".join(body.split()).replace("|", "\\|"))
    return "| " + " | ".join(cells) + " |" if cells else ""


def pipe_tables(text: str) -> str:
    """Each ``<tr>`` of an HTML table becomes a '| a | b |' row on the line its ``<tr>``
    starts; the table's other lines stay, blank, so that line numbers still name the row."""
    def convert(m: re.Match) -> str:
        block = m[0]
        lines = [""] * (block.count("\n") + 1)
        for row in _ROW.finditer(block):
            line = block.count("\n", 0, row.start())
            lines[line] = _pipe_row(row[1])
        return "\n".join(lines)
    return _TABLE.sub(convert, text)
