"""Turn article text into claims: sentence splitting, claim filtering, normalisation.

Everything here is pure and regex-based (no models, no downloads); every pattern is
compiled once at import time.

Pipeline: ``split_sentences`` (paragraphs = lines, abbreviation-aware) -> ``is_claim``
(drops headings, bylines, captions, CTAs, questions, social-embed lines) -> ``make_claim``
(fills ``norm``, ``key``, ``numbers``, ``dates``, ``entities``, ``attribution``, ``negated``).

Normalisation (``norm``): NFKC, quotes/dashes folded, dates canonicalised to ``MM-DD`` /
``YYYY-MM-DD`` / ``YYYY-MM`` / ``YYYY`` / weekday name, number words to digits,
thousands separators folded, lowercased, punctuation stripped, whitespace collapsed.
``key`` is ``norm`` with numbers replaced by ``#`` and dates by ``@``.

Polarity: ``polarity_cues`` exposes the negators and antonym-lexicon hits of a claim so
that ``monitor.diff`` can tell a polarity flip ("was alive" -> "was dead", "has been
confirmed" -> "has not been confirmed") from a paraphrase. ``negated`` is the parity of
negators plus negative antonym members.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from monitor.models import Claim

__all__ = [
    "Polarity",
    "entity_words",
    "is_claim",
    "make_claim",
    "polarity_cues",
    "split_claims",
    "split_sentences",
]

# --------------------------------------------------------------------------------------
# Character folding

_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": " - ",
        "\u2014": " - ",
        "\u2015": " - ",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2026": "...",
    }
)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_FOLD)


# --------------------------------------------------------------------------------------
# Sentence splitting

# Never end a sentence after these (titles before names).
_TITLE_ABBR = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cpt",
        "maj",
        "adm",
        "sen",
        "rep",
        "gov",
        "pres",
        "rev",
        "st",
        "hon",
        "fr",
        "cmdr",
        "brig",
        "supt",
        "insp",
        "det",
        "messrs",
        "mme",
        "mlle",
    ]
)
# End a sentence after these only when the next word is a typical sentence starter.
_COND_ABBR = frozenset(
    [
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "inc",
        "corp",
        "co",
        "ltd",
        "jr",
        "sr",
        "etc",
        "vs",
        "no",
        "approx",
        "est",
        "dept",
        "univ",
        "assn",
        "bros",
    ]
)
_NEVER_AFTER_DOTTED = frozenset({"e.g.", "i.e.", "cf.", "viz."})
_STARTERS = frozenset(
    [
        "the",
        "a",
        "an",
        "he",
        "she",
        "it",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "its",
        "our",
        "this",
        "that",
        "these",
        "those",
        "there",
        "but",
        "and",
        "however",
        "meanwhile",
        "in",
        "on",
        "at",
        "after",
        "before",
        "when",
        "while",
        "as",
        "if",
        "although",
        "though",
        "yet",
        "so",
        "still",
        "also",
        "then",
        "now",
        "today",
        "yesterday",
        "tomorrow",
        "earlier",
        "later",
        "some",
        "many",
        "most",
        "all",
        "no",
        "none",
        "one",
        "two",
        "three",
        "other",
        "officials",
        "reports",
        "according",
        "despite",
        "since",
        "during",
        "following",
    ]
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
    markers (``**``, ``__``) are dropped; all other text is kept as is.
    """
    out: list[str] = []
    for raw in text.splitlines():
        line = _WS.sub(" ", _MD_EMPH.sub("", raw)).strip()
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
_BYLINE = re.compile(r"^(?:by|written by|reporting by|words by)\s+[A-Z@]", re.I)
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
_LEADING_MARKUP = re.compile(r"^[\s>*\-•·#]+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "and",
        "or",
        "but",
        "nor",
        "by",
        "with",
        "from",
        "as",
        "into",
        "over",
        "under",
        "vs",
        "via",
        "amid",
        "after",
        "before",
        "about",
        "is",
        "are",
        "was",
        "be",
    ]
)
_DATE_LINE_WORDS = frozenset(
    [
        "date",
        "published",
        "updated",
        "posted",
        "last",
        "modified",
        "on",
        "at",
        "am",
        "pm",
        "gmt",
        "utc",
        "est",
        "et",
        "cet",
        "edt",
        "pst",
        "bst",
        "by",
    ]
)


