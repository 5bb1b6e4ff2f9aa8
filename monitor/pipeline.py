"""One check of one source: fetch -> extract -> version -> claims -> diff -> change log.

Source kinds are a small registry (`KINDS`): a `page` is one article; a `feed` and a `dir`
discover articles (feed entries, files) that are tracked as child sources of kind `page`.
A check never raises for a bad source: every failure becomes a recorded, readable error
in the fetch log and the source's state, so one broken source never stops the others.
A host that asks us to wait (429/503 with Retry-After) makes the check "deferred": recorded,
but not a failure of the source.

The heavy, pure parts of a check (extraction, claim splitting, diffing, feed parsing) run
in worker threads (monitor.offload, at most `cpu_slots` at once), so a large page does not
stall the event loop; every database read and write stays on the loop's thread, after the
work returned, so a check cancelled meanwhile writes nothing.

`run_pass` is the one-shot pass of `monitor check` (a feed or folder, then its articles);
`monitor run` schedules every source, children included, on its own (monitor.dispatch).
A pass reads the state of its sources in one query (`Checker.prime`) and commits its
results in batches (`Store.batching`).

Extraction, claims and feed parsing are imported when first needed (a pass where every
page answers 304 never loads them), and asyncio when a check runs (`monitor check` with
nothing to check loads none of them).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import unquote, urlparse

from .clock import utcnow
from .errors import (
    DeferredError,
    ExtractError,
    FetchError,
    MonitorError,
    RobotsDisallowedError,
    UsageError,
)
from .models import Document, FetchResult, Source, text_hash
from .store import SourceState, Store

if TYPE_CHECKING:
    from .baseline import BaselineIndex
    from .fetch import Fetcher
    from .workers import SharedIndex

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".html", ".htm", ".txt", ".md")
CPU_SLOTS = 2  # threads parsing at once per Checker: two let a small file pass one huge page;
# more only contend for the GIL (measured: a little more CPU, no faster). 0: inline
BATCH_ITEMS = 100  # check results committed together by `run_pass`...
BATCH_SECONDS = 0.5  # ...(without a running loop; also the wait before retrying a commit)
Clock = Callable[[], datetime]
T = TypeVar("T")


@dataclass(frozen=True)
class CheckResult:
    """What one check of one source did. `outcome` is one of OUTCOMES.

    `error` is the readable reason of an "error" or "deferred" outcome; `until` is when a
    deferring host said to come back. `touched` names, for a folder, the tracked articles
    whose files were modified since the folder's previous check (so a scheduler can re-read
    them now: they may have changed while nothing was watching).
    """

    source: str
    outcome: str
    changes: Counter[str] = field(default_factory=Counter)
    error: str | None = None
    discovered: int = 0
    until: datetime | None = None
    touched: tuple[str, ...] = ()


OUTCOMES = (
    "changed",
    "unchanged",
    "not_modified",
    "no_article",
    "first_seen",
    "ok",
    "error",
    "deferred",
)


class Compute(Protocol):
    """Where a Checker's pure work runs: monitor.offload.Slots, monitor.workers."""

    async def run(self, func: Callable[..., T], /, *args: Any) -> T: ...


class Kind(Protocol):
    """A source kind: how to check a source of that kind and what it discovers."""

    async def check(self, checker: Checker, source: Source) -> CheckResult: ...

    def children(self, checker: Checker, source: Source) -> list[Source]: ...


