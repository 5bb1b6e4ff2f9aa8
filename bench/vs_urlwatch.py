#!/usr/bin/env python3
"""`monitor check` side by side with urlwatch on N local news pages (a benchmark, not a test).

    .venv/bin/python bench/vs_urlwatch.py                 # N=1000, 3 rounds
    .venv/bin/python bench/vs_urlwatch.py --n 200 --rounds 1
    .venv/bin/python bench/vs_urlwatch.py --profile /tmp/recheck.prof   # + a cProfile round

What it does, per round:
  1. writes N realistic news pages (bench/newspages.py, 60-120 KB each) and serves them from
     a local threaded HTTP server on 127.0.0.1 (strong ETags, 304 on If-None-Match, gzip);
  2. gives each tool a fresh state: monitor a config + SQLite database (sources imported
     with `monitor sources import`), urlwatch a urls.yaml (each job with the `html2text`
     filter, urlwatch's default `re` method), a config and a cache database;
  3. records once with both tools (timed, shown for information);
  4. mutates the site: 10% of the pages get an article edit (a number or a sentence), a
     disjoint 10% only boilerplate churn (counters, related and most-read links);
  5. times a full re-check by each tool (`monitor check`, a plain `urlwatch` run).
The tool that goes first alternates between rounds. Wall time is measured around the whole
process (start-up included). Peak RSS is the larger of the `ru_maxrss` that wait4()
reports (the peak of the largest single process among the tool and the descendants it
waited for: exact for one process, but not a sum) and the largest sum of VmRSS over the
tool's process tree, sampled from /proc every 50 ms (so worker processes count together;
pages they share are counted in each, as RSS does). CPU is the tool's user + system time,
its waited-for descendants included. The server runs in its own process; its
CPU time per run is shown, and so is the CPU time the rest of the machine used meanwhile
("others", from /proc/stat): on a shared machine that contention inflates wall times, so
each timed re-check first waits (up to --quiet-wait seconds) for the machine to be idle,
and the summary says how much contention there was.

It then checks that the speed is not bought with missed work: which pages monitor logged
changes for (the ~10% article edits: yes; the boilerplate-only pages: none) and what
urlwatch reported (a text differ: both sets).

urlwatch is installed from PyPI, pinned, into its own virtualenv (created once, cached at
--urlwatch-venv). Fairness note: urlwatch has no per-host throttling and does not read
robots.txt, and every page lives on one local host, so monitor runs with
`per_host = 16`, `host_delay = 0`, `robots = false` (and `allow_private = true` because
the server is on 127.0.0.1); its global concurrency stays at its default unless
--monitor-concurrency is given. urlwatch runs with its defaults (10 worker threads).

Targets (issue 4) at N = 1000 on the 2-core machine: monitor's re-check at least 5x faster
than urlwatch's, and monitor's peak RSS below urlwatch's.
"""

from __future__ import annotations

import argparse
import io
import os
import pstats
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import newspages  # noqa: E402
from idle_rss import tree_rss_kb  # noqa: E402

URLWATCH_VERSION = "2.29"
DEFAULT_VENV = Path(tempfile.gettempdir()) / "bench-urlwatch-venv"
TARGET_SPEEDUP = 5.0
TARGET_N = 1000


# --- measuring a process ----------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One measured process run."""

    tool: str
    phase: str
    wall: float  # seconds, process start to exit
    peak_rss_kb: int  # max(ru_maxrss, largest sampled RSS sum of the process tree)
    cpu: float  # user + system seconds of the process (and its waited-for descendants)
    exit_code: int
    server_cpu: float  # seconds the page server spent meanwhile
    others_cpu: float  # CPU seconds the rest of the machine spent meanwhile (contention)
    output: Path


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a live process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy since boot (all cores), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")  # minus idle, iowait


