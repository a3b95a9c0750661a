"""Text of slide PDFs (pypdf), for the arXiv links the slides carry."""

from __future__ import annotations

import io
import logging
import re

MAX_PAGES = 400  # a deck longer than this is read up to here (and said so): no slide deck is


class PdfTextError(Exception):
    """The bytes are not a PDF pypdf can read."""


# An arXiv marker ('arxiv.org/abs/', 'arXiv:', 'papers/') with an id that text extraction
# broke at a line end: '.../abs/2501.' + newline + '01234'.
_BROKEN = re.compile(r"((?:arxiv\.org/(?:abs|pdf|html)/|\barxiv\s*:\s*|/papers/|alphaxiv\.org/"
                     r"(?:abs|overview)/)[\d.]{0,10})[ \t]*\n[ \t]*([\d.]{1,10})", re.IGNORECASE)
_WHOLE = re.compile(r"\d{4}\.\d{4,5}")


def _valid(ident: str) -> bool:
    yymm, num = ident.split(".")
    return 1 <= int(yymm[2:]) <= 12 and (len(num) == 4) == (int(yymm) < 1501)


def rejoin_ids(text: str) -> str:
    """Joins an arXiv id broken across two lines after its marker, where only the joined
    digits are a valid id: 'arXiv:2502.0432' + newline + '1' -> 'arXiv:2502.04321'; a whole id
    followed by a number on the next line ('arXiv:1312.6114' + newline + '2') stays apart."""
    def join(m: re.Match) -> str:
        head = re.search(r"[\d.]*$", m[1])[0]
        both = head + m[2]
        whole = _WHOLE.fullmatch(head) and _valid(head)
        return m[1] + m[2] if not whole and _WHOLE.fullmatch(both) and _valid(both) else m[0]
    return _BROKEN.sub(join, text)


def pdf_text(data: bytes, notes: list[str] | None = None) -> str:
    """All extractable text of a PDF, pages joined by newlines, plus link targets.

    Slides often carry arXiv links only as link annotations (the visible text says
    "paper"), so URIs of link annotations are appended to the text.

    Args:
        data: the PDF file's bytes.
        notes: filled with what was not read (pages past ``MAX_PAGES``, unreadable pages).

    Returns:
        The text; empty for a PDF without a text layer.

    Raises:
        PdfTextError: the data cannot be parsed as a PDF, or it is locked with a password.
    """
    from pypdf import PdfReader  # imported here: parsing READMEs must not need pypdf

    notes = [] if notes is None else notes
    # pypdf logs every recoverable oddity of a slide deck; the caller reports real failures.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfTextError("encrypted with a password; its text cannot be read")
        parts: list[str] = []
        total = len(reader.pages)
        if total > MAX_PAGES:
            notes.append(f"only the first {MAX_PAGES} of {total} pages read")
        bad: list[int] = []
        for number, page in enumerate(reader.pages, 1):
            if number > MAX_PAGES:
                break
            try:
                parts.append(page.extract_text() or "")
            except Exception:  # noqa: BLE001 - one broken page must not lose the others
                bad.append(number)
                continue
            for annot in page.get("/Annots") or []:
                try:
                    action = annot.get_object().get("/A")
                    uri = action.get_object().get("/URI") if action else None
                except Exception:  # noqa: BLE001 - a broken annotation must not lose the page's text
                    uri = None
                if uri:
                    parts.append(f" {uri} ")
        if bad:
            notes.append(f"page(s) {', '.join(map(str, bad))} could not be read")
        return rejoin_ids("\n".join(parts))
    except PdfTextError:
        raise
    except Exception as e:  # pypdf raises many types for corrupt files
        raise PdfTextError(f"{type(e).__name__}: {e}") from e
