"""Markdown text helpers for the page parsers: emphasis, links, speaker names, slot kinds."""

from __future__ import annotations

import html
import re
import unicodedata

_TITLES = re.compile(r"^(?:(?:Prof|Dr|Mag|Dipl|Ing|DI|MSc|PhD|Assoc)\.?(?:-\w+\.?)?\s+)+")
# Words that occur in talk titles and organisation names but not in people's names.
_NOT_NAME = {*"""
ai ml deep learning neural network networks machine vision data topics news models model
generation intro introduction hot latest talk talks review networking discussion discussions
welcome break wrap announcements announcement events jobs job slides agenda schedule details
abstract speaker panel keynote keynotes q&a university universität institute institut gmbh ag
lab labs research inc ltd group technology technologies tu jku ait ofai cto ceo head team
meetup vienna wien austria google microsoft facebook deepmind openai science scientist computer
search image images language languages learning, engineer developer the of for and with in on
to a an from how what why is are our your by at end open software systems transformers
transformer cloud medical medicine health conference summit hub center centre senior junior
researcher lector professor student candidate founder co-founder lead manager consultant
advocate director predictive maintenance quality inspection chief principal application
applications development agenda intro uni univ corp llc company foundation association
academy college school hospital clinic bank ventures consulting solutions analytics
""".split()}  # noqa: SIM905 - a word list reads better as text
_PARTICLES = {"van", "von", "de", "der", "da", "di", "del", "la", "le", "zu", "ten", "ter"}
_NAME_TOKEN = re.compile(r"^(?:[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’-]*\.?|[A-Z]\.)$")
# Label and target runs stop at the next bracket, so a line of '[' or '(' is read in linear time.
_LINK = re.compile(r"\[([^\[\]]*)\]\([ \t]{0,3}<([^<>]*)>[ \t]{0,3}\)|"
                   r"\[([^\[\]]*)\]\([ \t]{0,3}([^()\s]*)[^()]*\)")
INTRO_WORDS = (
    r"intro(?:duction)?(?: slides)?|welcome|announcements?|annoucements?|agenda|jobs?|"
    r"job (?:openings|offers)|events|hot (?:topics|papers)(?: session)?|latest news|news|"
    r"interesting papers|survey|vdlm|vldm|open discussions?|q&a|begrüßung|begruessung|willkommen"
)
_INTRO_PIECE = re.compile(rf"^(?:{INTRO_WORDS})$", re.IGNORECASE)
_INTRO_HEAD = re.compile(
    rf"^(?:(?:{INTRO_WORDS})\s*(?:[,/+&]|and|--?|–)?\s*)+(?:[:–-]|$)", re.IGNORECASE)


def fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: 'René  Donner!' -> 'rene donner'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


# Tags pages use for layout, with real attribute syntax ('<details open>', '<a href="...">'):
# 'p<i and i>0' in a formula is text, not an '<i>' tag.
_ATTR = r"""[\w:-]{1,40}\s*=\s*(?:"[^"]{0,500}"|'[^']{0,500}'|[^\s"'<>=`]{1,500})|open|hidden"""
_HTML_TAG = re.compile(
    r"</?(?:details|summary|br|p|div|span|img|a|sup|sub|b|i|u|em|strong|small|font|center|hr)"
    rf"(?:\s+(?:{_ATTR})){{0,20}}\s*/?>", re.IGNORECASE)


def tidy_spaces(text: str) -> str:
    """Trailing blanks dropped and any run of blanks cut to 16: a long run means nothing in
    Markdown, and every pattern that starts with optional spaces would scan it again from
    each position (a line of 16,000 spaces took seconds; a 10 MB one would never end)."""
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))  # no '[ \t]+$': it
    return _BLANK_RUN.sub(" " * 16, text)  # too rescans a run from each of its positions


_BLANK_RUN = re.compile(r"[ \t]{17,}")


def blank_comments(text: str) -> str:
    """HTML comments replaced by the line breaks they held: the page's line numbers stay."""
    out, at = [], 0
    while (start := text.find("<!--", at)) >= 0 and (end := text.find("-->", start + 4)) >= 0:
        out += [text[at:start], "\n" * text.count("\n", start, end)]
        at = end + 3
    return "".join(out) + text[at:]


def _untag(m: re.Match) -> str:
    tag, text, at = m[0], m.string, m.start()
    if "\n" in tag:  # '<details\n  open>': its line breaks stay, the lines keep their numbers
        return "\n" * tag.count("\n")
    if re.match(r"<br\b", tag, re.IGNORECASE):
        before = text[max(at - 20, 0):at].rstrip(" \t")[-1:]
        after = text[m.end():m.end() + 20].lstrip(" \t")[:1]
        if (before.isalnum() or before == ")") and after.isalpha():
            return ", "  # 'Ada Berg<br>Owl Uni': a name and its organisation
    return " "