def wait_quiet(limit: float, threshold: float = 0.25) -> tuple[float, float]:
    """Wait (up to `limit` seconds) until the machine is nearly idle: under `threshold`
    cores busy over a 1 s sample. Returns (seconds waited, cores busy in the last sample)."""
    started = time.monotonic()
    while True:
        before = machine_busy()
        time.sleep(1.0)
        busy = machine_busy() - before
        waited = time.monotonic() - started
        if busy < threshold or waited >= limit:
            return waited, busy
        time.sleep(1.0)


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and its descendants every `interval` seconds.

    wait4()'s ru_maxrss is the peak of the largest single process, not of the processes
    alive together: a tool with worker processes would look smaller than it is.
    """

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))


def measure(tool: str, phase: str, cmd: list[str], *, cwd: Path, env: dict[str, str],
            output: Path, server_pid: int) -> Run:
    """Run `cmd` to completion with stdout+stderr to `output`; wall time, peak RSS, CPU."""
    server_before, busy_before = _proc_cpu(server_pid), machine_busy()
    with output.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
    busy = machine_busy() - busy_before
    server_cpu = _proc_cpu(server_pid) - server_before
    cpu = usage.ru_utime + usage.ru_stime
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return Run(tool, phase, wall, max(usage.ru_maxrss, sampler.peak_kb), cpu, proc.returncode,
               server_cpu, max(0.0, busy - cpu - server_cpu), output)


# --- the page server --------------------------------------------------------------------


class Server:
    """bench/newspages.py serving `root` in its own process."""

    def __init__(self, root: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "newspages.py"), "serve", str(root)],
            stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise SystemExit(f"page server did not start: {line!r}")
        self.base = f"http://127.0.0.1:{int(line.split()[1])}"

    def reload(self) -> int:
        return newspages.reload(self.base)

    def stats(self) -> dict[str, int]:
        """Responses since the last call (or reload)."""
        return newspages.stats(self.base, reset=True)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


# --- the tools --------------------------------------------------------------------------


def ensure_urlwatch(venv: Path, version: str) -> Path:
    """The urlwatch executable of `venv`, creating the virtualenv and installing the pinned
    urlwatch from PyPI first if needed."""
    exe, python = venv / "bin" / "urlwatch", venv / "bin" / "python"
    if exe.exists():
        got = subprocess.run([str(python), "-c", "import urlwatch; print(urlwatch.__version__)"],
                             capture_output=True, text=True).stdout.strip()
        if got == version:
            return exe
        print(f"{venv} has urlwatch {got or '?'}, want {version}: reinstalling", flush=True)
    print(f"creating {venv} with urlwatch=={version} from PyPI (once) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"urlwatch=={version}",
                    "html2text"], check=True)
    return exe


@dataclass
class MonitorSetup:
    dir: Path
    config: Path
    db: Path
    exe: list[str]
    env: dict[str, str]

    def cmd(self, *args: str) -> list[str]:
        return [*self.exe, "--config", str(self.config), *args]


def monitor_command(args: argparse.Namespace) -> list[str]:
    """`.venv/bin/monitor`, or `python -m monitor` when the code comes from --monitor-src."""
    if args.monitor_src is not None:
        return [str(args.python), "-m", "monitor"]
    return [str(args.monitor)]


def setup_monitor(root: Path, urls: list[str], exe: list[str], concurrency: int | None,
                  src: Path | None) -> MonitorSetup:
    root.mkdir(parents=True)
    conc = f"concurrency = {concurrency}\n" if concurrency else ""
    config = root / "monitor.toml"
    config.write_text(
        '[storage]\npath = "monitor.db"\n\n'
        "[fetch]\nallow_private = true   # the page server is on 127.0.0.1\n"
        "per_host = 16          # fairness: one local host, urlwatch has no per-host limit\n"
        "host_delay = 0\nrobots = false\n" + conc + "\n"
        f"[baseline]\npaths = [{str(REPO / 'seeds')!r}]\n".replace("'", '"'))
    (root / "urls.txt").write_text("\n".join(urls) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    if src is not None:  # ahead of the editable install of the working tree
        env["PYTHONPATH"] = str(src.resolve())
    setup = MonitorSetup(root, config, root / "monitor.db", exe, env)
    done = subprocess.run(setup.cmd("sources", "import", str(root / "urls.txt")), cwd=root,
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"monitor sources import failed:\n{done.stdout}{done.stderr}")
    conn = sqlite3.connect(f"file:{setup.db}?mode=ro", uri=True)
    try:
        count = conn.execute("SELECT count(*) FROM sources").fetchone()[0]
    finally:
        conn.close()
    if count != len(urls):
        raise SystemExit(f"monitor imported {count} of {len(urls)} URLs:\n{done.stdout[-1500:]}")
    return setup


@dataclass
class UrlwatchSetup:
    dir: Path
    exe: Path
    env: dict[str, str]

    def cmd(self) -> list[str]:
        d = self.dir
        return [str(self.exe), "--urls", str(d / "urls.yaml"), "--config",
                str(d / "urlwatch.yaml"), "--cache", str(d / "cache.db"), "--hooks",
                str(d / "hooks.py")]


def setup_urlwatch(root: Path, urls: list[str], exe: Path, method: str | None) -> UrlwatchSetup:
    root.mkdir(parents=True)
    filt = "  - html2text" if method is None else f"  - html2text:\n      method: {method}"
    (root / "urls.yaml").write_text("---\n".join(
        f"name: page-{i}\nurl: {u}\nfilter:\n{filt}\n" for i, u in enumerate(urls)))
    (root / "urlwatch.yaml").write_text("report:\n  stdout:\n    enabled: true\n"
                                        "    color: false\n")
    env = dict(os.environ, HOME=str(root), XDG_CONFIG_HOME=str(root / "xdg-config"),
               XDG_CACHE_HOME=str(root / "xdg-cache"))
    return UrlwatchSetup(root, exe, env)


# --- what each tool found ---------------------------------------------------------------


@dataclass
class Found:
    """Pages a tool reported as changed in the re-check, split by what was mutated."""

    article: int = 0
    boilerplate: int = 0
    other: int = 0
    detail: Counter[str] = field(default_factory=Counter)  # change types or outcomes
    errors: int = 0


def monitor_found(setup: MonitorSetup, after_change: int, after_log: int,
                  index_of: dict[str, int], mutation: newspages.Mutation) -> Found:
    """Sources with changes logged after the record, and the outcomes of the re-check."""
    db = sqlite3.connect(f"file:{setup.db}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT url, type FROM changes WHERE id > ?", [after_change]).fetchall()
        outcomes = db.execute("SELECT outcome, count(*) FROM fetch_log WHERE id > ? "
                              "GROUP BY outcome", [after_log]).fetchall()
    finally:
        db.close()
    found = Found()
    pages = {index_of[url] for url, _ in rows}
    found.detail.update(t for _, t in rows)
    _split(found, pages, mutation)
    for outcome, count in outcomes:
        found.detail[f"outcome:{outcome}"] = count
        if outcome == "error":
            found.errors = count
    return found


def monitor_marks(db: Path) -> tuple[int, int]:
    """The last change id and fetch-log id, to count what a later run adds."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        c = conn.execute("SELECT coalesce(max(id), 0) FROM changes").fetchone()[0]
        f = conn.execute("SELECT coalesce(max(id), 0) FROM fetch_log").fetchone()[0]
    finally:
        conn.close()
    return int(c), int(f)


