"""One pass over many sources: every bad source is recorded, the others still get checked."""

from __future__ import annotations

import asyncio
import gzip
import os
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from monitor.baseline import BaselineIndex
from monitor.config import FetchSettings
from monitor.fetch import Fetcher, make_client
from monitor.models import Source
from monitor.pipeline import Checker, CheckResult, dir_child, run_pass
from monitor.store import Store
from tests.helpers import article_page

NOW = datetime(2024, 12, 9, 12, 0, tzinfo=UTC)
HTML = {"Content-Type": "text/html; charset=utf-8"}
GOOD = article_page("Rebels enter Hama", [
    "Rebel fighters entered the city of Hama on Thursday after days of fighting, "
    "residents said.",
    "The army said it had redeployed its troops outside the city to protect civilians.",
])


def slow(_request):
    time.sleep(3)
    return 200, HTML, GOOD


def drip(_request):
    def chunks():
        yield b"<html><body><p>"
        for _ in range(40):
            time.sleep(0.1)
            yield b"slow "
    return 200, HTML, chunks()


BOMB = gzip.compress(b"<html><body><p>" + b"a" * 30_000_000, compresslevel=9)

# path -> (route, expected fragment of the recorded error; None = a success)
CASES = {
    "/good": ((200, HTML, GOOD), None),
    "/missing": ((404, HTML, b"<p>not here</p>"), "HTTP 404"),
    "/broken": ((500, HTML, b"<p>oops</p>"), "HTTP 500"),
    "/slow": (slow, "timed out"),
    "/drip": (drip, "timed out"),
    "/image": ((200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n" + b"\0" * 100),
               "not an HTML page"),
    "/empty": ((200, HTML, b""), "empty"),
    "/junk": ((200, HTML, bytes(range(256)) * 20), "binary"),
    "/huge": ((200, HTML, b"<html><body><p>" + b"x" * 1_200_000), "larger than"),
    "/bomb": ((200, {**HTML, "Content-Encoding": "gzip"}, BOMB), "larger than"),
    "/malformed": ((200, HTML, b"<html><body><div><p>Rebels said on Monday they had taken "
                   b"the airport.<p>Officials denied it<table><tr><td>x</div>"), None),
    "/cp1251": ((200, {"Content-Type": "text/html; charset=windows-1251"},
                 "<html><body><p>Повстанцы заявили, что взяли под контроль аэропорт "
                 "Дамаска.</p></body></html>".encode("cp1251")), None),
    "/latin1": ((200, {"Content-Type": "text/html"},
                 "<html><body><p>Les rebelles ont déclaré avoir pris l'aéroport de Damas "
                 "à l'aube.</p></body></html>".encode("latin-1")), None),
}


def tracked(store: Store, *sources: Source) -> None:
    """Put sources in the store, as `monitor` does before checking them."""
    for source in sources:
        if store.get_source(source.name) is None:
            store.add_source(source, now=NOW)


def run(store: Store, sources: list[Source], settings: FetchSettings) -> dict[str, str]:
    tracked(store, *sources)

    async def go():
        async with make_client(settings) as client:
            checker = Checker(store, Fetcher(client, settings), BaselineIndex(),
                              clock=lambda: NOW)
            return await run_pass(checker, sources, concurrency=4)

    summary = asyncio.run(go())
    return {r.source: r.outcome for r in summary.results}


def test_each_bad_source_is_recorded_and_the_others_are_checked(http_server, tmp_path):
    for path, (route, _) in CASES.items():
        http_server.routes[path] = route
    sources = [Source(path.strip("/"), http_server.url(path)) for path in CASES]
    sources.append(Source("unreachable", "http://127.0.0.1:9/closed"))
    store = Store(tmp_path / "m.db")
    # One host (the local server): no spacing between requests, so the pass stays short.
    settings = FetchSettings(timeout=1.0, max_bytes=1_000_000, allow_private=True,
                             per_host=4, host_delay=0.0)
    started = time.monotonic()
    outcomes = run(store, sources, settings)
    assert time.monotonic() - started < 10
    assert len(outcomes) == len(sources)
    for path, (_, expected) in CASES.items():
        state = store.state(path.strip("/"))
        if expected is None:
            assert outcomes[path.strip("/")] != "error", (path, state.last_error)
        else:
            assert outcomes[path.strip("/")] == "error", path
            assert expected in state.last_error, (path, state.last_error)
            assert state.failures == 1
    assert outcomes["unreachable"] == "error"
    assert store.state("unreachable").last_error
    text = store.latest_version("cp1251").text
    assert "Повстанцы" in text
    assert "déclaré" in store.latest_version("latin1").text
    assert "airport" in store.latest_version("malformed").text


def test_redirect_to_loopback_is_refused_when_private_addresses_are_not_allowed(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "news.example":
            return httpx.Response(302, headers={"Location": "http://127.0.0.1:8080/admin"})
        raise AssertionError(f"the guard let a request through to {request.url}")

    async def resolver(host: str, port: int) -> list[str]:
        return {"news.example": ["93.184.216.34"]}.get(host, ["127.0.0.1"])

    async def go():
        settings = FetchSettings(allow_private=False)
        store, source = Store(tmp_path / "m.db"), Source("r", "http://news.example/story")
        tracked(store, source)
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            checker = Checker(store, Fetcher(client, settings, resolver=resolver),
                              BaselineIndex(), clock=lambda: NOW)
            return checker, await checker.check(source)

    checker, result = asyncio.run(go())
    assert result.outcome == "error"
    assert "127.0.0.1" in checker.store.state("r").last_error


def test_unchanged_body_skips_parsing_and_a_304_is_cheap(http_server, tmp_path):
    etag = '"v1"'

    def page(request):
        if request.headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {**HTML, "ETag": etag}, GOOD

    http_server.routes["/p"] = page
    store = Store(tmp_path / "m.db")
    settings = FetchSettings(allow_private=True)
    source = Source("p", http_server.url("/p"))
    assert run(store, [source], settings) == {"p": "changed"}
    assert run(store, [source], settings) == {"p": "not_modified"}
    assert http_server.requests_for("/p")[-1].headers["if-none-match"] == etag
    assert store.db["versions"].count == 1


def test_layout_churn_skips_extraction_and_an_article_edit_does_not(
        http_server, tmp_path, monkeypatch):
    from monitor import extract

    paragraphs = [
        "Rebel fighters entered the city of Hama on Thursday after days of fighting, "
        "residents said.",
        "The army said it had redeployed its troops outside the city to protect civilians.",
    ]
    served = {"page": article_page("Rebels enter Hama", paragraphs)}
    http_server.routes["/p"] = lambda request: (200, HTML, served["page"])
    extracted: list[str] = []
    real = extract.extract_html
    monkeypatch.setattr(extract, "extract_html",
                        lambda html, **kw: extracted.append(html) or real(html, **kw))
    store = Store(tmp_path / "m.db")
    settings = FetchSettings(allow_private=True)
    source = Source("p", http_server.url("/p"))
    assert run(store, [source], settings) == {"p": "changed"}
    assert store.state("p").region  # where the article is, kept for the next check
    served["page"] = article_page("Rebels enter Hama", paragraphs,
                                  extra="<div>Most read: Oil prices rise</div>")
    assert run(store, [source], settings) == {"p": "unchanged"}
    assert len(extracted) == 1  # the churn was seen without extracting the page
    served["page"] = article_page("Rebels enter Hama", [paragraphs[0].replace(
        "Thursday", "Friday"), paragraphs[1]], extra="<div>Most read: Gold falls</div>")
    assert run(store, [source], settings) == {"p": "changed"}
    assert len(extracted) == 2
    assert [c["type"] for c in store.changes()][:1] == ["updated_claim"]


@pytest.mark.parametrize(
    ("body", "outcome"),
    [(b"<html><body><ul><li><a href='/a'>One</a></li><li><a href='/b'>Two</a></li></ul>"
      b"</body></html>", "no_article")],
    ids=["listing-page"],
)
def test_page_without_article_records_no_article(http_server, tmp_path, body, outcome):
    http_server.route("/index", headers=HTML, body=body)
    store = Store(tmp_path / "m.db")
    result = run(store, [Source("i", http_server.url("/index"))], FetchSettings(
        allow_private=True))
    assert result == {"i": outcome}
    assert store.count_changes() == 0


def check(store: Store, source: Source, settings: FetchSettings | None = None,
          clock=lambda: NOW) -> CheckResult:
    """One check of one source with a real Fetcher."""
    settings = settings or FetchSettings(allow_private=True, host_delay=0.0)
    tracked(store, source)

    async def go():
        async with make_client(settings) as client:
            checker = Checker(store, Fetcher(client, settings), BaselineIndex(), clock=clock)
            return await checker.check(source)

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("retry_after", "outcome"),
    [("120", "deferred"), (format_datetime(datetime.now(UTC) + timedelta(hours=2),
                                           usegmt=True), "deferred"),
     ("soon", "error")],
    ids=["seconds", "http-date", "garbage-is-an-error"],
)
def test_a_host_asking_to_wait_defers_the_check_without_counting_a_failure(
        http_server, tmp_path, retry_after, outcome):
    http_server.route("/busy", status=429, headers={"Retry-After": retry_after, **HTML},
                      body=b"<p>slow down</p>")
    store = Store(tmp_path / "m.db")
    source = Source("busy", http_server.url("/busy"))
    for _ in range(2):  # two real failures first
        http_server.route("/busy-before", status=500, headers=HTML, body=b"<p>x</p>")
        check(store, Source("busy", http_server.url("/busy-before")))
    assert store.state("busy").failures == 2
    result = check(store, source)
    assert result.outcome == outcome
    log = store.fetch_log("busy", limit=1)[0]
    assert log["outcome"] == outcome
    if outcome == "deferred":
        assert result.until is not None and result.until > datetime.now(UTC)
        assert "429" in log["error"] and "wait" in log["error"]
        assert store.state("busy").failures < 3  # not a failure of the source
    else:
        assert result.until is None and "429" in log["error"]
        assert store.state("busy").failures == 3


def test_robots_disallow_is_an_error_that_says_robots_txt(http_server, tmp_path):
    http_server.route("/robots.txt", headers={"Content-Type": "text/plain"},
                      body=b"User-agent: *\nDisallow: /private/\n")
    http_server.route("/private/story", headers=HTML, body=GOOD)
    store = Store(tmp_path / "m.db")
    result = check(store, Source("p", http_server.url("/private/story")))
    assert result.outcome == "error" and "robots.txt" in result.error
    assert store.state("p").failures == 1
    assert http_server.requests_for("/private/story") == []


def test_a_source_with_robots_off_is_fetched_despite_robots_txt(http_server, tmp_path):
    http_server.route("/robots.txt", headers={"Content-Type": "text/plain"},
                      body=b"User-agent: *\nDisallow: /\n")
    http_server.route("/story", headers=HTML, body=GOOD)
    store = Store(tmp_path / "m.db")
    result = check(store, Source("p", http_server.url("/story"), robots=False))
    assert result.outcome == "changed"
    assert http_server.requests_for("/robots.txt") == []


def folder_source(path: Path) -> Source:
    return Source("inbox", str(path), kind="dir", interval=30)


def test_check_file_tracks_a_new_file_as_a_child_page_and_checks_it(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    story = inbox / "story.txt"
    story.write_text("Rebels enter Hama\n\nRebel fighters entered the city of Hama on "
                     "Thursday, residents said.\n")
    store = Store(tmp_path / "m.db")
    folder = folder_source(inbox)
    store.add_source(folder, now=NOW)

    async def go(path: Path) -> CheckResult:
        async with make_client(FetchSettings()) as client:
            checker = Checker(store, Fetcher(client, FetchSettings()), BaselineIndex(),
                              clock=lambda: NOW)
            return await checker.check_file(folder, path)

    result = asyncio.run(go(story))
    assert result.source == "inbox/story.txt" and result.outcome == "changed"
    child = store.get_source("inbox/story.txt")
    assert child == dir_child(folder, story)
    assert child.parent == "inbox" and child.origin == "dir"
    assert store.latest_version("inbox/story.txt") is not None
    assert asyncio.run(go(story)).outcome == "unchanged"  # the same bytes: cheap path


def test_a_folder_check_reports_files_modified_since_its_previous_check(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    old, new = inbox / "old.txt", inbox / "new.txt"
    old.write_text("Title\n\nThe army withdrew from Hama.\n")
    store = Store(tmp_path / "m.db")
    folder = folder_source(inbox)
    store.add_source(folder, now=NOW)
    now = datetime.now(UTC)

    def stamp(path: Path, minutes_ago: float) -> None:
        moment = (now - timedelta(minutes=minutes_ago)).timestamp()
        os.utime(path, (moment, moment))

    stamp(old, 10)
    first = check(store, folder, clock=lambda: now - timedelta(minutes=5))
    assert first.discovered == 1 and first.touched == ()
    old.write_text("Title\n\nThe army returned to Hama.\n")  # edited while unwatched
    new.write_text("Title\n\nRebels said they took the airport.\n")
    stamp(old, 1)
    stamp(new, 1)
    second = check(store, folder, clock=lambda: now)
    assert second.discovered == 1 and second.touched == ("inbox/old.txt",)
    third = check(store, folder, clock=lambda: now + timedelta(minutes=5))
    assert third.discovered == 0 and third.touched == ()


def test_files_read_in_the_listing_second_are_not_re_read(tmp_path):
    # The folder is listed at 12:00:00 (stored with second precision) and its files were
    # written at 12:00:00.5: only an edit after they were read may mark them touched.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    store = Store(tmp_path / "m.db")
    folder = folder_source(inbox)
    store.add_source(folder, now=NOW)
    written = NOW.timestamp() + 0.5
    for i in range(3):
        path = inbox / f"s{i}.txt"
        path.write_text(f"Story {i}\n\nThe army withdrew {i} brigades from Hama.\n")
        os.utime(path, (written, written))
    assert check(store, folder).discovered == 3
    for i in range(3):
        assert check(store, store.get_source(f"inbox/s{i}.txt")).outcome == "changed"
    later = lambda: NOW + timedelta(minutes=5)  # noqa: E731
    assert check(store, folder, clock=later).touched == ()
    edited = inbox / "s1.txt"
    edited.write_text("Story 1\n\nThe army withdrew 12 brigades from Hama.\n")
    os.utime(edited, (written, written))  # same time, other size: still an edit
    assert check(store, folder, clock=later).touched == ("inbox/s1.txt",)


def test_an_unchanged_feed_body_is_not_parsed_again(http_server, tmp_path, monkeypatch):
    import monitor.feeds

    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title><item>'
           b"<title>One</title><link>https://news.example/one</link></item></channel></rss>")
    http_server.route("/feed", headers={"Content-Type": "application/rss+xml"}, body=rss)
    store = Store(tmp_path / "m.db")
    feed = Source("wire", http_server.url("/feed"), kind="feed")
    assert check(store, feed).discovered == 1

    def no_parse(*args, **kwargs):
        raise AssertionError("the same feed body was parsed again")

    monkeypatch.setattr(monitor.feeds, "parse_feed", no_parse)
    again = check(store, feed)  # no ETag or Last-Modified: a full 200, the same bytes
    assert (again.outcome, again.error) == ("unchanged", None)
    assert store.fetch_log("wire", limit=1)[0]["status"] == 200


def _floods(paragraphs: int) -> bytes:
    return article_page("Floods", [
        f"Officials in district {i} said on Tuesday that {i * 7} residents had moved to "
        f"shelters after the river burst its banks." for i in range(paragraphs)])


def test_a_large_page_is_parsed_while_the_event_loop_keeps_serving(
        http_server, tmp_path, monkeypatch):
    import monitor.extract  # the pipeline imports extract_html from it when it needs it

    http_server.route("/big", headers=HTML, body=_floods(1500))
    real = monitor.extract.extract_html
    parsing, loop_free = threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def extract(*args, **kwargs):
        parsing.set()
        seen["loop ran during the parse"] = loop_free.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(monitor.extract, "extract_html", extract)
    store = Store(tmp_path / "m.db")
    source = Source("big", http_server.url("/big"))
    tracked(store, source)
    settings = FetchSettings(allow_private=True, host_delay=0.0)

    async def go() -> CheckResult:
        async with make_client(settings) as client:
            checker = Checker(store, Fetcher(client, settings), BaselineIndex(),
                              clock=lambda: NOW)
            task = asyncio.ensure_future(checker.check(source))
            while not parsing.is_set() and not task.done():
                await asyncio.sleep(0.005)
            loop_free.set()  # only reachable while the parse runs if it is off the loop
            return await task

    result = asyncio.run(go())
    assert seen == {"loop ran during the parse": True}
    assert result.outcome == "changed" and len(store.latest_version("big").text) > 100_000


def test_a_check_cancelled_while_parsing_writes_nothing(http_server, tmp_path, monkeypatch):
    import monitor.extract  # the pipeline imports extract_html from it when it needs it

    http_server.route("/story", headers=HTML, body=GOOD)
    real = monitor.extract.extract_html
    parsing, release, parsed = threading.Event(), threading.Event(), threading.Event()

    def extract(*args, **kwargs):
        parsing.set()
        release.wait(5)
        try:
            return real(*args, **kwargs)
        finally:
            parsed.set()

    monkeypatch.setattr(monitor.extract, "extract_html", extract)
    store = Store(tmp_path / "m.db")
    source = Source("story", http_server.url("/story"))
    tracked(store, source)
    settings = FetchSettings(allow_private=True, host_delay=0.0)

    async def go() -> bool:
        async with make_client(settings) as client:
            checker = Checker(store, Fetcher(client, settings), BaselineIndex(),
                              clock=lambda: NOW)
            task = asyncio.ensure_future(checker.check(source))
            while not parsing.is_set() and not task.done():
                await asyncio.sleep(0.005)
            task.cancel()  # as the service's shutdown does with a check in flight
            try:
                await task
            except asyncio.CancelledError:
                cancelled = True
            else:
                cancelled = False
            release.set()
            while not parsed.is_set():  # the abandoned parse ends in the background
                await asyncio.sleep(0.005)
            await asyncio.sleep(0.05)  # anything it could still deliver would run now
            return cancelled

    assert asyncio.run(go()) is True
    assert store.fetch_log("story") == [] and store.latest_version("story") is None
    assert store.state("story").last_checked is None


def test_an_article_over_the_claims_limit_is_a_clear_error(http_server, tmp_path):
    http_server.route("/archive", headers=HTML, body=_floods(2100))
    store = Store(tmp_path / "m.db")
    result = check(store, Source("archive", http_server.url("/archive")))
    assert result.outcome == "error"
    assert re.fullmatch(r"article has 2,1\d\d sentences; over the limit of 2,000 claims per "
                        r"article, so it is not compared", result.error), result.error
    assert store.state("archive").last_error == result.error
    assert store.latest_version("archive") is None and store.count_changes() == 0


def _etagged(request) -> tuple[int, dict[str, str], bytes]:
    """A page with a strong ETag that answers 304 to a matching If-None-Match."""
    if request.headers.get("if-none-match") == '"v1"':
        return 304, {"ETag": '"v1"'}, b""
    return 200, {**HTML, "ETag": '"v1"'}, GOOD


def _committed_log(path: Path) -> list[str]:
    """The sources with a committed fetch-log line, as another process sees them."""
    import sqlite3

    other = sqlite3.connect(path)
    try:
        return sorted(r[0] for r in other.execute("SELECT source FROM fetch_log"))
    finally:
        other.close()


@pytest.mark.parametrize("how", ["exception", "cancel"], ids=["exception", "cancelled"])
def test_a_pass_broken_off_midway_keeps_every_finished_check(http_server, tmp_path, how):
    for i in range(6):
        http_server.route(f"/s{i}", headers=HTML, body=GOOD)
    sources = [Source(f"s{i}", http_server.url(f"/s{i}")) for i in range(6)]
    store = Store(tmp_path / "m.db")
    tracked(store, *sources)
    settings = FetchSettings(allow_private=True, host_delay=0.0)
    finished: list[str] = []

    async def go() -> None:
        async with make_client(settings) as client:
            checker = Checker(store, Fetcher(client, settings), BaselineIndex(),
                              clock=lambda: NOW)
            task = asyncio.current_task()

            def progress(result: CheckResult) -> None:
                finished.append(result.source)
                if len(finished) == 3:
                    if how == "cancel":  # as Ctrl-C does to `monitor check`
                        assert task is not None
                        task.cancel()
                    else:
                        raise RuntimeError("the pass broke off")

            await run_pass(checker, sources, concurrency=1, progress=progress)

    with pytest.raises(asyncio.CancelledError if how == "cancel" else RuntimeError):
        asyncio.run(go())
    assert len(finished) >= 3
    assert _committed_log(store.path) == sorted(finished)  # committed, none lost
    assert all(store.latest_version(name) is not None for name in finished)


def test_a_pass_reads_its_sources_states_in_one_query(http_server, tmp_path):
    http_server.routes["/a"] = _etagged
    http_server.routes["/b"] = _etagged
    sources = [Source("a", http_server.url("/a")), Source("b", http_server.url("/b"))]
    store = Store(tmp_path / "m.db")
    assert run(store, sources, FetchSettings(allow_private=True, host_delay=0.0)) == {
        "a": "changed", "b": "changed"}
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    assert run(store, sources, FetchSettings(allow_private=True, host_delay=0.0)) == {
        "a": "not_modified", "b": "not_modified"}
    store.conn.set_trace_callback(None)
    state_reads = [s for s in statements if re.search(r"SELECT .* FROM source_state", s)]
    assert len(state_reads) == 1 and "json_each" in state_reads[0], state_reads


def test_a_primed_state_serves_one_check_only(http_server, tmp_path):
    http_server.routes["/a"] = _etagged
    source = Source("a", http_server.url("/a"))
    store = Store(tmp_path / "m.db")
    assert check(store, source).outcome == "changed"  # the store now holds ETag "v1"
    settings = FetchSettings(allow_private=True, host_delay=0.0)

    async def go() -> list[str]:
        async with make_client(settings) as client:
            checker = Checker(store, Fetcher(client, settings), BaselineIndex(),
                              clock=lambda: NOW)
            checker.prime(["a"])
            with store.transaction():
                store.conn.execute("UPDATE source_state SET etag = NULL WHERE name = 'a'")
            first = await checker.check(source)  # the primed state: ETag "v1"
            second = await checker.check(source)  # read afresh: no ETag
            return [first.outcome, second.outcome]

    assert asyncio.run(go()) == ["not_modified", "unchanged"]
    assert [r.headers.get("if-none-match") for r in http_server.requests_for("/a")] == [
        None, '"v1"', None]
