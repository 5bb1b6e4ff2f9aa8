"""The folder watcher: real files in tmp_path, reported through inotify (never polling)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from monitor.watch import FolderWatcher, is_article_file

TIMEOUT = 5.0  # generous: a report normally arrives within ~100 ms of the write


class Recorder:
    """Collects (source, file name) reports and lets a test wait for one."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.arrived = asyncio.Event()

    async def __call__(self, name: str, path: Path) -> None:
        self.seen.append((name, path.name))
        self.arrived.set()

    async def next(self) -> tuple[str, str]:
        await asyncio.wait_for(self.arrived.wait(), TIMEOUT)
        self.arrived.clear()
        return self.seen[-1]


Scenario = Callable[[FolderWatcher, Recorder, Path], Awaitable[None]]


def run_watcher(tmp_path: Path, scenario: Scenario, recorder: Recorder | None = None,
                **folders: Path) -> Recorder:
    """Run a watcher on `folders` (default: tmp_path/inbox as "inbox") around `scenario`,
    reporting to `recorder` (default: a new Recorder)."""

    async def main() -> Recorder:
        nonlocal recorder
        recorder = recorder or Recorder()
        watcher = FolderWatcher(recorder, debounce_ms=50)
        inbox = tmp_path / "inbox"
        inbox.mkdir(exist_ok=True)
        watcher.set_folders(folders or {"inbox": inbox})
        stop = asyncio.Event()
        task = asyncio.create_task(watcher.run(stop))
        await _started(watcher)
        try:
            await scenario(watcher, recorder, inbox)
        finally:
            stop.set()
            await asyncio.wait_for(task, TIMEOUT)
        return recorder

    return asyncio.run(main())


async def _started(watcher: FolderWatcher) -> None:
    # inotify watches exist once awatch has created its RustNotify; give it a moment.
    await asyncio.sleep(0.2)


@pytest.mark.parametrize(
    ("name", "reported"),
    [("story.html", True), ("story.HTM", True), ("notes.txt", True), ("a.md", True),
     ("image.png", False), (".story.txt", False), (".story.txt.swp", False),
     ("story.txt~", False), ("#story.txt#", False), ("noext", False)],
    ids=["html", "htm-upper", "txt", "md", "png", "hidden", "swap", "backup", "emacs-lock",
         "no-suffix"],
)
def test_is_article_file(name, reported):
    assert is_article_file(Path("/inbox") / name) is reported


def test_a_new_file_is_reported_with_its_source(tmp_path):
    async def scenario(watcher, recorder, inbox):
        (inbox / "story.txt").write_text("Title\n\nRebels entered Hama on Thursday.\n")
        assert await recorder.next() == ("inbox", "story.txt")

    run_watcher(tmp_path, scenario)


def test_a_modified_file_is_reported_again(tmp_path):
    async def scenario(watcher, recorder, inbox):
        path = inbox / "story.md"
        path.write_text("v1")
        assert await recorder.next() == ("inbox", "story.md")
        path.write_text("v2")
        assert await recorder.next() == ("inbox", "story.md")

    recorder = run_watcher(tmp_path, scenario)
    assert recorder.seen == [("inbox", "story.md")] * 2


def test_ignored_files_and_deletions_are_not_reported(tmp_path):
    async def scenario(watcher, recorder, inbox):
        keep = inbox / "keep.html"
        keep.write_text("<p>x</p>")
        assert await recorder.next() == ("inbox", "keep.html")
        for name in (".hidden.txt", ".keep.html.swp", "keep.html~", "photo.jpg"):
            (inbox / name).write_text("ignored")
        (inbox / "sub").mkdir()
        (inbox / "sub" / "nested.txt").write_text("not top level")
        keep.unlink()
        # A marker written last: when it arrives, everything before it has been seen.
        (inbox / "marker.txt").write_text("done")
        assert await recorder.next() == ("inbox", "marker.txt")

    recorder = run_watcher(tmp_path, scenario)
    assert recorder.seen == [("inbox", "keep.html"), ("inbox", "marker.txt")]