class Checker:
    """Checks sources against one store, one fetcher and one baseline index."""

    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        baseline: BaselineIndex | SharedIndex,
        *,
        clock: Clock = utcnow,
        cpu_slots: int = CPU_SLOTS,
        compute: Compute | None = None,
        light: Compute | None = None,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.baseline = baseline
        self.clock = clock
        if compute is None:
            from .offload import Slots  # (and asyncio) only once something is checked

            compute = Slots(cpu_slots)
        self._compute: Compute = compute
        self._light: Compute = light if light is not None else compute
        self._primed: dict[str, SourceState] = {}

    def prime(self, names: Collection[str]) -> None:
        """Read the state of the named sources in one query, for their next checks (each
        is used once, by the check that starts next; see `state`)."""
        if names:
            self._primed.update(self.store.states(names))

    def state(self, name: str) -> SourceState:
        """Source `name`'s state: as primed for this check, else read now."""
        state = self._primed.pop(name, None)
        return state if state is not None else self.store.state(name)

    async def compute(self, func: Callable[..., T], /, *args: Any) -> T:
        """`func(*args)` (pure work: no database) off the loop: in a worker thread (see
        monitor.offload), or as the Checker's `compute` runs it (monitor.workers)."""
        return await self._compute.run(func, *args)

    async def compute_light(self, func: Callable[..., T], /, *args: Any) -> T:
        """`func(*args)` (pure work of about a millisecond) as the Checker's `light` runs
        it: by default as `compute` does; a one-shot pass with a worker process runs it
        inline, where sending the page to the worker would cost as much as the work."""
        return await self._light.run(func, *args)

    async def check(self, source: Source) -> CheckResult:
        """Check one source; failures are recorded and returned, never raised."""
        started = time.monotonic()
        try:
            return await KINDS[source.kind].check(self, source)
        except DeferredError as exc:
            return self._deferred(source, exc, started)
        except MonitorError as exc:
            return self._failed(source, exc, started)
        except Exception as exc:  # a bug must not stop the pass: log it with the source
            log.exception("unexpected error checking %s", source.name)
            return self._failed(source, exc, started)
        finally:
            # A state primed for this check and not used (a folder, a failure before the
            # fetch) must not outlive it: a later check would get an old one.
            self._primed.pop(source.name, None)

    async def check_file(self, folder: Source, path: Path) -> CheckResult:
        """Check one article file of folder source `folder` now, tracking it first if new.

        This is how the folder watcher's reports are processed: the file is checked as the
        folder's child page, exactly as a full check of the folder would find it.
        """
        child = dir_child(folder, path)
        self.store.add_child(child, now=self.clock())
        return await self.check(self.store.get_source(child.name) or child)

    def _failed(self, source: Source, exc: BaseException, started: float) -> CheckResult:
        message = _describe(exc)
        # Per-check detail: the service logs a summary, and a warning when a source keeps
        # failing; `monitor check` prints every failure.
        log.debug("check of %s failed: %s", source.name, message)
        self.store.record_check(
            source, url=source.url, now=self.clock(), outcome="error", error=message,
            duration_ms=_ms(started), status=getattr(exc, "status", None),
        )
        return CheckResult(source.name, "error", error=message)

    def _deferred(self, source: Source, exc: DeferredError, started: float) -> CheckResult:
        message = _describe(exc)
        log.debug("check of %s deferred until %s: %s", source.name, exc.until, message)
        self.store.record_check(
            source,
            url=source.url,
            now=self.clock(),
            outcome="deferred",
            error=message,
            duration_ms=_ms(started),
            status=getattr(exc, "status", None),
        )
        return CheckResult(source.name, "deferred", error=message, until=exc.until)

    async def ingest(
        self,
        source: Source,
        extract: Callable[[], Document],
        *,
        started: float,
        body_hash: str,
        status: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        file_stamp: str | None = None,
        locate: Callable[[str], str | None] | None = None,
    ) -> CheckResult:
        """Extract a fresh document with `extract` and compare it with the last version and
        the baseline (`compute`: monitor.analysis), then record the outcome (and the
        article's region, when `locate` finds it: see monitor.region)."""
        now = self.clock()
        latest = self.store.latest_version(source.name)
        analysis = await self.compute(_analyse, extract, latest, self.baseline, now)
        document = analysis.document
        region = None
        if locate is not None:
            # A light task: with a worker process, this process has the time to do it.
            region = document.text.strip() and (
                await self.compute_light(locate, document.text) or "")
        record: dict[str, Any] = dict(
            url=document.url, now=now, status=status, etag=etag, last_modified=last_modified,
            body_hash=body_hash, file_stamp=file_stamp, duration_ms=_ms(started),
            region=region,
        )
        if analysis.outcome != "compared":
            # "no_article": an index page, or a page whose article vanished: keep what we
            # have. "unchanged": the same text as the last version.
            self.store.record_check(source, outcome=analysis.outcome, **record)
            return CheckResult(source.name, analysis.outcome)
        changes = analysis.changes
        outcome = "changed" if changes else ("first_seen" if latest is None else "unchanged")
        with self.store.batched():
            self.store.save_version(source, document, text_hash=analysis.digest,
                                    claims=analysis.claims, changes=changes, now=now,
                                    engine=analysis.engine, claims_z=analysis.claims_z)
            self.store.record_check(source, outcome=outcome, changes=len(changes), **record)
        counts = Counter(c.type.value for c in changes)
        if changes:
            log.info("%s: %s change(s): %s", source.name, len(changes), dict(counts))
        return CheckResult(source.name, outcome, counts)