def urlwatch_found(output: Path, mutation: newspages.Mutation) -> Found:
    """Jobs urlwatch reported as CHANGED (its summary lists each once), and errors."""
    text = output.read_text(errors="replace")
    found = Found()
    changed = {int(m) for m in re.findall(r"^\d+\. CHANGED: page-(\d+)\b", text, re.M)}
    found.errors = len(set(re.findall(r"^\d+\. ERROR: page-(\d+)\b", text, re.M)))
    _split(found, changed, mutation)
    found.detail["CHANGED"] = len(changed)
    found.detail["ERROR"] = found.errors
    return found


def _split(found: Found, pages: set[int], mutation: newspages.Mutation) -> None:
    art, boil = set(mutation.article), set(mutation.boilerplate)
    found.article = len(pages & art)
    found.boilerplate = len(pages & boil)
    found.other = len(pages - art - boil)


# --- one round --------------------------------------------------------------------------


@dataclass
class Round:
    number: int
    order: tuple[str, ...]
    runs: list[Run] = field(default_factory=list)
    found: dict[str, Found] = field(default_factory=dict)
    mutation: newspages.Mutation | None = None
    server: dict[str, dict[str, int]] = field(default_factory=dict)

    def run(self, tool: str, phase: str) -> Run:
        return next(r for r in self.runs if r.tool == tool and r.phase == phase)


