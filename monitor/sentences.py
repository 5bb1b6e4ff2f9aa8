"""Sentences of an article, and which of them are claims.

``split_sentences`` splits text into sentences (every line is a paragraph; abbreviation
aware). ``is_claim`` keeps the sentences that assert something and drops headings,
bylines, captions, calls to action, questions, social-embed lines and date lines.
Pure and regex-based; every pattern is compiled once at import time.
"""

from __future__ import annotations

import re

from monitor.stopwords import wordset
from monitor.textnorm import date_pattern, fold

__all__ = ["LEADING_MARKUP", "is_claim", "quote_open", "split_sentences"]

# --------------------------------------------------------------------------------------
# Sentence splitting

# Never end a sentence after these (titles before names).
_TITLE_ABBR = wordset(
    """
    mr mrs ms dr prof gen col lt sgt capt cpt maj adm sen rep gov pres rev st hon fr
    cmdr brig supt insp det messrs mme mlle
    """
)
# End a sentence after these only when the next word is a typical sentence starter.
_COND_ABBR = wordset(
    """
    jan feb mar apr jun jul aug sep sept oct nov dec inc corp co ltd jr sr etc vs no
    approx est dept univ assn bros
    """
)
_NEVER_AFTER_DOTTED = frozenset({"e.g.", "i.e.", "cf.", "viz."})
_STARTERS = wordset(
    """
    the a an he she it they we i you his her their its our this that these those
    there but and however meanwhile in on at after before when while as if although
    though yet so still also then now today yesterday tomorrow earlier later some
    many most all no none one two three other officials reports according despite
    since during following
    """
)
_CLOSERS = "\"'\u201d\u2019)\\]*"
_OPENERS = "\"'\u201c\u2018(\\[*"
_BOUNDARY = re.compile(rf"(?:\.\.\.|\u2026|[.!?])+[{_CLOSERS}]*(?=\s+[{_OPENERS}]*[A-Z0-9])")
_LAST_WORD = re.compile(r"(\S+)$")
_NEXT_WORD = re.compile(rf"\s+[{_OPENERS}]*([A-Za-z0-9]+)")
_DOTTED = re.compile(r"^(?:[A-Za-z]\.){2,}$")
_INITIAL = re.compile(r"^[A-Z]\.$")
_MD_EMPH = re.compile(r"\*\*|__")
_WS = re.compile(r"\s+")
# A dateline opening a paragraph says where the story was filed, not what happened:
# "MOSCOW/DAMASCUS — ", "BEIRUT (Reuters) - ", "DAMASCUS, Syria, Dec. 9 (AP) — ".
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'\u2019-]{2,}(?:[ /][A-Z][A-Z.'\u2019-]+)*"  # the place, in capitals
    r"(?:,\s+[A-Z][A-Za-z.]*(?:\s+\d{1,2})?)*"  # ", Syria", ", Dec. 9"
    r"(?:\s+\([^()]{1,30}\))?"  # "(Reuters)"
    r"\s*(?:\u2014|\u2013|--?)\s+(?=\S)"
)