class PageKind:
    """One article page over HTTP(S), or one article file found in a watched folder."""

    async def check(self, checker: Checker, source: Source) -> CheckResult:
        started = time.monotonic()
        if source.url.startswith("file://"):
            from .extract import extract_file

            state = checker.state(source.name)
            path = Path(unquote(urlparse(source.url).path))
            try:
                # Stamped before reading: a write during the read makes the file look
                # touched at the folder's next listing, so it is read again.
                stamp = file_stamp(path.stat())
                raw = path.read_bytes()
            except OSError as exc:
                raise ExtractError(f"cannot read {path}: {exc.strerror or exc}") from exc
            body_hash = hashlib.sha256(raw).hexdigest()
            if state.body_hash == body_hash:
                return _unchanged(checker, source, started, "unchanged", body_hash=body_hash,
                                  file_stamp=stamp)
            return await checker.ingest(
                source, partial(extract_file, path, selector=source.selector),
                started=started, body_hash=body_hash, file_stamp=stamp,
            )
        fetched = await _fetch_if_changed(checker, source, started, expect="html")
        if isinstance(fetched, CheckResult):
            return fetched
        result, body_hash = fetched
        return await checker.ingest(
            source, partial(_extract_html, result.text, result.url, source.selector),
            started=started, body_hash=body_hash, status=result.status, etag=result.etag,
            last_modified=result.last_modified,
            locate=partial(_locate, result.text) if source.selector is None else None,
        )

    def children(self, checker: Checker, source: Source) -> list[Source]:
        return []


class FeedKind:
    """An RSS/Atom/JSON feed: each entry (by GUID, else link) becomes a tracked article."""

    async def check(self, checker: Checker, source: Source) -> CheckResult:
        from .feeds import parse_feed  # feedparser is slow to import; only feeds need it

        started = time.monotonic()
        fetched = await _fetch_if_changed(checker, source, started, expect="feed")
        if isinstance(fetched, CheckResult):
            return fetched
        result, body_hash = fetched
        entries = await checker.compute(
            partial(parse_feed, result.text, url=result.url, content_type=result.content_type)
        )
        now = checker.clock()
        added = 0
        for entry in entries:
            child = Source(
                name=f"{source.name}/{entry.slug}", url=entry.link, kind="page",
                interval=source.interval, selector=source.selector, tags=source.tags,
                origin="feed", parent=source.name,
            )
            added += checker.store.add_child(child, now=now)
        checker.store.record_check(
            source, url=result.url, now=now, outcome="ok", status=result.status,
            etag=result.etag, last_modified=result.last_modified, duration_ms=_ms(started),
            body_hash=body_hash,
        )
        if added:
            log.info("%s: %s new entr%s", source.name, added, "y" if added == 1 else "ies")
        return CheckResult(source.name, "ok", discovered=added)

    def children(self, checker: Checker, source: Source) -> list[Source]:
        return checker.store.list_sources(parent=source.name)


def dir_child(folder: Source, path: Path) -> Source:
    """The tracked article (a child `page`) for file `path` of folder source `folder`."""
    return Source(
        name=f"{folder.name}/{path.name}",
        url=path.resolve().as_uri(),
        kind="page",
        interval=folder.interval,
        selector=folder.selector,
        tags=folder.tags,
        origin="dir",
        parent=folder.name,
        robots=folder.robots,
    )


class DirKind:
    """A local folder: each article file in it is a tracked article of its own."""

    async def check(self, checker: Checker, source: Source) -> CheckResult:
        started = time.monotonic()
        folder = Path(source.url)
        if not folder.is_dir():
            raise ExtractError(f"folder not found: {folder}")
        now = checker.clock()
        previous = checker.state(source.name).last_checked
        since = _timestamp(previous) if previous else None
        stamps = checker.store.file_stamps(source.name)
        added = 0
        touched = []
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in ARTICLE_SUFFIXES and path.is_file():
                child = dir_child(source, path)
                if checker.store.add_child(child, now=now):
                    added += 1
                elif _touched(path, stamps.get(child.name), since):
                    touched.append(child.name)
        checker.store.record_check(
            source, url=source.url, now=now, outcome="ok", duration_ms=_ms(started)
        )
        return CheckResult(source.name, "ok", discovered=added, touched=tuple(touched))

    def children(self, checker: Checker, source: Source) -> list[Source]:
        return checker.store.list_sources(parent=source.name)


KINDS: dict[str, Kind] = {"page": PageKind(), "feed": FeedKind(), "dir": DirKind()}


@dataclass
class PassSummary:
    """Totals of one pass over many sources."""

    results: list[CheckResult] = field(default_factory=list)

    @property
    def checked(self) -> int:
        return len(self.results)

    def count(self, *outcomes: str) -> int:
        return sum(r.outcome in outcomes for r in self.results)

    @property
    def changes(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for r in self.results:
            total.update(r.changes)
        return total

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.outcome == "error"]


