"""The least a re-check of bench/vs_urlwatch.py's pages can cost in Python with httpx.

    .venv/bin/python bench/recheck_floor.py                # N=1000, 3 rounds
    .venv/bin/python bench/recheck_floor.py --n 200 --rounds 1

The same site, server, mutation and timing as bench/vs_urlwatch.py, but the re-check is
done by a bare client that does only what any re-check must: start the interpreter, import
asyncio, httpx and lxml, send every conditional GET (If-None-Match, 8 at a time, through
monitor's own lean transport, `monitor.transport.GuardedTransport`, which costs about a
third of httpx's default one), and parse the HTML of each page that changed. It extracts
nothing, makes no claims, compares nothing and stores nothing.

Its wall time is a floor for `monitor check` on this machine: monitor cannot re-check the
pages faster than it can fetch them and parse the changed ones. Compare it with a fifth of
urlwatch's re-check time (bench/vs_urlwatch.py) to see whether a 5x lead is possible.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def client(urls_file: Path, etags_file: Path, record: bool) -> None:
    """GET every URL (conditionally, with the saved ETags, unless `record`) and parse each
    200 answer's HTML; on `record`, save the ETags."""
    import asyncio

    import httpx
    from lxml import html as lxml_html

    from monitor.transport import GuardedTransport

    urls = json.loads(urls_file.read_text())
    etags = {} if record else json.loads(etags_file.read_text())
    found: dict[str, str] = {}

    async def main() -> None:
        limit = asyncio.Semaphore(8)
        transport = GuardedTransport(allow_private=True)
        async with httpx.AsyncClient(transport=transport) as http:
            async def one(url: str) -> None:
                headers = {"If-None-Match": etags[url]} if url in etags else {}
                async with limit:
                    response = await http.get(url, headers=headers)
                if response.status_code == 200:
                    lxml_html.document_fromstring(response.text)
                    found[url] = response.headers.get("etag", "")

            await asyncio.gather(*(one(u) for u in urls))

    asyncio.run(main())
    if record:
        etags_file.write_text(json.dumps(found))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="pages (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="site seed (default 1)")
    parser.add_argument("--client", nargs=2, type=Path, metavar=("URLS", "ETAGS"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--record", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        client(*args.client, record=args.record)
        return 0

    import newspages
    import vs_urlwatch as bench

    work = Path(tempfile.mkdtemp(prefix="bench-recheck-floor-"))
    site_root = work / "site"
    server: bench.Server | None = None
    walls: list[float] = []
    cpus: list[float] = []
    try:
        for number in range(1, args.rounds + 1):
            site = newspages.Site(args.n, args.seed)
            site.write(site_root)
            if server is None:
                server = bench.Server(site_root)
            server.reload()
            urls, etags = work / "urls.json", work / "etags.json"
            urls.write_text(json.dumps(site.urls(server.base)))
            cmd = [sys.executable, str(Path(__file__).resolve()), "--client", str(urls),
                   str(etags)]
            env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
            bench.measure("floor", "record", [*cmd, "--record"], cwd=work, env=env,
                          output=work / "record.out", server_pid=server.proc.pid)
            mutation = site.mutate(number)
            site.write(site_root, only=mutation.article + mutation.boilerplate)
            server.reload()
            server.stats()
            bench.wait_quiet(60)
            run = bench.measure("floor", "recheck", cmd, cwd=work, env=env,
                                output=work / "recheck.out", server_pid=server.proc.pid)
            answers = server.stats()
            if run.exit_code != 0:
                raise SystemExit((work / "recheck.out").read_text()[-2000:])
            walls.append(run.wall)
            cpus.append(run.cpu)
            print(f"round {number}: re-check wall {run.wall:.2f} s, CPU {run.cpu:.2f} s, "
                  f"answers {answers}", flush=True)
    finally:
        if server is not None:
            server.stop()
    print(f"floor of a re-check of {args.n} pages (median of {len(walls)}): "
          f"wall {statistics.median(walls):.2f} s, CPU {statistics.median(cpus):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