def _strip_closers(s: str) -> str:
    return s.rstrip(" \"')]*\u201d\u2019")


def is_claim(sentence: str) -> bool:
    """True if the sentence asserts something (not a heading, byline, CTA, caption...)."""
    s = _fold(sentence).strip()
    if not s or s.startswith("#"):
        return False
    s = _LEADING_MARKUP.sub("", s)
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
    return not (_title_case(words) and len(words) <= 12)


def _title_case(words: list[str]) -> bool:
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    if not content:
        return False
    caps = sum(1 for w in content if w[0].isupper())
    return caps / len(content) >= 0.75


def _is_date_line(s: str) -> bool:
    if not _DATE_HINT.search(s):
        return False
    folded = _DATE_RE.sub(" ", s)
    rest = [w.lower() for w in _WORD.findall(folded)]
    if len(rest) == len(_WORD.findall(s)):
        return False  # no date at all
    return all(w in _DATE_LINE_WORDS for w in rest)


# --------------------------------------------------------------------------------------
# Dates

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_WEEKDAYS = frozenset(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
)
_MON = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
_ORD = r"(?:st|nd|rd|th)?"
_DATE_RE = re.compile(
    r"\b(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})\b"
    rf"|\b(?:the\s+)?(?P<ad>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<am>{_MON})\b\.?(?:,?\s+(?P<ay>\d{{4}})\b)?"
    rf"|\b(?P<bm>{_MON})\b\.?\s+(?P<bd>\d{{1,2}}){_ORD}(?![\d:])\b(?:,?\s+(?P<by>\d{{4}})\b)?"
    rf"|\b(?P<cm>{_MON})\b\.?,?\s+(?P<cy>(?:19|20)\d{{2}})\b"
    r"|\b(?P<yp>in|since|by|from|until|till|before|after|during|of|early|late|mid)[\s-]+"
    r"(?P<yy>(?:19|20)\d{2})\b(?!\s*(?:people|troops|soldiers|fighters|prisoners|dead|killed|"
    r"civilians|men|women|children|km|miles|%|percent))"
    r"|\b(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.I,
)


_DATE_HINT = re.compile(r"\d|day\b", re.I)
_DIGIT = re.compile(r"\d")


# Clock times: "04:00", "4am", "4 a.m.", "16.30 pm" -> canonical 24-hour "HH:MM". The
# colon form needs two-digit minutes; the dotted form ("4.30") only counts with am/pm
# (else it is a decimal number).
_AMPM = r"(?P<{0}>[ap])\.?\s?m\b\.?"
_TIME_RE = re.compile(
    r"(?<![\w:.])(?P<h1>[01]?\d|2[0-3]):(?P<m1>[0-5]\d)(?![\d:])(?:\s?" + _AMPM.format("p1") + ")?"
    r"|(?<![\w:.])(?P<h2>1[0-2]|0?\d)(?:\.(?P<m2>[0-5]\d))?\s?" + _AMPM.format("p2"),
    re.I,
)
# A live-blog entry stamp at the start of a sentence: "12:30 GMT - ", "4.15pm: ".
_ENTRY_STAMP = re.compile(
    r"^\s*(?:[01]?\d|2[0-3])[:.][0-5]\d\s?(?:[ap]\.?\s?m\.?)?\s*"
    r"(?:(?:GMT|UTC|BST|CET|CEST|EET|EST|EDT|ET|PST|PT|MSK)\b|local time)?\s*[-:|]\s+"
    r"(?=[\"'A-Z])"
)