# '<a href="URL" target=_blank>text</a>' on one line: its address must outlive the tag strip.
_HTML_LINK = re.compile(
    rf"""<a(?:[ \t]+(?!href\b)(?:{_ATTR})){{0,20}}[ \t]+href[ \t]*=[ \t]*(?:"(?P<dq>[^"\n]{{1,500}})"|"""
    rf"""'(?P<sq>[^'\n]{{1,500}})'|(?P<bare>[^\s"'<>=`]{{1,500}}))(?:[ \t]+(?:{_ATTR})){{0,20}}"""
    r"[ \t]*>(?P<text>[^\n]{0,300}?)</a[ \t]*>", re.IGNORECASE)


def _md_link(m: re.Match) -> str:
    """'<a href="x.pdf">slides</a>' -> '[slides](x.pdf)'; one with a line break stays as it is."""
    if "\n" in m[0]:
        return m[0]
    url = html.unescape(m["dq"] or m["sq"] or m["bare"]).strip()
    url = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    label = " ".join(_HTML_TAG.sub(" ", m["text"]).replace("[", "(").replace("]", ")").split())
    label = label or url
    return f"[{label}]({url})"


def strip_html(text: str) -> str:
    """HTML comments and layout tags ('<details>', '<summary>', '<br>') removed from a page,
    its lines kept where they are: '<summary>Abstract</summary>' -> ' Abstract '.

    A removed tag leaves a space, so words stay apart ('hoot.<br>We' -> 'hoot. We'); a '<br>'
    between two words separates like a comma ('Ada Berg<br>Owl Uni' -> 'Ada Berg, Owl Uni');
    a link keeps its address as a Markdown link ('<a href="x.pdf">slides</a>' -> '[slides](x.pdf)').
    A blockquote's markers go too ('> An abstract' -> 'An abstract', '> > a' -> 'a'), and an
    HTML heading on its line is a Markdown one ('<h3>Talk 1: Owls</h3>' -> '### Talk 1: Owls').
    """
    text = _HTML_HEADING.sub(lambda m: "#" * int(m[1]) + " " + m[2].strip(),
                             _HTML_LINK.sub(_md_link, blank_comments(text)))
    text = re.sub(r"\[\^[^\]\s]{1,20}\](?!:)", "", text)  # a footnote mark: 'Owls[^1]' -> 'Owls'
    return _QUOTE.sub("", _HTML_TAG.sub(_untag, text))


_HTML_HEADING = re.compile(r"^[ \t]{0,3}<h([1-6])\b[^>\n]{0,200}>([^<\n]{0,500}?)</h\1\s*>[ \t]*$",
                           re.IGNORECASE | re.MULTILINE)


_QUOTE = re.compile(r"^[ \t]{0,3}(?:>[ \t]?){1,8}", re.MULTILINE)


# Emoji: pictographs, dingbats, their variation selectors, joiners, skin tones (all within
# U+1F000-1FAFF), tag letters of flags and keycaps ('1️⃣'). Other symbols ('™', '©', '®',
# '°') are part of a title: 'C++™' keeps its mark.
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B50\u2B55\u231A\u231B"
                    "\u23E9-\u23FA\ufe0e\ufe0f\u200d\u20e3\U000E0020-\U000E007F]")


def _decor(text: str, i: int) -> bool:
    ch = text[i]
    return ch.isspace() or _EMOJI.match(ch) is not None or (
        ch in "0123456789#*" and "\u20e3" in text[i + 1:i + 3])  # the digit of a keycap


def trim_symbols(text: str) -> str:
    """Emoji around a title or name removed: '🎤 Ada Berg' -> 'Ada Berg', 'C++™' unchanged."""
    start, end = 0, len(text)
    while start < end and _decor(text, start):
        start += 1
    while end > start and _decor(text, end - 1):
        end -= 1
    return text[start:end]


def strip_md(text: str) -> str:
    """Markdown emphasis, strikethrough markers and link syntax removed, whitespace collapsed."""
    text = _LINK.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(3), text)
    text = re.sub(r"\*{1,3}|~~|(?<!\w)_{1,2}|_{1,2}(?!\w)|`", "", text)
    return " ".join(text.split()).strip()