def run_round(number: int, args: argparse.Namespace, work: Path, server: Server,
              urlwatch: Path, *, profile: Path | None = None) -> Round:
    site_root = work / "site"
    site = newspages.Site(args.n, args.seed)
    site.write(site_root)
    server.reload()
    server.stats()
    urls = site.urls(server.base)
    index_of = {u: i for i, u in enumerate(urls)}
    rdir = work / (f"round-{number}" if profile is None else "profile-round")
    base_exe = monitor_command(args)
    mon_exe = base_exe
    if profile is not None:
        mon_exe = [str(args.python), "-m", "cProfile", "-o", str(profile), "-m", "monitor"]
    mon = setup_monitor(rdir / "monitor", urls, base_exe, args.monitor_concurrency,
                        args.monitor_src)
    uw = setup_urlwatch(rdir / "urlwatch", urls, urlwatch, args.urlwatch_method)
    order = ("monitor", "urlwatch") if number % 2 else ("urlwatch", "monitor")
    rnd = Round(number, order)

    def go(tool: str, phase: str) -> None:
        out = rdir / f"{tool}-{phase}.out"
        if phase == "recheck" and args.quiet_wait > 0:
            waited, busy = wait_quiet(args.quiet_wait)
            if busy >= 0.25:
                print(f"  (machine still busy, {busy:.2f} cores, after waiting {waited:.0f}s; "
                      f"timing {tool} anyway)", flush=True)
        if tool == "monitor":
            exe = mon_exe if phase == "recheck" else base_exe
            cmd = [*exe, "--config", str(mon.config), "check"]
            run = measure(tool, phase, cmd, cwd=mon.dir, env=mon.env, output=out,
                          server_pid=server.proc.pid)
        else:
            run = measure(tool, phase, uw.cmd(), cwd=uw.dir, env=uw.env, output=out,
                          server_pid=server.proc.pid)
        rnd.runs.append(run)
        rnd.server[f"{tool}-{phase}"] = server.stats()
        if run.exit_code not in (0, 1) or (tool == "monitor" and run.exit_code != 0):
            tail = out.read_text(errors="replace")[-2000:]
            raise SystemExit(f"{tool} {phase} exited {run.exit_code}; output ends:\n{tail}")

    for tool in order:
        go(tool, "record")
    marks = monitor_marks(mon.db)
    rnd.mutation = site.mutate(number)
    site.write(site_root, only=rnd.mutation.article + rnd.mutation.boilerplate)
    server.reload()
    server.stats()  # counters start at zero for the re-check
    for tool in order:
        go(tool, "recheck")
    rnd.found["monitor"] = monitor_found(mon, *marks, index_of, rnd.mutation)
    rnd.found["urlwatch"] = urlwatch_found(rnd.run("urlwatch", "recheck").output, rnd.mutation)
    return rnd


# --- printing ---------------------------------------------------------------------------


def _mb(kb: int) -> float:
    return kb / 1024


def print_round(rnd: Round, n: int) -> None:
    assert rnd.mutation is not None
    print(f"\nround {rnd.number} ({' first, then '.join(rnd.order)})")
    print(f"  {'phase':8} {'tool':9} {'wall s':>7} {'peak RSS MB':>12} {'CPU s':>6} "
          f"{'server CPU s':>12} {'others CPU s':>12}  responses")
    for phase in ("record", "recheck"):
        for tool in rnd.order:
            r = rnd.run(tool, phase)
            s = rnd.server[f"{tool}-{phase}"]
            resp = " ".join(f"{k}:{v}" for k, v in s.items() if v)
            print(f"  {phase:8} {tool:9} {r.wall:7.2f} {_mb(r.peak_rss_kb):12.1f} {r.cpu:6.2f} "
                  f"{r.server_cpu:12.2f} {r.others_cpu:12.2f}  {resp}")
    m, u = rnd.found["monitor"], rnd.found["urlwatch"]
    na, nb = len(rnd.mutation.article), len(rnd.mutation.boilerplate)
    print(f"  mutated: {na} pages' article text, {nb} pages' boilerplate only "
          f"(of {n}; disjoint)")
    kinds = ", ".join(f"{v} {k}" for k, v in sorted(m.detail.items()) if ":" not in k)
    outs = ", ".join(f"{v} {k[8:]}" for k, v in sorted(m.detail.items()) if ":" in k)
    print(f"  monitor  logged changes on {m.article}/{na} article-edited pages, "
          f"{m.boilerplate}/{nb} boilerplate-only pages, {m.other} other pages "
          f"({kinds or 'none'}); check outcomes: {outs}")
    print(f"  urlwatch reported CHANGED for {u.article}/{na} article-edited pages, "
          f"{u.boilerplate}/{nb} boilerplate-only pages, {u.other} other pages; "
          f"{u.errors} errors")