def _canon_time(m: re.Match[str]) -> str:
    g = m.groupdict()
    hour = int(g["h1"] or g["h2"])
    minute = int(g["m1"] or g["m2"] or 0)
    ampm = (g["p1"] or g["p2"] or "").lower()
    if ampm and not 1 <= hour <= 12:
        return ""
    if ampm == "p" and hour != 12:
        hour += 12
    elif ampm == "a" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def _canon_date(m: re.Match[str]) -> tuple[str, str]:
    """Return (canonical date, prefix text to keep) for a date match."""
    g = m.groupdict()
    if g["iy"]:
        return f"{int(g['iy']):04d}-{int(g['im']):02d}-{int(g['id']):02d}", ""
    if g["am"] or g["bm"]:
        mon = _MONTHS[(g["am"] or g["bm"]).lower()]
        day = int(g["ad"] or g["bd"])
        year = g["ay"] or g["by"]
        if not 1 <= day <= 31:
            return "", ""
        return (f"{int(year):04d}-" if year else "") + f"{mon:02d}-{day:02d}", ""
    if g["cm"]:
        return f"{int(g['cy']):04d}-{_MONTHS[g['cm'].lower()]:02d}", ""
    if g["yy"]:
        return g["yy"], g["yp"] + " "
    return g["wd"].lower(), ""


# --------------------------------------------------------------------------------------
# Numbers

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_NUM_RE = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")
_TOKEN = re.compile(r"\x00[dn]\d+\x00|[^\W_]+(?:'[^\W_]+)*")


def _fmt_number(value: float) -> str:
    if value == int(value):
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------------------
# Polarity lexicon (general, small; extend freely)

_NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "nor",
        "neither",
        "none",
        "nobody",
        "nothing",
        "nowhere",
        "cannot",
        "cant",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "wasnt",
        "werent",
        "arent",
        "hasnt",
        "havent",
        "hadnt",
        "wont",
        "wouldnt",
        "couldnt",
        "shouldnt",
        "aint",
        "mustnt",
        "neednt",
    ]
)
# concept -> (positive members, negative members); multi-word members are bigrams.
_ANTONYMS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "life": (
        frozenset(["alive", "survived", "survives", "survive", "living"]),
        frozenset(["dead", "died", "dies", "killed", "deceased"]),
    ),
    "presence": (
        frozenset(
            [
                "remain",
                "remains",
                "remained",
                "stay",
                "stays",
                "stayed",
                "still_in",
                "still_at",
                "still_inside",
            ]
        ),
        frozenset(["left", "leave", "leaves", "fled", "flee", "flees", "departed", "escaped"]),
    ),
    "truth": (
        frozenset(
            [
                "confirmed",
                "confirms",
                "confirm",
                "confirmation",
                "verified",
                "acknowledged",
                "admitted",
            ]
        ),
        frozenset(
            [
                "denied",
                "denies",
                "deny",
                "denying",
                "denial",
                "unconfirmed",
                "unverified",
                "refuted",
                "disputed",
            ]
        ),
    ),
    "acceptance": (
        frozenset(
            [
                "accepted",
                "accepts",
                "accept",
                "approved",
                "approves",
                "approve",
                "welcomed",
                "welcomes",
                "endorsed",
                "endorses",
            ]
        ),
        frozenset(["rejected", "rejects", "reject", "refused", "refuses", "declined", "declines"]),
    ),
    "commitment": (
        frozenset(
            [
                "pledged",
                "pledges",
                "pledge",
                "promised",
                "promises",
                "vowed",
                "vows",
                "agreed",
                "agrees",
            ]
        ),
        frozenset(["refused", "refuses", "refuse", "declined", "declines"]),
    ),
    "outcome": (
        frozenset(["succeeded", "succeeds", "won", "wins"]),
        frozenset(["failed", "fails", "lost", "loses"]),
    ),
    "custody": (
        frozenset(["arrested", "detained", "captured", "jailed"]),
        frozenset(["released", "freed"]),
    ),
    "guilt": (
        frozenset(["guilty", "convicted"]),
        frozenset(["innocent", "acquitted"]),
    ),
}
# Concepts whose negative side reads as a negation of the positive one; only these count
# towards ``Claim.negated`` (for "presence" or "outcome" neither side is a negation).
_POLAR_CONCEPTS = frozenset({"life", "truth", "acceptance", "commitment"})
_CUE_INDEX: dict[str, list[tuple[str, int]]] = {}
for _concept, (_pos, _neg) in _ANTONYMS.items():
    for _w in _pos:
        _CUE_INDEX.setdefault(_w, []).append((_concept, 1))
    for _w in _neg:
        _CUE_INDEX.setdefault(_w, []).append((_concept, -1))