def links(text: str) -> list[tuple[str, str]]:
    """Markdown links as (label, target): '[pdf](<./a b.pdf>)' -> [('pdf', './a b.pdf')]."""
    out = []
    for m in _LINK.finditer(text):
        label = m.group(1) if m.group(1) is not None else m.group(3)
        target = m.group(2) if m.group(2) is not None else m.group(4)
        out.append((label.strip(), target.strip()))
    return out


def clean_name(name: str) -> str:
    """'Prof. Moshe Vardi' -> 'Moshe Vardi'; quotes and stray punctuation trimmed."""
    name = strip_md(name).strip(" ,;:-–—\"“”'()")
    return _TITLES.sub("", name).strip()


def is_person(text: str) -> bool:
    """A plausible person's name: 2-5 capitalised tokens, no title or organisation words.

    Example: 'Jan Schlüter' -> True, 'Michael M. Pieler' -> True, 'Deep Learning' -> False,
    'mva.ai' -> False.
    """
    name = clean_name(text)
    tokens = name.split()
    if not 2 <= len(tokens) <= 5 or len(name) > 45 or re.search(r"\d|@|/|\.\w\w", name):
        return False
    caps = 0
    for t in tokens:
        if t.lower() in _PARTICLES:
            continue
        initial = re.fullmatch(r"[A-Z]\.", t) is not None  # 'A. Berg': not the article 'a'
        if (t.lower().strip(".,") in _NOT_NAME and not initial) or not _NAME_TOKEN.match(t) or (
                t.isupper() and len(t.strip(".")) > 1):
            return False
        caps += 1
    return caps >= 2


# How the root table names the organizers in its speaker column (a typo included).
ORGANIZERS = ("vdlm", "vldm")


def split_people(text: str, strict: bool = False) -> tuple[list[str], list[str]]:
    """Speakers and affiliations from a credit line.

    Example: 'Thomas Lidy, Musimap and Alexander Schindler, AIT' ->
    (['Thomas Lidy', 'Alexander Schindler'], ['Musimap', 'AIT']).
    Text in parentheses is taken as affiliation: 'Ana X (TU Wien)' -> (['Ana X'], ['TU Wien']).
    With ``strict`` (page credit lines, where 'Name, Company' is the rule) only the first
    comma-piece of each 'and' / '&' / ';' group can be a person: 'Ada Berg, Leaf Labs' ->
    (['Ada Berg'], ['Leaf Labs']).
    """
    text = strip_md(text).replace("…", "").replace("...", "")
    # notes about the people, not people or organisations: a leading 'Panel:', pronouns
    # '(she/her)', a trailing 'et al.' / 'and colleagues'
    text = re.sub(r"^(?:panel(?:ists)?|moderator|speakers?|presenters?)\s*:\s*|\s*\((?:she|he|they)"
                  r"/\w+\)|,?\s+(?:et al\b\.?|and (?:colleagues|team|co-?authors|others)\b)",
                  "", text, flags=re.IGNORECASE)
    # '(Owlworks)', '(both Owlworks)', '(all at Owlworks)': an affiliation
    affils = [re.sub(r"^(?:both|all)\b(?:\s+(?:at|of|from)\b)?\s*", "", a.strip())
              for a in re.findall(r"\(([^()]*)\)", text) if a.strip()]
    affils = [p.strip() for a in affils for p in (a.split(",") if any(
        is_role(x) for x in a.split(",")) else [a]) if p.strip()]
    text = re.sub(r"\)\s*,", ");", text)  # 'A (X), B (Y)': the comma separates people
    text = re.sub(r"\([^()]*\)", ",", text)
    people: list[str] = []
    groups = re.split(r";|\s+(?:and|und|\+)\s+|\s*&\s*|\s+with\s+(?=\S+\s+\S)", text)
    for gi, group in enumerate(groups):
        pieces = re.split(r",|\s+/+\s+|//|\s+[-–—@]\s+", group)  # 'Ada Berg @ Owlworks'
        # 'A, B and C' lists people: every comma-piece a name, and an 'and' after them
        listed = gi < len(groups) - 1 and all(is_person(p.strip(" .:-–")) for p in pieces)
        for n, piece in enumerate(pieces):
            piece = piece.strip(" .:-–")
            if not piece:
                continue
            if is_person(piece) and not (strict and n > 0 and not listed):
                people.append(clean_name(piece))
            elif not is_role(piece) and not _DEGREE.fullmatch(piece):  # 'Eva Steiner, MSc'
                affils.append(piece)
    return people, [a for a in dict.fromkeys(affils) if a and not is_role(a)
                    and not _DEGREE.fullmatch(a)]