def _is_boundary(line: str, m: re.Match[str]) -> bool:
    punct = m.group(0)
    if not punct.startswith(".") or punct.startswith("..."):
        return True  # ! ? ... always split when followed by a capital
    lw = _LAST_WORD.search(line, 0, m.start() + 1)
    if lw is None:
        return True
    word = lw.group(1).lstrip(_OPENERS)
    nxt = _NEXT_WORD.match(line, m.end())
    next_word = nxt.group(1) if nxt else ""
    low = word.lower()
    if low in _NEVER_AFTER_DOTTED or _INITIAL.match(word):
        return False
    stem = low.rstrip(".")
    if stem in _TITLE_ABBR:
        return False
    if _DOTTED.match(word) or stem in _COND_ABBR:
        if next_word[:1].isdigit():
            return False
        return next_word.lower() in _STARTERS
    return True


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; every non-empty line is its own paragraph.

    Handles abbreviations (Mr., Dr., Gen., St., Jan., U.S., a.m., initials), decimals,
    closing quotes after the terminal punctuation and ellipses. Markdown emphasis
    markers (``**``, ``__``) and a paragraph's dateline ("BEIRUT (Reuters) - ") are
    dropped; all other text is kept as is.
    """
    out: list[str] = []
    for raw in text.splitlines():
        line = _DATELINE.sub("", _WS.sub(" ", _MD_EMPH.sub("", raw)).strip(), count=1)
        if not line:
            continue
        start = 0
        for m in _BOUNDARY.finditer(line):
            if _is_boundary(line, m):
                sent = line[start : m.end()].strip()
                if sent:
                    out.append(sent)
                start = m.end()
        rest = line[start:].strip()
        if rest:
            out.append(rest)
    return out


# --------------------------------------------------------------------------------------
# Claim filter

_TERMINAL = re.compile(r"[.!\"'…]\s*$|[.!?]['\")\]]*\s*$")
_QUESTION = re.compile(r"\?[\"')\]*]*\s*$")
# a byline names people: "By Jane Doe, Reuters"; not "By November 30, rebels held Aleppo."
_BYLINE = re.compile(
    r"^(?i:by|written by|reporting by|words by)\s+"
    r"(?!(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)"
    r"[a-z]*\.?\s+\d)[A-Z@](?![^,]*,\s+[a-z])"
)
_READ_TIME = re.compile(
    r"^\d+\s*(?:-\s*)?(?:min(?:ute)?s?|hours?)\b\s*(?:read|watch|listen)\b", re.I
)
_CTA = re.compile(
    r"^(?:subscribe|follow|share|read more|read also|read next|sign up|signup|log in|"
    r"you may also like|you might also like|more from|related|recommended|advertisement|"
    r"click here|watch|listen|download|join|comments?|tags?|see also|also read|"
    r"continue reading|show comments|print|email)\b",
    re.I,
)
_SOCIAL = re.compile(
    r"pic\.twitter\.com|https?://t\.co/|^\s*[-\u2014]?\s*.{1,80}\(@\w{1,30}\)\s+\w+\s+\d{1,2},\s+\d{4}\s*$"
    r"|^\s*-\s+\S.*\(@\w+\)",
)
_CAPTION = re.compile(
    r"\((?:[^()]*?(?:photo|screenshot|image|credit|getty|afp|ap|reuters|file|via|/)[^()]*)\)\s*$"
    r"|^(?:photo|image|caption|credit|file photo|pictured)\s*[:|-]",
    re.I,
)
# The site addressing its reader: "Read our corrections policy.", "Send us your tips."
_READER_CTA = re.compile(
    r"^(?:read|see|view|visit|contact|e-?mail|send|follow|subscribe|sign up|tell|share|"
    r"find|learn|click|write to|support|donate to|get in touch with)\b[^.!?]{0,60}?"
    r"\b(?:our|us|your)\b",
    re.I,
)
_URL = re.compile(r"\(?\b(?:https?://|www\.)\S+")
LEADING_MARKUP = re.compile(r"^[\s>*\-•·#]+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# Words a title-cased headline leaves lowercase (the headline test in is_claim).
_SMALL_WORDS = wordset(
    """
    a an the of in on at to for and or but nor by with from as into over under vs
    via amid after before about is are was be
    """
)
_DATE_LINE_WORDS = wordset(
    """
    date published updated posted last modified on at am pm gmt utc est et cet edt
    pst bst by
    """
)


def is_claim(sentence: str) -> bool:
    """True if the sentence asserts something (not a heading, byline, CTA, caption...)."""
    s = fold(sentence).strip()
    if not s or s.startswith("#"):
        return False
    s = LEADING_MARKUP.sub("", s)
    words = _WORD.findall(_URL.sub(" ", s))
    if len(words) < 3:
        return False
    if _QUESTION.search(s):
        return False
    if _SOCIAL.search(s) or _READ_TIME.match(s):
        return False
    if _BYLINE.match(s) and len(words) <= 10:
        return False
    terminal = bool(_TERMINAL.search(s))
    if _CTA.match(s) and (len(words) <= 8 or not terminal):
        return False
    if _READER_CTA.match(s) and len(words) <= 20:
        return False
    if _CAPTION.search(s):
        return False
    if _is_date_line(s):
        return False
    if not terminal:
        return False if len(words) <= 20 or _title_case(words) else not s.endswith(":")
    # a full stop makes a sentence of a name-heavy line ("According to SANA, Ghassan
    # Fidan arrived in Moscow."), unless every word a headline capitalises is capitalised
    return not (_title_case(words, TITLE_CASE_FULL) and len(words) <= 12)


TITLE_CASE_SHARE = 0.75  # capitalised share of the content words of an unpunctuated title
TITLE_CASE_FULL = 1.0  # ... of a title that ends in a full stop


def _title_case(words: list[str], share: float = TITLE_CASE_SHARE) -> bool:
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    if not content:
        return False
    caps = sum(1 for w in content if w[0].isupper())
    return caps / len(content) >= share


def _is_date_line(s: str) -> bool:
    pattern = date_pattern(s)
    if pattern is None:
        return False
    folded = pattern.sub(" ", s)
    rest = [w.lower() for w in _WORD.findall(folded)]
    if len(rest) == len(_WORD.findall(s)):
        return False  # no date at all
    return all(w in _DATE_LINE_WORDS for w in rest)


def quote_open(sentence: str) -> int:
    """How a sentence leaves a quotation that spans sentences: 1 if it opens one that it
    does not close ('"I left Homs in 2012 with two children.'), -1 if it closes one that
    an earlier sentence opened ('Now I am going back with five," said Fatima.'), 0
    otherwise (no quotation marks, or balanced ones)."""
    text = fold(sentence).strip()
    if text.count('"') % 2 == 0:
        return 0
    if text.startswith('"'):
        return 1
    at = text.index('"')
    return -1 if at and text[at - 1] in ",.!?" else 0