_NOT_NEGATION = frozenset({("not", "only"), ("no", "doubt"), ("not", "just")})


class Polarity:
    """Negators and antonym-lexicon hits of one normalised sentence."""

    __slots__ = ("concepts", "cue_words", "negative_words", "negators")

    def __init__(
        self,
        negators: int,
        concepts: Counter[tuple[str, int]],
        cue_words: frozenset[str],
        negative_words: int,
    ) -> None:
        self.negators = negators  # "not", "never", "didn't" ...
        self.concepts = concepts  # (concept, +1/-1) -> hits
        self.cue_words = cue_words  # the tokens that produced the cues
        self.negative_words = negative_words  # tokens on the negative side of a polar concept

    @property
    def negated(self) -> bool:
        return (self.negators + self.negative_words) % 2 == 1

    def signs(self, concept: str) -> set[int]:
        return {sign for (c, sign) in self.concepts if c == concept}

    def effective(self) -> dict[str, int]:
        """Concept -> sign, flipped if the sentence has an odd number of negators."""
        flip = -1 if self.negators % 2 else 1
        out: dict[str, int] = {}
        for concept in {c for c, _ in self.concepts}:
            signs = self.signs(concept)
            if len(signs) == 1:
                out[concept] = next(iter(signs)) * flip
        return out


@lru_cache(maxsize=65536)
def polarity_cues(norm: str) -> Polarity:
    toks = norm.split()
    negators = 0
    concepts: Counter[tuple[str, int]] = Counter()
    negative_words = 0
    words: set[str] = set()
    for i, tok in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        if tok in _NEGATORS and (tok, nxt) not in _NOT_NEGATION:
            negators += 1
            words.add(tok)
            continue
        negative = False
        for cand in (tok, f"{tok}_{nxt}"):
            for hit in _CUE_INDEX.get(cand, ()):
                concepts[hit] += 1
                words.add(tok)
                if "_" in cand:
                    words.add(nxt)
                if hit[1] < 0 and hit[0] in _POLAR_CONCEPTS:
                    negative = True
        negative_words += negative
    return Polarity(negators, concepts, frozenset(words), negative_words)


# --------------------------------------------------------------------------------------
# Entities and attribution

