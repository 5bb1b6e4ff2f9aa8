"""Entry points of the commands that check: `monitor check`, `monitor run` and `monitor extract`.

The heavy modules (the HTTP client, extraction, claims, the baseline index) are imported by
the functions that use them, so that a command starts fast and `monitor check` with nothing
to check loads none of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .clock import utcnow
from .config import Settings
from .errors import MonitorError, UsageError
from .store import Store

if TYPE_CHECKING:
    from .baseline import BaselineIndex
    from .lock import InstanceLock
    from .models import Claim, Document, Source
    from .pipeline import CheckResult, PassSummary
    from .workers import ProcessCompute, SharedIndex

log = logging.getLogger(__name__)


BASELINE_STAMPS_KEY = "baseline_file_stamps"  # the `meta` entry: {path: "mtime_ns:size"}
PARSE_BACKLOG = 64  # pages fetched and waiting for the worker process, at most


class BaselineCache:
    """The baseline index, rebuilt only when the baseline files or the stored claims change.

    A file is read again only when its modification time or size differs from when it was
    last loaded into this database (stamps kept in the `meta` table), so a `monitor check`
    does not re-extract the unchanged baseline files on every start.
    """

    def __init__(self) -> None:
        self._files: dict[str, str] | None = None
        self._index: tuple[int, BaselineIndex] | None = None

    def sync(self, settings: Settings, store: Store) -> BaselineIndex:
        """Load new or changed configured baseline files, then return the current index."""
        from .baseline_files import build_index

        self.load_files(settings, store)
        revision = store.baseline_revision()
        if self._index is None or self._index[0] != revision:
            self._index = (revision, build_index(store))
        return self._index[1]

    def load_files(self, settings: Settings, store: Store) -> None:
        """Load the configured baseline files that are new or changed since they were last
        loaded into this database."""
        import json

        from .baseline_files import article_files

        present = [p for p in settings.baseline_paths if p.exists()]
        for missing in set(settings.baseline_paths) - set(present):
            log.warning("baseline path %s does not exist; skipped", missing)
        stamps = {}
        for path in article_files(present):
            stat = path.stat()
            stamps[str(path.resolve())] = f"{stat.st_mtime_ns}:{stat.st_size}"
        if self._files is None:
            self._files = _stored_stamps(store.get_meta(BASELINE_STAMPS_KEY))
        fresh = [Path(p) for p, stamp in stamps.items() if self._files.get(p) != stamp]
        if fresh:
            from .baseline_files import load_baseline

            load_baseline(store, fresh, now=utcnow())
            # stamps are remembered only after the files are in: a failed load is retried
            self._files.update((str(p), stamps[str(p)]) for p in fresh)
            store.set_meta(BASELINE_STAMPS_KEY, json.dumps(self._files, sort_keys=True))


def _stored_stamps(value: str | None) -> dict[str, str]:
    """The stamps saved under BASELINE_STAMPS_KEY; none when absent or unreadable (every
    file is then read again, which is always safe)."""
    import json

    try:
        found = json.loads(value) if value else {}
    except ValueError:
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(k): str(v) for k, v in found.items()}


def check_once(
    settings: Settings, store: Store, names: Iterable[str],
    *, echo: Callable[[str], Any] | None = None,
) -> PassSummary:
    """One pass over the named (or all) sources, with the baseline synced first (when
    there is anything to check)."""
    from .pipeline import PassSummary, select_sources

    sources = select_sources(store, names)
    if not sources:  # nothing to compare: no baseline to load, no HTTP client to open
        return PassSummary()
    import asyncio

    from .workers import MIN_PAGES, ProcessCompute, SharedIndex, usable_cores

    cache = BaselineCache()
    compute: ProcessCompute | None = None
    index: BaselineIndex | SharedIndex
    if usable_cores() > 1 and _pages(store, sources) >= MIN_PAGES:
        # Parse in a worker process while this one fetches (see monitor.workers), started
        # first: it builds its index meanwhile (again, should new baseline files change it).
        compute = ProcessCompute(store.path, store.baseline_revision())
        try:
            cache.load_files(settings, store)
        except BaseException:  # a bad baseline file: the pass does not start
            compute.close()
            raise
        index = SharedIndex(store.path, store.baseline_revision())
    else:
        index = cache.sync(settings, store)

    def progress(result: CheckResult) -> None:
        if echo is not None and result.outcome in ("changed", "error"):
            detail = result.error or ", ".join(f"{n} {t}" for t, n in result.changes.items())
            echo(f"{result.outcome:8} {result.source}: {detail}")

    try:
        return asyncio.run(_pass(settings, store, index, sources, progress, compute))
    finally:
        if compute is not None:
            compute.close()


def _pages(store: Store, sources: list[Source]) -> int:
    """How many articles a pass over `sources` checks at least (the pages, and the articles
    already tracked through the feeds and folders)."""
    return sum(1 if s.kind == "page" else len(store.list_sources(parent=s.name))
               for s in sources)


async def _pass(
    settings: Settings, store: Store, index: BaselineIndex | SharedIndex,
    sources: list[Source], progress: Callable[[CheckResult], None] | None = None,
    compute: ProcessCompute | None = None,
) -> PassSummary:
    from .fetch import Fetcher, make_client
    from .pipeline import Checker, run_pass

    async with make_client(settings.fetch) as client:
        # Without a worker process, parsing is inline (cpu_slots=0): a one-shot pass has
        # no loop to keep responsive, and worker threads would make the loop's every
        # system call queue for the GIL.
        from .offload import Slots

        # A region check (a parse, about a millisecond) costs no more here than sending the
        # page to the worker, and this process has time while the worker extracts.
        checker = Checker(store, Fetcher(client, settings.fetch), index, cpu_slots=0,
                          compute=compute, light=Slots(0) if compute is not None else None)
        # The fetcher bounds the requests in flight (fetch.concurrency); with a worker, a
        # check waiting for its page to be parsed must not hold up the next fetches, so
        # more checks may be under way: their pages wait in memory for the worker.
        checks = settings.fetch.concurrency + (PARSE_BACKLOG if compute is not None else 0)
        return await run_pass(checker, sources, concurrency=checks, progress=progress)


def serve(settings: Settings, store: Store, *, lock: InstanceLock | None = None) -> None:
    """Run the service (`monitor run`) in the foreground until SIGTERM or SIGINT.

    Raises AlreadyRunningError (a MonitorError) at once if another service uses the same
    database; `lock` is that database's lock when the caller already holds it (see
    `Service.run`). Alerts are delivered by the same process, every second and right after
    a check stored changes. See monitor.service and monitor.deliver.
    """
    import asyncio

    from .deliver import DeliveryWorker
    from .sender import make_delivery_client
    from .service import Service

    async def main() -> None:
        service = Service(settings, store)
        async with make_delivery_client(settings.fetch) as client:
            worker = DeliveryWorker(store, settings, client)
            service.add_job(worker.run_once, seconds=1.0, name="deliver", on_changes=True)
            await service.run(lock=lock)

    asyncio.run(main())


def extract_inputs(
    settings: Settings, inputs: Iterable[str], selector: str | None,
) -> Iterator[tuple[str, Document | Any, list[Claim], str | None]]:
    """For each input (file or http(s) URL): (input, document, claims, error message)."""
    import asyncio

    from .claims import split_claims
    from .extract import extract_file

    for item in inputs:
        try:
            if "://" in item:
                document = asyncio.run(_fetch_document(settings, item, selector))
            else:
                path = Path(item)
                if not path.is_file():
                    raise UsageError(f"no such file: {item}")
                document = extract_file(path, selector=selector)
        except MonitorError as exc:
            yield item, None, [], str(exc)
            continue
        yield item, document, split_claims(document.text), None


async def _fetch_document(settings: Settings, url: str, selector: str | None) -> Document:
    from .extract import extract_html
    from .fetch import Fetcher, make_client

    async with make_client(settings.fetch) as client:
        result = await Fetcher(client, settings.fetch).fetch(url, expect="html")
    return extract_html(result.text, url=result.url, selector=selector)