def summarize(rounds: list[Round], n: int, args: argparse.Namespace) -> None:
    def figures(tool: str, phase: str) -> tuple[list[float], ...]:
        runs = [r.run(tool, phase) for r in rounds]
        return [x.wall for x in runs], [_mb(x.peak_rss_kb) for x in runs], [x.cpu for x in runs]

    print(f"\nsummary over {len(rounds)} round(s), N = {n} pages "
          "(median, and min-max across rounds)")
    print(f"  {'':18} {'monitor':>22} {'urlwatch':>22} {'urlwatch/monitor':>17}")
    med: dict[tuple[str, str], float] = {}
    for phase in ("record", "recheck"):
        for label, k in (("wall s", 0), ("CPU s", 2), ("peak RSS MB", 1)):
            cells = []
            for tool in ("monitor", "urlwatch"):
                vals = figures(tool, phase)[k]
                med[(tool, phase + label)] = statistics.median(vals)
                cells.append(f"{statistics.median(vals):8.2f} ({min(vals):.2f}-{max(vals):.2f})")
            ratio = med[("urlwatch", phase + label)] / med[("monitor", phase + label)]
            print(f"  {phase + ' ' + label:18} {cells[0]:>22} {cells[1]:>22} {ratio:16.2f}x")
    speedup = med[("urlwatch", "recheckwall s")] / med[("monitor", "recheckwall s")]
    cpu_ratio = med[("urlwatch", "recheckCPU s")] / med[("monitor", "recheckCPU s")]
    rss_m, rss_u = med[("monitor", "recheckpeak RSS MB")], med[("urlwatch", "recheckpeak RSS MB")]
    where = "" if n == TARGET_N else f" (the targets are set for N = {TARGET_N}; this is N = {n})"
    print(f"\ntargets{where}:")
    print(f"  re-check speed: urlwatch's wall time / monitor's = {speedup:.2f}x; target >= "
          f"{TARGET_SPEEDUP:g}x: {'MET' if speedup >= TARGET_SPEEDUP else 'NOT MET'} "
          f"(CPU time ratio: {cpu_ratio:.2f}x)")
    print(f"  peak RSS: monitor {rss_m:.0f} MB vs urlwatch {rss_u:.0f} MB; target below "
          f"urlwatch's: {'MET' if rss_m < rss_u else 'NOT MET'}")
    found = [r.found["monitor"] for r in rounds]
    exp = [len(r.mutation.article) for r in rounds if r.mutation]
    print(f"  work done: monitor logged changes on {sum(f.article for f in found)}/{sum(exp)} "
          f"article-edited pages and on {sum(f.boilerplate + f.other for f in found)} "
          "pages that had no article edit (want 0)")
    timed = [r.run(t, "recheck") for r in rounds for t in ("monitor", "urlwatch")]
    others = sum(x.others_cpu for x in timed)
    span = sum(x.wall for x in timed)
    print(f"  contention: other processes used {others:.1f} CPU-s during the {span:.1f} s of "
          f"timed re-checks ({others / span:.2f} cores on average)"
          + (": the wall times are inflated, rerun on a quiet machine" if others / span > 0.1
             else ""))
    conc = args.monitor_concurrency or "default (8)"
    print(f"\nfairness: monitor per_host = 16, host_delay = 0, robots = false, allow_private = "
          f"true, concurrency = {conc} (urlwatch has no per-host throttling or robots.txt; one "
          "local host); urlwatch " + URLWATCH_VERSION + " defaults (10 threads), html2text "
          f"filter method {args.urlwatch_method or 're (its default)'}. Both get the same "
          "server, gzip and ETags; wall time includes process start-up.")