_ENT_WORD = (
    r"(?:[A-Z][\w]*(?:['-][A-Za-z]\w*)*|(?:al|el|ad|as|an|ash|at|az)-[A-Z]\w*(?:-[A-Za-z]\w*)*)"
)
_ENTITY_RE = re.compile(
    rf"{_ENT_WORD}(?:\s+(?:(?:of|al|bin|ibn|de|del|da|van|von|der|la|le|du)\s+)?{_ENT_WORD})*"
)
_POSSESSIVE = re.compile(r"'s?\b")
# Capitalised words that are not names when they start a sentence or entity.
_STOPCAP = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "it",
        "its",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "our",
        "my",
        "your",
        "in",
        "on",
        "at",
        "to",
        "of",
        "for",
        "from",
        "by",
        "with",
        "as",
        "after",
        "before",
        "during",
        "since",
        "until",
        "despite",
        "amid",
        "over",
        "under",
        "into",
        "about",
        "against",
        "between",
        "through",
        "and",
        "but",
        "or",
        "nor",
        "so",
        "yet",
        "also",
        "however",
        "meanwhile",
        "moreover",
        "additionally",
        "furthermore",
        "initially",
        "earlier",
        "later",
        "today",
        "yesterday",
        "tomorrow",
        "now",
        "then",
        "still",
        "even",
        "only",
        "just",
        "if",
        "when",
        "while",
        "although",
        "though",
        "because",
        "once",
        "upon",
        "following",
        "according",
        "faced",
        "despite",
        "some",
        "many",
        "most",
        "several",
        "all",
        "any",
        "each",
        "every",
        "both",
        "other",
        "others",
        "another",
        "such",
        "no",
        "not",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "officials",
        "official",
        "sources",
        "source",
        "reports",
        "report",
        "experts",
        "analysts",
        "witnesses",
        "residents",
        "authorities",
        "police",
        "troops",
        "forces",
        "rebels",
        "protesters",
        "critics",
        "observers",
        "people",
        "media",
        "news",
        "statement",
        "conflicting",
        "fighting",
        "thank",
        "thanks",
        "yes",
        "well",
        "what",
        "how",
        "why",
        "who",
        "where",
        "which",
        "let",
        "president",
        "prime",
        "minister",
        "former",
        "deposed",
        "late",
        "new",
        "mr",
        "mrs",
        "ms",
        "dr",
        "gen",
        "anchor",
        "confirmation",
    ]
)
_MONTH_WORDS = frozenset(_MONTHS) | _WEEKDAYS
_TITLE_WORDS = frozenset(
    [
        "president",
        "prime",
        "minister",
        "ministry",
        "foreign",
        "deputy",
        "chief",
        "leader",
        "former",
        "deposed",
        "late",
        "gen",
        "general",
        "col",
        "colonel",
        "dr",
        "mr",
        "mrs",
        "ms",
        "sen",
        "senator",
        "gov",
        "governor",
        "king",
        "queen",
        "prince",
        "sheikh",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "ambassador",
        "envoy",
        "secretary",
        "state",
        "the",
    ]
)
_ATTR_VERBS = (
    r"said|told|reported|stated|announced|claimed|quoted|noted|declared|added|wrote|"
    r"confirmed|insisted|argued|warned|tweeted|posted|says|tells|writes|insists|warns|"
    # present-tense forms double as plural nouns ("denied reports that"): only at clause end
    r"(?:says|reports|tells|states|writes|claims|notes|adds)(?=\s*(?:[,.;:\"')]|$))"
)
_ACCORDING = re.compile(
    r"\b(?:according to|citing|cited by|quoting)\s+(?:the\s+|a\s+|an\s+)?([^,.;:!?\"()]+)", re.I
)
_SPEAKER_VERB = re.compile(rf"\s(?:{_ATTR_VERBS})\b(?!\s+(?:that\s+)?(?:by|to)\b)")
_SPEAKER_WORDS = re.compile(r"((?:[\w'-]+,?\s+){0,3}[\w'-]+),?\s*$")
# where an "according to X" / "citing X" phrase ends
_ATTR_PHRASE_END = frozenset(
    [
        "that",
        "who",
        "which",
        "whom",
        "whose",
        "and",
        "as",
        "in",
        "on",
        "at",
        "to",
        "for",
        "with",
        "from",
        "when",
        "while",
        "after",
        "before",
        "said",
        "say",
        "says",
        "told",
        "claim",
        "claims",
        "claimed",
        "reported",
        "reports",
        "confirmed",
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "will",
        "would",
        "could",
        "may",
        "might",
    ]
)
_ATTR_STOP = frozenset(
    [
        "that",
        "and",
        "but",
        "which",
        "who",
        "whom",
        "as",
        "when",
        "while",
        "after",
        "before",
        "because",
        "if",
        "had",
        "has",
        "have",
        "was",
        "were",
        "is",
        "are",
        "been",
        "be",
        "it",
        "this",
        "there",
        "then",
        "said",
        "told",
    ]
)
_ATTR_LEAD = frozenset(
    [
        "earlier",
        "later",
        "initially",
        "also",
        "then",
        "now",
        "per",
        "conflicting",
        "other",
        "some",
        "many",
        "several",
    ]
)
_PRONOUNS = frozenset(
    ["he", "she", "they", "it", "we", "i", "you", "who", "which", "one", "someone"]
)
_DETERMINERS = frozenset(
    ["the", "a", "an", "its", "his", "her", "their", "two", "three", "several", "some", "many"]
)
_ATTR_CUT = re.compile(r"\s+(?:that|who|which|as|when|while|in order|to say|on)\b.*$", re.I)