async def run_pass(
    checker: Checker, sources: Sequence[Source], *, concurrency: int = 8,
    progress: Callable[[CheckResult], None] | None = None,
) -> PassSummary:
    """Check every source once (a feed or folder first, then the articles it holds).

    The results are committed in batches (those finished in one pass of the event loop, at
    most BATCH_ITEMS), and always when the pass ends, also by an exception or a
    cancellation: an interrupted pass keeps every check that finished.
    """
    import asyncio

    summary = PassSummary()
    limit = asyncio.Semaphore(max(1, concurrency))

    async def one(source: Source) -> None:
        async with limit:
            result = await checker.check(source)
        summary.results.append(result)
        if progress is not None:
            progress(result)
        if result.outcome != "error":
            children = KINDS[source.kind].children(checker, source)
            if children:
                checker.prime([c.name for c in children])
                await asyncio.gather(*(one(child) for child in children))

    with checker.store.batching(max_items=BATCH_ITEMS, max_seconds=BATCH_SECONDS):
        checker.prime([s.name for s in sources])
        await asyncio.gather(*(one(source) for source in sources))
    return summary


async def _fetch_if_changed(
    checker: Checker, source: Source, started: float, *, expect: str
) -> tuple[FetchResult, str] | CheckResult:
    """Conditional GET of `source`: (result, body hash) when there is something new to parse;
    otherwise the cheap path (a 304, the same bytes as last time, e.g. from a server
    without validators, or a page whose article region holds the text it held when the
    article was last extracted: monitor.region) is recorded and its CheckResult returned."""
    state = checker.state(source.name)
    result = await checker.fetcher.fetch(
        source.url, etag=state.etag, last_modified=state.last_modified, expect=expect,
        robots=source.robots,
    )
    if result.not_modified:
        return _unchanged(checker, source, started, "not_modified", status=304)
    body_hash = text_hash(result.text)
    if state.body_hash == body_hash or (
        expect == "html" and source.selector is None and state.region
        and await checker.compute_light(_region_unchanged, result.text, state.region)
    ):  # the same bytes, or the article's region of the page holds the same text
        return _unchanged(checker, source, started, "unchanged", status=result.status,
                          etag=result.etag, last_modified=result.last_modified,
                          body_hash=body_hash)
    return result, body_hash


# The pure work a check hands to `Checker.compute`, named here so that it pickles by
# reference (monitor.workers) and loads its libraries only where it runs.


def _analyse(*args: Any) -> Any:
    from .analysis import analyse

    return analyse(*args)


def _extract_html(html: str, url: str, selector: str | None) -> Document:
    from .extract import extract_html

    return extract_html(html, url=url, selector=selector)


def _locate(html: str, text: str) -> str | None:
    from .region import locate

    return locate(html, text)


def _region_unchanged(html: str, region: str) -> bool:
    from .region import unchanged

    return unchanged(html, region)


def _unchanged(checker: Checker, source: Source, started: float, outcome: str,
               **record: object) -> CheckResult:
    checker.store.record_check(source, url=source.url, now=checker.clock(), outcome=outcome,
                               duration_ms=_ms(started), **record)  # type: ignore[arg-type]
    return CheckResult(source.name, outcome)


def file_stamp(stat: os.stat_result) -> str:
    """"mtime_ns:size": what tells a file that was written again from one left alone."""
    return f"{stat.st_mtime_ns}:{stat.st_size}"


def _touched(path: Path, stamp: str | None, since: float | None) -> bool:
    """Whether a tracked file may hold something its article has not read yet: its stamp
    differs from the one recorded when it was last read. A file never read since stamps were
    recorded (schema 3) falls back to its modification time against the folder's previous
    listing (`since`, second precision, so compared with >=)."""
    try:
        stat = path.stat()
    except OSError:  # deleted since the listing: nothing to re-read
        return False
    if stamp is not None:
        return file_stamp(stat) != stamp
    return since is not None and stat.st_mtime >= since


def _timestamp(iso: str) -> float:
    """POSIX seconds of a stored ISO time (second precision)."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, RobotsDisallowedError) and "robots.txt" not in exc.reason:
        return f"disallowed by robots.txt: {exc.reason}"
    if isinstance(exc, FetchError):
        return exc.reason
    text = str(exc) or type(exc).__name__
    return re.sub(r"\s+", " ", text)[:500]


def select_sources(store: Store, names: Iterable[str]) -> list[Source]:
    """The named sources (any level), or every top-level source; unknown names are errors."""
    wanted = list(names)
    if not wanted:
        return store.list_sources()
    found, missing = [], []
    for name in wanted:
        source = store.get_source(name)
        (found.append(source) if source is not None else missing.append(name))
    if missing:
        raise UsageError("unknown source: " + ", ".join(repr(m) for m in missing))
    return found
