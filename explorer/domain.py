"""The domain: meetups, their talks, the arXiv papers they cite, and search hits."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import quote

GITHUB_BLOB = "https://github.com/vdlm/meetups/tree/main"

# Talk kinds. Only TALK and SHORT_TALK count as talks in summaries; the others are kept
# so that a meetup's agenda is complete and hot-topic slides have a home for their refs.
TALK = "talk"
SHORT_TALK = "short talk"
INTRO = "intro-and-hot-topics"
CANCELLED = "cancelled"
KINDS = (TALK, SHORT_TALK, INTRO, CANCELLED)


@dataclass(frozen=True)
class Meetup:
    """One event of the series.

    `key` is the meetup number as text ("57") or a short key for events without one
    ("AI" for the 2017 AI Summit).
    """

    key: str
    number: int | None
    title: str
    date: str | None = None  # ISO yyyy-mm-dd
    venue: str | None = None
    meetup_url: str | None = None
    source_path: str | None = None  # archive-relative path of the README, if any

    @property
    def label(self) -> int | str:
        """The meetup as users name it: its number, or its key when it has none."""
        return self.number if self.number is not None else self.key

    @property
    def page_url(self) -> str | None:
        """The meetup's page: meetup.com if known, else its folder in the GitHub archive."""
        if self.meetup_url:
            return self.meetup_url
        if self.source_path:
            folder = self.source_path.rsplit("/", 1)[0] if "/" in self.source_path else ""
            return f"{GITHUB_BLOB}/{quote(folder)}" if folder else GITHUB_BLOB
        return None


@dataclass
class Talk:
    """A slot on a meetup's agenda (a talk, a short talk, intro/hot topics, or cancelled)."""

    id: str
    meetup_key: str
    title: str
    speakers: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    abstract: str = ""
    slides_url: str | None = None
    video_url: str | None = None
    kind: str = TALK
    bio: str = ""  # what the page says about the speaker(s), kept out of the abstract


@dataclass(frozen=True)
class ArxivRef:
    """One mention of an arXiv paper (id without version) in a meetup's README or slides."""

    arxiv_id: str
    meetup_key: str
    talk_id: str | None
    context: str
    source_path: str = ""


@dataclass
class Paper:
    """arXiv metadata for a cited id; `resolved` is False for ids arXiv did not answer."""

    id: str
    version: int | None = None
    title: str = ""
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    published: str | None = None
    updated: str | None = None
    abs_url: str = ""
    pdf_url: str = ""
    resolved: bool = False
    reason: str = ""


@dataclass(frozen=True)
class ParseWarning:
    """Something in the archive that could not be read; names the file and line."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass
class Corpus:
    """What the parser makes of an archive."""

    meetups: list[Meetup] = field(default_factory=list)
    talks: list[Talk] = field(default_factory=list)
    refs: list[ArxivRef] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    # meetup key -> where its date came from: "table", "page", "inferred" or "none"
    date_sources: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """A search result: a talk or a paper."""

    id: str
    kind: str  # "talk" or "paper"
    title: str
    meetup: int | str | None
    date: str | None
    score: float
    url: str | None = None
    # "exact" (the query is its arXiv id, title or speaker), "close" (above the relevance
    # floor) or "weak" (below it: returned only when asked for, e.g. include_weak=True).
    match: str = "close"
    # Hybrid search with the topic prior: the item's theme the query fits best, when the
    # query fits it better than unrelated items do (evidence for the rank), else None.
    theme: str | None = None


@dataclass(frozen=True)
class Person:
    """A speaker, one per person whichever spelling pages used (see `explorer.ingest.people`)."""

    id: str  # slug of the shown name: the address of the speaker's page
    key: str  # the folded key every spelling shares
    name: str  # the spelling used most often
    aliases: tuple[str, ...] = ()  # every spelling seen, the name included
    mentions: int = 0  # talks (or agenda slots) that name this person


def slugify(text: str, max_words: int = 8) -> str:
    """A short ASCII slug: 'Mixture of Experts!' -> 'mixture-of-experts'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words[:max_words]) or "untitled"


def talk_id(meetup_key: str, title: str) -> str:
    """Stable talk id from the meetup and the title: ('57', 'AI for SIM') -> 'm57-ai-for-sim'."""
    return f"m{slugify(meetup_key, 3)}-{slugify(title)}"
