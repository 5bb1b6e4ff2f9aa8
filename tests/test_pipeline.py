"""One pass over many sources: every bad source is recorded, the others still get checked."""

from __future__ import annotations

import asyncio
import gzip
import time
from datetime import UTC, datetime

import httpx
import pytest

from monitor.baseline import BaselineIndex
from monitor.config import FetchSettings
from monitor.fetch import Fetcher, make_client
from monitor.models import Source
from monitor.pipeline import Checker, run_pass
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


def run(store: Store, sources: list[Source], settings: FetchSettings) -> dict[str, str]:
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
    settings = FetchSettings(timeout=1.0, max_bytes=1_000_000, allow_private=True)
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
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            checker = Checker(Store(tmp_path / "m.db"),
                              Fetcher(client, settings, resolver=resolver), BaselineIndex(),
                              clock=lambda: NOW)
            return checker, await checker.check(Source("r", "http://news.example/story"))

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


def test_baseline_cache_loads_files_once_and_rebuilds_only_on_change(tmp_path):
    from monitor.config import Settings
    from monitor.runner import BaselineCache

    folder = tmp_path / "base"
    folder.mkdir()
    (folder / "a.txt").write_text("Title\n\nRebels captured the airport of Aleppo on Friday.\n")
    settings = Settings(db_path=tmp_path / "m.db", baseline_paths=(folder,))
    store = Store(settings.db_path)
    cache = BaselineCache()
    first = cache.sync(settings, store)
    assert len(first) == 1
    assert cache.sync(settings, store) is first  # nothing changed: same index object
    (folder / "b.txt").write_text("Title\n\nThe army said it had withdrawn from Hama.\n")
    second = cache.sync(settings, store)
    assert second is not first and len(second) == 2
    assert len(store.baseline_documents()) == 2
