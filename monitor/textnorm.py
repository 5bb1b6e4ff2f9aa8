"""Text normalisation for claims: character folding, dates, clock times and numbers.

``normalise`` turns folded text into ``(norm, key, numbers, dates)``:

- ``norm``: dates canonicalised to ``MM-DD`` / ``YYYY-MM-DD`` / ``YYYY-MM`` / ``YYYY`` /
  weekday name, clock times to ``HH:MM``, number words to digits ("three" -> "3",
  "two hundred thousand" -> "200000"), thousands separators folded, lowercased,
  punctuation stripped, a possessive "'s" dropped ("the EU's" -> "eu"), whitespace
  collapsed;
- ``key``: ``norm`` with numbers replaced by ``#`` and dates/times by ``@``, so two versions
  of a statement with a changed detail share a key;
- ``numbers`` / ``dates``: the canonical values in reading order ("1" is left out of
  ``numbers``: "one"/"a" is as much an article as a count); money with a scale letter
  counts in full ("$250m" -> "250000000"); a period in years ("a decade" -> "10 years").

Pure and regex-based; every pattern is compiled once at import time.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "DATE_RE",
    "ENTRY_STAMP",
    "MONTHS",
    "NUMBER_WORDS",
    "WEEKDAYS",
    "date_pattern",
    "fix_weekday_typos",
    "fold",
    "normalise",
    "undot_acronyms",
]

# Quotes to straight quotes, dashes to "-" (long dashes spaced: they separate clauses),
# no-break space to space, the ellipsis character to three dots.
_FOLD = str.maketrans(
    dict.fromkeys("\u2018\u2019\u201a\u201b\u2032`\u00b4", "'")
    | dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"')
    | dict.fromkeys("\u2010\u2011\u2012\u2212", "-")
    | dict.fromkeys("\u2013\u2014\u2015", " - ")
    | {"\u00a0": " ", "\u2026": "..."}
)


def fold(text: str) -> str:
    """NFKC, curly quotes to straight, dashes to ``-`` (long dashes spaced), nbsp to space,
    accents dropped from letters ("Erdoğan" as "Erdogan": outlets differ in whether they
    write them)."""
    if not text.isascii():
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    return unicodedata.normalize("NFKC", text).translate(_FOLD)


# --------------------------------------------------------------------------------------
# Dates and clock times

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = frozenset(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
_MON = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
_ORD = r"(?:st|nd|rd|th)?"
_DATE_FORMS = {
    "iso": r"\b(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})\b",
    "day_month": rf"\b(?:the\s+)?(?P<ad>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<am>{_MON})\b\.?"
    rf"(?:,?\s+(?P<ay>\d{{4}})\b)?",
    "month_day": rf"\b(?P<bm>{_MON})\b\.?\s+(?P<bd>\d{{1,2}}){_ORD}(?!\d|:\d)\b"
    rf"(?:,?\s+(?P<by>\d{{4}})\b)?",
    "month_year": rf"\b(?P<cm>{_MON})\b\.?,?\s+(?P<cy>(?:19|20)\d{{2}})\b",
    "year": r"\b(?P<yp>in|since|by|from|until|till|before|after|during|of|early|late|mid)[\s-]+"
    r"(?P<yy>(?:19|20)\d{2})\b(?!\s*(?:people|troops|soldiers|fighters|prisoners|dead|killed|"
    r"civilians|men|women|children|km|miles|%|percent))",
    "weekday": r"\b(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    # day and month in digits ("12/12", "24/12/2024"): only where the order cannot be
    # misread (see ``_canon_date``)
    "numeric": r"(?<![\w/.])(?P<nd>\d{1,2})/(?P<nm>\d{1,2})(?:/(?P<ny>(?:19|20)?\d{2}))?(?![\w/])",
}
DATE_RE = re.compile("|".join(_DATE_FORMS.values()), re.I)
# The same alternation without the forms that cannot match a given text (checked by
# cheap hints): the date scan is the costliest step of normalisation, and a regex
# without the month alternatives fails much faster at every word.
_DATES_NO_MONTH = re.compile(
    "|".join(_DATE_FORMS[k] for k in ("iso", "year", "weekday", "numeric")), re.I
)
_WEEKDAY_RE = re.compile(_DATE_FORMS["weekday"], re.I)
_DIGIT = re.compile(r"\d")
_MONTH_HINT = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.I)


def date_pattern(text: str) -> re.Pattern[str] | None:
    """The date regex to scan ``text`` with (same matches as ``DATE_RE``), or None when
    ``text`` can hold no date at all."""
    if not _DIGIT.search(text):
        return _WEEKDAY_RE if _WEEKDAY_HINT.search(text) else None
    return DATE_RE if _MONTH_HINT.search(text) else _DATES_NO_MONTH


_WEEKDAY_HINT = re.compile(r"day\b", re.I)
# A capitalised word ending in "day" that is a weekday with two letters swapped, one
# dropped or one doubled ("Wendesday", "Thrusday", "Wednsday"): a typo of that weekday
_DAY_WORD = re.compile(r"\b[A-Z][a-z]{2,6}day\b")


def _weekday_typo(word: str) -> str | None:
    w = word.lower()
    if w in WEEKDAYS:
        return None
    for day in WEEKDAYS:
        if len(w) == len(day) and sorted(w) == sorted(day):
            diff = [i for i, (a, b) in enumerate(zip(w, day, strict=True)) if a != b]
            if len(diff) == 2 and diff[1] == diff[0] + 1:  # one swap of neighbours
                return day
        short, long_ = (w, day) if len(w) < len(day) else (day, w)
        if len(long_) == len(short) + 1 and any(
            long_[:i] + long_[i + 1 :] == short for i in range(len(long_))
        ):
            return day
    return None


def fix_weekday_typos(text: str) -> str:
    """``text`` with a misspelt weekday written right ("on Wendesday" -> "on Wednesday"):
    fixing the typo is no change of date."""
    if not _WEEKDAY_HINT.search(text):
        return text

    def _sub(m: re.Match[str]) -> str:
        day = _weekday_typo(m.group(0))
        return m.group(0) if day is None else day.capitalize()

    return _DAY_WORD.sub(_sub, text)
_DATE_GROUPS = tuple(DATE_RE.groupindex)


# Clock times: "04:00", "4am", "4 a.m.", "16.30 pm" -> canonical 24-hour "HH:MM". The
# colon form needs two-digit minutes; the dotted form ("4.30") only counts with am/pm
# (else it is a decimal number).
_AMPM = r"(?P<{0}>[ap])\.?\s?m\b\.?"
_TIME_RE = re.compile(
    r"(?<![\w:.])(?P<h1>[01]?\d|2[0-3]):(?P<m1>[0-5]\d)(?![\d:])(?:\s?" + _AMPM.format("p1") + ")?"
    r"|(?<![\w:.])(?P<h2>1[0-2]|0?\d)(?:\.(?P<m2>[0-5]\d))?\s?" + _AMPM.format("p2"),
    re.I,
)
_TIME_HINT = re.compile(r"\d[:.]\d|\d\s?[ap]\.?\s?m\b", re.I)
# A live-blog entry stamp at the start of a sentence: "12:30 GMT - ", "4.15pm: ",
# "[14:02] ", "1420 GMT - " (four digits only with a time zone), "Updated 14:02: ".
_ZONE = r"(?:GMT|UTC|BST|CET|CEST|EET|EST|EDT|ET|PST|PT|MSK)\b"
ENTRY_STAMP = re.compile(
    r"^\s*(?:(?i:updated|posted)\s+(?:(?i:at)\s+)?)?[\[(]?"
    r"(?:(?:[01]?\d|2[0-3])[:.][0-5]\d\s?(?:[ap]\.?\s?m\.?)?"
    rf"|(?:[01]\d|2[0-3])[0-5]\d(?=\s*{_ZONE}))"
    rf"\s*(?:{_ZONE}|local time)?[\])]?(?:\s*[-:|]\s+|\s+)"
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


# A range of days in one month: "10 and 15 December", "December 10-15" are two dates
# whichever way round they are written (the second day after the first).
_RANGE_SEP = r"\s*(?:-|and|to|through)\s*"
_DAY_RANGE = re.compile(
    rf"\b(?P<d1>\d{{1,2}}){_ORD}{_RANGE_SEP}(?P<d2>\d{{1,2}}){_ORD}\s+(?P<m>{_MON})\b"
    rf"|\b(?P<m2>{_MON})\b\.?\s+(?P<e1>\d{{1,2}}){_ORD}{_RANGE_SEP}(?P<e2>\d{{1,2}}){_ORD}\b"
    # the second day ends the phrase: "December 10 and 15 people" counts people
    r"(?=\s*(?:[,.;:)]|$)|\s+(?:and|or|in|at|on|to|of|for|from|when|while|after|before"
    r"|the|a|an|this|last|next)\b)",
    re.I,
)
_PER_CENT = re.compile(r"\bper\s+cent\b", re.I)
# "unclear whether" is the hedge "not clear whether" (monitor.polarity reads it as one)
_UN_HEDGE = re.compile(
    r"\bun(clear|certain|known)(?=\s+(?:whether|if|how|what|who|when|why|where)\b)", re.I
)

# Phrases that negate what follows them, written as the negator they mean: "scaling back
# rather than withdrawing" says "scaling back, not withdrawing"; "free of interference"
# says "without interference"
# (and "rather then", its common typo: fixing it is no turn)
_NOT_PHRASES = {"rather": "not", "instead": "not", "free": "without"}
_NOT_PHRASE = re.compile(r"\b(?:rather\s+th[ae]n|instead\s+of|free\s+of)\b", re.I)
# "in order to oversee" / "so as to oversee" say "to oversee": "order" is no content
_IN_ORDER_TO = re.compile(r"\b(?:in\s+order|so\s+as)\s+(?=to\b)", re.I)


def _expand_ranges(text: str) -> str:
    def _sub(m: re.Match[str]) -> str:
        first, second, month = (
            (m["d1"], m["d2"], m["m"]) if m["d1"] else (m["e1"], m["e2"], m["m2"])
        )
        if not 1 <= int(first) < int(second) <= 31:
            return m.group(0)
        return f"{month} {first} and {month} {second}"

    return _DAY_RANGE.sub(_sub, text)


def _canon_date(m: re.Match[str]) -> tuple[str, str]:
    """Return (canonical date, prefix text to keep) for a date match."""
    # a reduced pattern lacks some groups; "" stands for a group that did not match
    g: dict[str, str] = dict.fromkeys(_DATE_GROUPS, "") | m.groupdict("")
    if g["iy"]:
        return f"{int(g['iy']):04d}-{int(g['im']):02d}-{int(g['id']):02d}", ""
    if g["am"] or g["bm"]:
        mon = MONTHS[(g["am"] or g["bm"]).lower()]
        day = int(g["ad"] or g["bd"])
        year = g["ay"] or g["by"]
        if not 1 <= day <= 31:
            return "", ""
        return (f"{int(year):04d}-" if year else "") + f"{mon:02d}-{day:02d}", ""
    if g["cm"]:
        return f"{int(g['cy']):04d}-{MONTHS[g['cm'].lower()]:02d}", ""
    if g["yy"]:
        return g["yy"], g["yp"] + " "
    if g["nd"]:
        # day/month or month/day: read only when both readings agree or one is impossible
        a, b = int(g["nd"]), int(g["nm"])
        readings = {
            (mon, day) for day, mon in ((a, b), (b, a)) if 1 <= mon <= 12 and 1 <= day <= 31
        }
        if len(readings) != 1:
            return "", ""
        mon, day = readings.pop()
        numeric_year = int(g["ny"] or 0) + (2000 if len(g["ny"]) == 2 else 0)
        return (f"{numeric_year:04d}-" if numeric_year else "") + f"{mon:02d}-{day:02d}", ""
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
# thousands grouped with commas or with spaces ("650,000", "650 000": thin and no-break
# spaces fold to spaces)
_NUM_RE = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+(?![\d,.])|\d+)(\.\d+)?(?![\w])"
)
# A number written against its scale letter or unit: "2.8m people" is "2.8 million
# people" (as "$250m"), "25km" is "25 km".
# "5m high" is metres: "m" is a scale only before a count of people or plural things.
_GLUED = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)"
    r"(bn|m(?=\s+(?:people|[a-z]*[^\Ws]s)\b)|km|kg|mph|kph|cm|mm|ft|lbs?)\b",
    re.I,
)
_GLUED_HINT = re.compile(r"\d[a-zA-Z]")
_TOKEN = re.compile(r"\x00[dn]\d+\x00|[^\W_]+(?:'[^\W_]+)*")


# Vague quantities are numbers too ("dozens" -> "hundreds" is an update); they are
# kept as words ("tens of thousands" -> "tens_of_thousands").
_VAGUE = frozenset({"dozens", "hundreds", "thousands", "millions", "billions"})
_VAGUE_OF = frozenset({"tens", "hundreds"})
# Ordinals are numbers ("the second day" -> "the third day"), except "first", which is as
# much an idiom ("for the first time", "at first") as a count.
_ORDINAL_WORDS = {
    "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
_DIGIT_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
_ORD_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
_QUANTITY_WORDS = _VAGUE | _VAGUE_OF | frozenset(_ORDINAL_WORDS)
# every word that writes a quantity ("Dozens", "Three", "Second" open sentences: not names)
NUMBER_WORDS = (
    _QUANTITY_WORDS | frozenset(_UNITS) | frozenset(_TENS) | frozenset(_SCALES) | {"dozen"}
)


# Periods counted in years: "a decade" is "10 years", "two centuries" "200 years".
_PERIODS = {"decade": 10, "decades": 10, "century": 100, "centuries": 100}


# Money with a scale letter: "$250m" -> "$250 million", "£1.5bn" -> "£1.5 billion".
_MONEY_SCALE = re.compile(r"([$£€¥])\s?(\d+(?:\.\d+)?)\s?(bn|m|k)\b", re.I)
_SCALE_LETTERS = {"bn": "billion", "m": "million", "k": "thousand"}
_MONEY_HINT = re.compile(r"[$£€¥]")


def _money_sub(m: re.Match[str]) -> str:
    return f"{m.group(1)}{m.group(2)} {_SCALE_LETTERS[m.group(3).lower()]}"


def _glued_sub(m: re.Match[str]) -> str:
    unit = m.group(2).lower()
    return f"{m.group(1)} {_SCALE_LETTERS.get(unit, unit)}"


# Dotted acronyms: "U.S." -> "US", "U.N." -> "UN" (the name and its acronym then compare)
_DOTTED_ACRONYM = re.compile(r"\b((?:[A-Z]\.){2,})(?![A-Za-z])")


def undot_acronyms(text: str) -> str:
    """ "The U.S. said" -> "The US said"; and a country written several ways by one
    name: "the United States", "the US" -> "the USA"; "the United Kingdom", "the UK"
    -> "the Britain" (a sentence that writes one and a sentence that writes the other
    name the same country)."""
    if text.find(".", 0, len(text) - 1) >= 0:  # most sentences have no inner dot
        text = _DOTTED_ACRONYM.sub(lambda m: m.group(1).replace(".", ""), text)
    if "U" not in text:
        return text
    return _COUNTRY_ALIAS.sub(lambda m: _BRITAIN.get(m.group(0), "USA"), text)


_BRITAIN = {"UK": "Britain", "United Kingdom": "Britain"}
_COUNTRY_ALIAS = re.compile(
    r"\bUnited States(?: of America)?\b|\bUSA?\b|\bUnited Kingdom\b|\bUK\b"
)


def _ordinal(tok: str) -> str | None:
    """Canonical ordinal ("2nd", "21st") of a token, "first" for 1, None if not one."""
    m = _DIGIT_ORDINAL.match(tok)
    n = int(m.group(1)) if m else _ORDINAL_WORDS.get(tok)
    if n is None:
        return None
    if n == 1:
        return "first"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _fmt_number(value: float) -> str:
    if value == int(value):
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------------------


# "24 hours a day", "24/7", "round the clock": one idiom, no figure to compare
_ROUND_THE_CLOCK = re.compile(
    r"\b(?:24|twenty-four)\s+hours\s+a\s+day\b|(?<![\d/])24/7(?![\d/])"
    r"|\b(?:a)?round[- ]the[- ]clock\b",
    re.I,
)
_CLOCK_HINT = re.compile(r"24|clock|twenty-four", re.I)


def normalise(text: str) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """(norm, key, numbers, dates) of folded text (see the module docstring)."""
    dates: list[str] = []

    def _date_sub(m: re.Match[str]) -> str:
        canon, prefix = _canon_date(m)
        if not canon:
            return m.group(0)
        dates.append(canon)
        return f" {prefix}\x00D{len(dates) - 1}\x00 "

    work = text.replace("\x00", " ")
    if _CLOCK_HINT.search(work):  # before dates: "24/7" is no day and month
        work = _ROUND_THE_CLOCK.sub(" around the clock ", work)
    if _MONTH_HINT.search(work):
        work = _expand_ranges(work)
    pattern = date_pattern(work)
    if pattern is not None:
        work = pattern.sub(_date_sub, work)
    if _TIME_HINT.search(work):  # every time form has "4:30", "4.30" or "4pm"

        def _time_sub(m: re.Match[str]) -> str:
            canon = _canon_time(m)
            if not canon:
                return m.group(0)
            dates.append(canon)
            return f" \x00D{len(dates) - 1}\x00 "

        work = _TIME_RE.sub(_time_sub, work)
    work = _PER_CENT.sub("percent", work.replace("%", " percent "))
    work = _UN_HEDGE.sub(r"not \1", work)
    work = _IN_ORDER_TO.sub("", work)
    work = _NOT_PHRASE.sub(lambda m: _NOT_PHRASES[m.group(0).split()[0].lower()], work)
    if _MONEY_HINT.search(work):
        work = _MONEY_SCALE.sub(_money_sub, work)
    if _GLUED_HINT.search(work):
        work = _GLUED.sub(_glued_sub, work)
    nums: list[float] = []

    def _num_sub(m: re.Match[str]) -> str:
        nums.append(float(m.group(1).replace(",", "").replace(" ", "") + (m.group(2) or "")))
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
        word = None
        if tok in _QUANTITY_WORDS or (tok[-2:] in _ORD_SUFFIXES and tok[:1].isdigit()):
            word = _vague(raw_tokens, i) or _ordinal(tok)
        if word is not None:
            if word != "first":
                numbers.append(word)
            norm_toks.append(word)
            key_toks.append("#" if word != "first" else word)
            i += len(word.split("_"))
            continue
        value: float | None = None
        j = i
        if tok.startswith("\x00n"):
            value = nums[int(tok[2:-1])]
            j = i + 1
        elif tok == "a" and i + 1 < n and raw_tokens[i + 1] == "dozen":
            value, j = 12.0, i + 2
        elif tok == "a" and i + 1 < n and raw_tokens[i + 1] in _SCALES:
            value, j = 1.0, i + 1  # "a million" is "1 million": the scale follows below
        elif tok in ("a", "one") and i + 1 < n and raw_tokens[i + 1] in _PERIODS:
            value, j = 1.0, i + 1  # "a decade" -> "10 years" below
        elif tok == "dozen":
            value, j = 12.0, i + 1
        elif tok in _UNITS or tok in _TENS:
            value, j = _parse_number_words(raw_tokens, i)
        if value is not None:
            # scale words after a number: "3 million", "two hundred thousand"
            while j < n and raw_tokens[j] in _SCALES:
                value *= _SCALES[raw_tokens[j]]
                j += 1
            period = raw_tokens[j] if j < n else ""
            if period in _PERIODS:  # "a decade" / "two decades" -> "10 years" / "20 years"
                value *= _PERIODS[period]
                j += 1
            s = _fmt_number(value)
            if value != 1:  # "one"/"1" is as much an article as a count ("a submarine")
                numbers.append(s)
            norm_toks.append(s)
            key_toks.append("#")
            if period in _PERIODS:
                norm_toks.append("years")
                key_toks.append("years")
            i = j
            continue
        # a possessive is its name: "the EU's chief" -> "eu", as "the EU chief"
        tok = tok.removesuffix("'s").replace("'", "")
        norm_toks.append(tok)
        key_toks.append(tok)
        i += 1
    return " ".join(norm_toks), " ".join(key_toks), tuple(numbers), tuple(dates)


def _vague(toks: list[str], i: int) -> str | None:
    """ "tens of thousands" / "hundreds of millions" / "dozens" ... at ``toks[i]``."""
    tok = toks[i]
    if tok in _VAGUE_OF and toks[i + 1 : i + 2] == ["of"] and toks[i + 2 : i + 3]:
        big = toks[i + 2]
        if big in _VAGUE:
            return f"{tok}_of_{big}"
    return tok if tok in _VAGUE else None


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