def print_profile(path: Path, top: int = 25) -> None:
    buf = io.StringIO()
    stats = pstats.Stats(str(path), stream=buf)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(buf.getvalue())


# --- main -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000, help="pages (default 1000)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds; each records afresh, mutates and re-checks (default 3)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work folder (site, configs, databases, outputs)")
    parser.add_argument("--workdir", type=Path,
                        help="work folder (default: a new temporary folder)")
    parser.add_argument("--seed", type=int, default=1, help="site seed (default 1)")
    parser.add_argument("--monitor", type=Path, default=REPO / ".venv" / "bin" / "monitor",
                        help="the monitor executable (default .venv/bin/monitor)")
    parser.add_argument("--monitor-src", type=Path, metavar="DIR",
                        help="run monitor from the source tree DIR (e.g. an export of a "
                        "commit: git archive HEAD | tar -x -C DIR) with .venv's Python")
    parser.add_argument("--monitor-concurrency", type=int, default=None,
                        help="set fetch.concurrency for monitor (default: monitor's default)")
    parser.add_argument("--urlwatch-venv", type=Path, default=DEFAULT_VENV,
                        help=f"virtualenv for urlwatch (default {DEFAULT_VENV})")
    parser.add_argument("--urlwatch-method", choices=("re", "pyhtml2text", "bs4"),
                        help="html2text method for urlwatch (default: none given, i.e. 're')")
    parser.add_argument("--quiet-wait", type=float, default=60.0, metavar="SECONDS",
                        help="before each timed re-check, wait up to this long for the machine "
                        "to be nearly idle (default 60; 0: don't wait)")
    parser.add_argument("--profile", type=Path, metavar="FILE",
                        help="after the timed rounds, one more round whose monitor re-check "
                        "runs under cProfile (saved to FILE, top functions printed)")
    args = parser.parse_args(argv)
    args.python = REPO / ".venv" / "bin" / "python"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.monitor.exists():
        raise SystemExit(f"no monitor executable at {args.monitor} (run `make install`)")
    urlwatch = ensure_urlwatch(args.urlwatch_venv, URLWATCH_VERSION)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-vs-urlwatch-"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "site").mkdir(exist_ok=True)
    print(f"monitor vs urlwatch {URLWATCH_VERSION}: N = {args.n} pages, {args.rounds} round(s), "
          f"{os.cpu_count()} CPUs; work folder {work}", flush=True)
    print(f"monitor: {' '.join(monitor_command(args))}"
          + (f" with PYTHONPATH={args.monitor_src.resolve()}" if args.monitor_src else "")
          + f"; urlwatch: {urlwatch}", flush=True)
    server = Server(work / "site")
    rounds: list[Round] = []
    try:
        sizes = [len(newspages.Site(min(args.n, 50), args.seed).render(i).encode())
                 for i in range(min(args.n, 50))]
        print(f"pages: {min(sizes) // 1024}-{max(sizes) // 1024} KB of HTML "
              f"(first {len(sizes)}), served by {server.base} (Python ThreadingHTTPServer, "
              "gzip, strong ETags)", flush=True)
        for number in range(1, args.rounds + 1):
            rnd = run_round(number, args, work, server, urlwatch)
            rounds.append(rnd)
            print_round(rnd, args.n)
            sys.stdout.flush()
        summarize(rounds, args.n, args)
        if args.profile:
            print(f"\nprofile round: monitor re-check under cProfile -> {args.profile}")
            rnd = run_round(args.rounds + 1, args, work, server, urlwatch,
                            profile=args.profile.resolve())
            print_round(rnd, args.n)
            print_profile(args.profile)
    finally:
        server.stop()
        if args.keep:
            print(f"\nkept {work}")
        elif args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