def _entities(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for m in _ENTITY_RE.finditer(text):
        for part in re.split(r"'s?\s+", m.group(0)):
            words = _POSSESSIVE.sub("", part).split()
            while words and (
                words[0].lower() in _STOPCAP
                or words[0].lower() in _MONTH_WORDS
                or (m.start() == 0 and _common_start(words[0]))
            ):
                words.pop(0)
            while words and words[-1].lower() in _MONTH_WORDS:
                words.pop()
            if not words:
                continue
            ent = " ".join(words)
            if len(ent) > 1 and ent not in found:
                found.append(ent)
    return tuple(found)


def _common_start(word: str) -> bool:
    low = word.lower()
    return low.endswith(("ly", "ing", "ed")) and not word.isupper()


def entity_words(entities: tuple[str, ...]) -> frozenset[str]:
    """Lowercased significant words of entities (titles and particles dropped)."""
    out: set[str] = set()
    for ent in entities:
        for w in re.split(r"[\s-]+", ent.lower()):
            if len(w) > 1 and w not in _TITLE_WORDS and w not in {"al", "el", "bin", "ibn", "of"}:
                out.add(w)
    return frozenset(out)


def _clean_attr(phrase: str, cut: bool = False) -> str | None:
    phrase = _ATTR_CUT.sub("", phrase.strip())
    words = phrase.split()
    if cut:
        for i, w in enumerate(words):
            if i and w.lower() in _ATTR_PHRASE_END:
                words = words[:i]
                break
    while words and (words[0].lower() in _DETERMINERS or words[0].lower() in _ATTR_LEAD):
        words.pop(0)
    while words and words[-1].islower() and (words[-1].endswith("ly") or words[-1] in _ATTR_LEAD):
        words.pop()
    words = words[:6]
    if not words or (len(words) == 1 and words[0].lower() in _PRONOUNS):
        return None
    return " ".join(words)


def _attribution(text: str) -> str | None:
    m = _ACCORDING.search(text)
    if m:
        return _clean_attr(m.group(1), cut=True)
    for v in _SPEAKER_VERB.finditer(text):
        # the (up to four) words right before the verb; the slice keeps this linear
        m = _SPEAKER_WORDS.search(text, max(0, v.start() - 80), v.start())
        if m is None:
            continue
        words = m.group(1).split()
        keep: list[str] = []
        for i, w in enumerate(reversed(words)):
            # an appositive ends at a comma: "..., Mikhail Ulyanov, said" -> the name
            if w.lower() in _ATTR_STOP or (i and w.endswith(",")):
                break
            keep.append(w.rstrip(","))
        if keep:
            cleaned = _clean_attr(" ".join(reversed(keep)))
            if cleaned:
                return cleaned
    return None


# --------------------------------------------------------------------------------------
# make_claim


def _normalise(text: str) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """Return (norm, key, numbers, dates) of folded text."""
    dates: list[str] = []

    def _date_sub(m: re.Match[str]) -> str:
        canon, prefix = _canon_date(m)
        if not canon:
            return m.group(0)
        dates.append(canon)
        return f" {prefix}\x00D{len(dates) - 1}\x00 "

    work = text.replace("\x00", " ")
    if _DATE_HINT.search(work):  # every date form has a digit or is a weekday
        work = _DATE_RE.sub(_date_sub, work)
    if _DIGIT.search(work):  # every time form has a digit

        def _time_sub(m: re.Match[str]) -> str:
            canon = _canon_time(m)
            if not canon:
                return m.group(0)
            dates.append(canon)
            return f" \x00D{len(dates) - 1}\x00 "

        work = _TIME_RE.sub(_time_sub, work)
    work = work.replace("%", " percent ")
    nums: list[float] = []

    def _num_sub(m: re.Match[str]) -> str:
        nums.append(float(m.group(1).replace(",", "") + (m.group(2) or "")))
        return f" \x00N{len(nums) - 1}\x00 "

    work = _NUM_RE.sub(_num_sub, work)
    raw_tokens = _TOKEN.findall(work.lower())
    norm_toks: list[str] = []
    key_toks: list[str] = []
    numbers: list[str] = []
    i = 0
    n = len(raw_tokens)
    while i < n:
        tok = raw_tokens[i]
        if tok.startswith("\x00d"):
            d = dates[int(tok[2:-1])]
            norm_toks.append(d)
            key_toks.append("@")
            i += 1
            continue
        value: float | None = None
        j = i
        if tok.startswith("\x00n"):
            value = nums[int(tok[2:-1])]
            j = i + 1
        elif tok == "a" and i + 1 < n and raw_tokens[i + 1] == "dozen":
            value, j = 12.0, i + 2
        elif tok == "dozen":
            value, j = 12.0, i + 1
        elif tok in _UNITS or tok in _TENS:
            value, j = _parse_number_words(raw_tokens, i)
        if value is not None:
            # scale words after a number: "3 million", "two hundred thousand"
            while j < n and raw_tokens[j] in _SCALES:
                value *= _SCALES[raw_tokens[j]]
                j += 1
            s = _fmt_number(value)
            if value != 1:  # "one"/"1" is as much an article as a count ("a submarine")
                numbers.append(s)
            norm_toks.append(s)
            key_toks.append("#")
            i = j
            continue
        tok = tok.replace("'", "")
        norm_toks.append(tok)
        key_toks.append(tok)
        i += 1
    return " ".join(norm_toks), " ".join(key_toks), tuple(numbers), tuple(dates)


def _parse_number_words(toks: list[str], i: int) -> tuple[float, int]:
    total = 0
    current = 0
    j = i
    n = len(toks)
    while j < n:
        t = toks[j]
        if t in _UNITS:
            current += _UNITS[t]
        elif t in _TENS:
            current += _TENS[t]
        elif t == "hundred" and j > i:
            current = max(current, 1) * 100
        elif t in ("thousand", "million", "billion") and j > i:
            total += max(current, 1) * _SCALES[t]
            current = 0
        elif t == "and" and j > i and j + 1 < n and (toks[j + 1] in _UNITS or toks[j + 1] in _TENS):
            pass
        else:
            break
        j += 1
    return float(total + current), j


def make_claim(sentence: str, position: int = 0) -> Claim:
    """Build a Claim with all comparison fields filled from one sentence."""
    text = sentence.strip()
    folded = _ENTRY_STAMP.sub("", _fold(text), count=1)
    norm, key, numbers, dates = _normalise(folded)
    clean = _LEADING_MARKUP.sub("", folded)
    return Claim(
        text=text,
        norm=norm,
        key=key,
        position=position,
        numbers=numbers,
        dates=dates,
        entities=_entities(clean),
        attribution=_attribution(clean),
        negated=polarity_cues(norm).negated,
    )


def split_claims(text: str) -> list[Claim]:
    """All claims of an article, positions 0..n-1 in reading order."""
    claims: list[Claim] = []
    for sent in split_sentences(text):
        if is_claim(sent):
            claims.append(make_claim(sent, len(claims)))
    return claims
