"""Watch folders for article files: the `dir` sources of `monitor run`.

`FolderWatcher` reports each added or modified `.html`, `.htm`, `.txt` or `.md` file of the
watched folders (not their subfolders) through an async callback, within a debounce window
of its last write. It uses `watchfiles` (inotify on Linux) and never polls: an idle folder of
any size costs nothing. Hidden files, editor swap files (`.x.swp`) and backups (`x~`) are
ignored, and so are deletions.

A file still being written is not reported half-way: after the quiet window, each file's
size and modification time are compared over a short settle interval, and a file that is
still growing is left for the watch event its next write brings. (Writers that can, should
write a hidden temporary name and rename it into place: the rename is reported at once.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import stat
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

from watchfiles import Change, awatch

from .pipeline import ARTICLE_SUFFIXES

log = logging.getLogger(__name__)

OnFile = Callable[[str, Path], Awaitable[None]]


def is_article_file(path: Path) -> bool:
    """True for a name the watcher reports: an article suffix, not hidden, not a backup."""
    name = path.name
    return (
        path.suffix.lower() in ARTICLE_SUFFIXES
        and not name.startswith((".", "#", "~"))
        and not name.endswith("~")
    )


class FolderWatcher:
    """Calls `on_file(source name, path)` for article files written into watched folders.

    `set_folders` may be called at any time (for example every few seconds from the
    database); the underlying watch restarts only when the set of folders actually changes.
    A folder that does not exist (yet) is skipped until it does.
    """

    def __init__(self, on_file: OnFile, *, debounce_ms: int = 200,
                 settle: float = 0.1) -> None:
        self._on_file = on_file
        self._debounce_ms = debounce_ms
        self._settle = settle
        self._wanted: dict[str, Path] = {}
        self._active: dict[Path, str] = {}  # resolved, existing folder -> source name
        self._restart = asyncio.Event()
        self._missing: set[Path] = set()

    @property
    def folders(self) -> dict[Path, str]:
        """The folders being watched now (resolved path -> source name)."""
        return dict(self._active)

    def set_folders(self, folders: Mapping[str, Path]) -> None:
        """Watch exactly these folders (source name -> folder) from now on."""
        self._wanted = dict(folders)
        active = self._resolve(self._wanted)
        if active != self._active:
            self._active = active
            self._restart.set()

    def _resolve(self, folders: Mapping[str, Path]) -> dict[Path, str]:
        active: dict[Path, str] = {}
        missing: set[Path] = set()
        for name, folder in sorted(folders.items()):
            path = Path(folder).expanduser().resolve()
            if path.is_dir():
                active.setdefault(path, name)
            else:
                missing.add(path)
        for path in sorted(missing - self._missing):
            log.warning("folder %s does not exist; watching it once it does", path)
        self._missing = missing
        return active

    async def run(self, stop: asyncio.Event) -> None:
        """Watch until `stop` is set, restarting the watch whenever the folder set changes."""
        relay = asyncio.create_task(self._relay(stop))
        try:
            while not stop.is_set():
                self._restart.clear()
                # A folder may have appeared (or vanished) since the last `set_folders`.
                self._active = self._resolve(self._wanted)
                folders = dict(self._active)
                if not folders:
                    await self._restart.wait()
                    continue
                log.debug("watching %s", ", ".join(str(p) for p in folders))
                try:
                    await self._watch(folders)
                except (FileNotFoundError, OSError) as exc:
                    # A folder vanished between the check and the watch: retry shortly.
                    log.warning("cannot watch folders: %s", exc)
                    await _wait(self._restart, 1.0)
        finally:
            relay.cancel()

    async def _relay(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._restart.set()

    async def _watch(self, folders: dict[Path, str]) -> None:
        async for changes in awatch(
            *folders,
            stop_event=self._restart,
            debounce=self._debounce_ms,
            step=50,
            recursive=False,
            force_polling=False,
            watch_filter=_wanted_change,
            rust_timeout=30_000,  # only how often an idle watch wakes; stop is checked often
        ):
            paths = [path for path in sorted({Path(p) for _, p in changes})
                     if path.parent in folders]  # not a subfolder's file
            for path in await self._settled(paths):
                name = folders[path.parent]
                try:
                    await self._on_file(name, path)
                except Exception:  # one bad file must not stop the watcher
                    log.exception("handling %s of source %s failed", path, name)


    async def _settled(self, paths: list[Path]) -> list[Path]:
        """The files of `paths` that exist and did not change over the settle interval.

        A file that changed was written meanwhile, and that write brings its own watch
        event: it is reported then, once complete.
        """
        before = {path: stamp for path in paths if (stamp := _stamp(path)) is not None}
        if not before:
            return []
        await asyncio.sleep(self._settle)
        settled = []
        for path, stamp in before.items():
            if _stamp(path) == stamp:
                settled.append(path)
            else:
                log.debug("%s is still being written; waiting for its next write", path)
        return settled


def _stamp(path: Path) -> tuple[int, int] | None:
    """(size, mtime in ns) of a regular file, None when it is gone or not a file."""
    try:
        info = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return info.st_size, info.st_mtime_ns


def _wanted_change(change: Change, path: str) -> bool:
    return change in (Change.added, Change.modified) and is_article_file(Path(path))


async def _wait(event: asyncio.Event, timeout: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)


__all__ = ["FolderWatcher", "OnFile", "is_article_file"]
