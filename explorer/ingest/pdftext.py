"""Text of slide PDFs (pypdf), for the arXiv links the slides carry."""

from __future__ import annotations

import io
import logging


class PdfTextError(Exception):
    """The bytes are not a PDF pypdf can read."""


def pdf_text(data: bytes) -> str:
    """All extractable text of a PDF, pages joined by newlines, plus link targets.

    Slides often carry arXiv links only as link annotations (the visible text says
    "paper"), so URIs of link annotations are appended to the text.

    Args:
        data: the PDF file's bytes.

    Returns:
        The text; empty for a PDF without a text layer.

    Raises:
        PdfTextError: the data cannot be parsed as a PDF.
    """
    from pypdf import PdfReader  # imported here: parsing READMEs must not need pypdf

    # pypdf logs every recoverable oddity of a slide deck; the caller reports real failures.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        parts: list[str] = []
        for page in reader.pages:
            parts.append(page.extract_text() or "")
            for annot in page.get("/Annots") or []:
                try:
                    action = annot.get_object().get("/A")
                    uri = action.get_object().get("/URI") if action else None
                except Exception:  # noqa: BLE001 - a broken annotation must not lose the page's text
                    uri = None
                if uri:
                    parts.append(f" {uri} ")
        return "\n".join(parts)
    except Exception as e:  # pypdf raises many types for corrupt files
        raise PdfTextError(f"{type(e).__name__}: {e}") from e