# An academic degree after a name ('Eva Steiner, MSc', 'Ada Berg (PhD)'): no organisation.
_DEGREE = re.compile(r"(?:B\.?Sc|M\.?Sc|B\.?A|M\.?A|MBA|Ph\.?D|M\.?D|MEng|BEng|Dipl\.?-Ing|"
                     r"DI|Mag|Dr|Prof|LL\.?M)\.?(?:\s*,?\s*(?:B\.?Sc|M\.?Sc|Ph\.?D|MBA|MEng)\.?)*")


# Roles name what a speaker does, not where: "Head of AI Research", "PhD student", "CTO".
_ROLE_NOUNS = {*"""
head founder cofounder co ceo cto cco coo cso vp student candidate researcher scientist engineer
developer lecturer lector professor prof postdoc predoc director manager consultant intern
analyst architect advocate expert freelancer leader lead fellow chief assistant phd
""".split()}  # noqa: SIM905
_ROLE_FILLER = {*"""
of and in for the ai ml data science machine learning deep research engineering software
computer vision nlp senior junior principal associate independent group team applied product
technology institute innovation msc bsc program programme department lab app ex former
""".split()}  # noqa: SIM905


def is_role(text: str) -> bool:
    """A job title rather than an organisation: 'Head of AI Research' -> True,
    'PhD student' -> True, 'SBA Research' -> False, 'University of Graz' -> False."""
    words = fold(text).split()
    return 0 < len(words) <= 8 and any(w in _ROLE_NOUNS for w in words) and all(
        w in _ROLE_NOUNS or w in _ROLE_FILLER for w in words)


def is_intro(title: str, speakers: list[str] | None = None) -> bool:
    """An intro / announcements / hot-topics / jobs slot rather than a talk.

    Example: 'Intro / Events' -> True, 'Hot Papers – What's new in NLP?' -> True,
    'Introduction to Transformers' -> False.
    """
    t = strip_md(title).strip()
    if speakers is not None and [fold(s) for s in speakers] in ([], *([o] for o in ORGANIZERS)) \
            and _INTRO_HEAD.match(t):
        return True
    if not t:
        return bool(speakers is not None and not speakers)
    if _INTRO_PIECE.match(t.rstrip(":! ")):
        return True
    head = re.split(r"[:–]| - ", t, maxsplit=1)[0]
    pieces = [p.strip() for p in re.split(r"\s*(?:[,/+&]|\band\b)\s*", head) if p.strip()]
    if pieces and all(_INTRO_PIECE.match(p) or p.lower() in ("in deep learning",)
                      for p in pieces):
        # 'Intro: Visual Computing' names a talk; 'Intro, Events + Hot Papers: X' a slot
        return not (len(pieces) == 1 and pieces[0].lower() == "intro" and head != t)
    return bool(re.match(r"^(?:latest news|hot topics|hot papers)\b", t, re.IGNORECASE))


GITHUB_BLOB = "https://github.com/vdlm/meetups/blob/main/"


def resolve_link(base_dir: str, target: str) -> str | None:
    """A link target made absolute: archive files become GitHub blob URLs.

    Example: ('Meetups/Meetup_5', './slides/a b.pdf') ->
    'https://github.com/vdlm/meetups/blob/main/Meetups/Meetup_5/slides/a%20b.pdf'.
    Placeholders ('TODO', 'n/a', '') give None; http(s) links are kept as they are.
    """
    from urllib.parse import quote, unquote

    target = target.strip().strip("<>").strip()
    if not target or target.startswith("#"):
        return None
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
        return target if target.lower().startswith(("http://", "https://")) else None
    if re.search(r"(^|/)(todo|n/?a)(\.pdf)?$", target, re.IGNORECASE):
        return None
    parts: list[str] = [] if target.startswith("/") else [p for p in base_dir.split("/") if p]
    for p in unquote(target).split("/"):
        if p in ("", "."):
            continue
        if p == "..":
            if parts:
                parts.pop()
            continue
        parts.append(p)
    return GITHUB_BLOB + quote("/".join(parts)) if parts else None


def archive_path(url: str | None) -> str | None:
    """The archive-relative path of a URL made by resolve_link, else None."""
    from urllib.parse import unquote

    if url and url.startswith(GITHUB_BLOB):
        return unquote(url[len(GITHUB_BLOB):])
    return None


def unquote(title: str) -> str:
    """'"SIM"' -> 'SIM', 'Game "SIM"' unchanged: quotes are removed only when they enclose."""
    t = title.strip()
    if len(t) > 1 and t[0] in "\"“„'" and t[-1] in "\"”“'":
        return t[1:-1].strip()
    return t