def test_an_atomic_rename_into_the_folder_is_reported(tmp_path):
    async def scenario(watcher, recorder, inbox):
        temp = inbox / ".story.txt.tmp"
        temp.write_text("Title\n\nThe army withdrew from Hama.\n")
        os.replace(temp, inbox / "story.txt")
        assert await recorder.next() == ("inbox", "story.txt")

    recorder = run_watcher(tmp_path, scenario)
    assert recorder.seen == [("inbox", "story.txt")]


def test_a_file_still_being_written_is_reported_once_complete(tmp_path):
    async def scenario(watcher, recorder, inbox):
        path = inbox / "slow.txt"
        with path.open("w") as handle:  # a slow writer: a pause longer than the quiet window
            for line in ("Title\n\n", "The army withdrew ", "from Hama.\n"):
                handle.write(line)
                handle.flush()
                await asyncio.sleep(0.08)
        assert await recorder.next() == ("inbox", "slow.txt")
        assert recorder.contents == ["Title\n\nThe army withdrew from Hama.\n"]

    run_watcher(tmp_path, scenario, ContentRecorder())


class ContentRecorder(Recorder):
    """A Recorder that also keeps what each reported file held when it was reported."""

    def __init__(self) -> None:
        super().__init__()
        self.contents: list[str] = []

    async def __call__(self, name: str, path: Path) -> None:
        self.contents.append(path.read_text())
        await super().__call__(name, path)


def test_set_folders_switches_the_watch_and_waits_for_missing_folders(tmp_path):
    other = tmp_path / "other"

    async def scenario(watcher, recorder, inbox):
        watcher.set_folders({"inbox": inbox, "other": other})  # other does not exist yet
        assert watcher.folders == {inbox.resolve(): "inbox"}
        other.mkdir()
        watcher.set_folders({"inbox": inbox, "other": other})
        assert watcher.folders == {inbox.resolve(): "inbox", other.resolve(): "other"}
        await _started(watcher)
        (other / "b.txt").write_text("b")
        assert await recorder.next() == ("other", "b.txt")
        watcher.set_folders({"other": other})  # inbox no longer watched
        await _started(watcher)
        (inbox / "ignored.txt").write_text("no longer watched")
        (other / "c.txt").write_text("c")
        assert await recorder.next() == ("other", "c.txt")

    recorder = run_watcher(tmp_path, scenario)
    assert recorder.seen == [("other", "b.txt"), ("other", "c.txt")]


def test_a_failing_callback_does_not_stop_the_watcher(tmp_path):
    async def scenario(watcher, recorder, inbox):
        (inbox / "bad.txt").write_text("x")
        await asyncio.sleep(0.3)
        (inbox / "good.txt").write_text("y")
        assert await recorder.next() == ("inbox", "good.txt")

    async def flaky(name: str, path: Path) -> None:
        if path.name == "bad.txt":
            raise RuntimeError("boom")
        await recorder.__call__(name, path)

    recorder = Recorder()

    async def main() -> None:
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        watcher = FolderWatcher(flaky, debounce_ms=50)
        watcher.set_folders({"inbox": inbox})
        stop = asyncio.Event()
        task = asyncio.create_task(watcher.run(stop))
        await _started(watcher)
        await scenario(watcher, recorder, inbox)
        stop.set()
        await asyncio.wait_for(task, TIMEOUT)

    asyncio.run(main())
    assert recorder.seen == [("inbox", "good.txt")]


def test_stop_ends_an_idle_watch_promptly(tmp_path):
    async def main() -> float:
        watcher = FolderWatcher(Recorder(), debounce_ms=50)
        watcher.set_folders({"inbox": tmp_path})
        stop = asyncio.Event()
        task = asyncio.create_task(watcher.run(stop))
        await _started(watcher)
        loop = asyncio.get_running_loop()
        started = loop.time()
        stop.set()
        await asyncio.wait_for(task, TIMEOUT)
        return loop.time() - started

    assert asyncio.run(main()) < 2.0
