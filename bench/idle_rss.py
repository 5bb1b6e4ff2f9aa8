#!/usr/bin/env python3
"""Memory of `monitor run` holding many sources while idle, and CLI start-up times.

    .venv/bin/python bench/idle_rss.py                       # 10,000 sources, first checks run
    .venv/bin/python bench/idle_rss.py --mode unchecked      # sources made not due at once
    .venv/bin/python bench/idle_rss.py --sources 2000 --sample 20

What it does:
  1. serves `--pages` realistic news pages (bench/newspages.py) on 127.0.0.1; the
     `--sources` page sources point at them (source k at page k mod pages, through a
     distinct URL: `c<k>-` before the last path segment, which the server ignores);
  2. creates a database with `monitor sources import` (timed), the config setting a long
     default interval (1 day) so that once checked nothing is due again soon, and the fetch
     settings of bench/vs_urlwatch.py (one local host: per_host = 16, host_delay = 0,
     robots = false, allow_private = true);
  3. `--mode checked` (default): starts `monitor run` and lets the service itself make the
     first check of every source (extraction, claims, versions stored), then waits until
     every source has been checked and nothing has happened for `--settle` seconds: the
     idle state of a service that holds 10,000 tracked articles.
     `--mode unchecked`: gives every source a due time far in the future (written into the
     database before the start), so the service is idle from the start: the cost of
     holding the sources alone, without their history;
  4. samples the RSS of the service's process tree every 0.5 s over `--sample` seconds of
     idleness and prints the peak (the kernel's VmHWM high-water mark, over the whole run
     including the checking phase) and the steady figure (median over the idle window);
  5. stops it with SIGTERM (shutdown time printed) and times `monitor --help` and
     `monitor sources list` (on this database and on an empty one), 5 runs each.

Targets (issue 4): the service holding 10,000 sources under 200 MB RSS while idle; every
CLI command starting in under 0.5 s.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import newspages  # noqa: E402

TARGET_IDLE_MB = 200.0
TARGET_START_S = 0.5


def tree_pids(pid: int) -> list[int]:
    """`pid` and all its descendants (from /proc/<pid>/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            with contextlib.suppress(OSError):  # the task ended meanwhile
                todo.extend(int(c) for c in (task / "children").read_text().split())
    return out


def status_kb(pid: int, field: str) -> int:
    """A `kB` field (VmRSS, VmHWM) of /proc/<pid>/status; 0 if the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(pid: int) -> int:
    return sum(status_kb(p, "VmRSS") for p in tree_pids(pid))


def tree_hwm_kb(pid: int) -> int:
    """Sum of the high-water marks of the tree's processes (an upper bound of its peak)."""
    return sum(status_kb(p, "VmHWM") for p in tree_pids(pid))


def db_counts(db: Path) -> tuple[int, int, int]:
    """(sources, sources checked at least once, fetch-log rows)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        total = conn.execute("SELECT count(*) FROM sources").fetchone()[0]
        checked = conn.execute(
            "SELECT count(*) FROM source_state WHERE last_checked IS NOT NULL").fetchone()[0]
        log = conn.execute("SELECT coalesce(max(id), 0) FROM fetch_log").fetchone()[0]
    finally:
        conn.close()
    return int(total), int(checked), int(log)


def time_command(cmd: list[str], *, cwd: Path, env: dict[str, str], runs: int = 5) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr[-1000:]}")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=10_000, help="page sources (10000)")
    parser.add_argument("--pages", type=int, default=1000,
                        help="distinct pages they point at (1000)")
    parser.add_argument("--mode", choices=("checked", "unchecked"), default="checked",
                        help="let the service check every source first (default), or make "
                        "them not due")
    parser.add_argument("--sample", type=float, default=60.0,
                        help="seconds of idle RSS sampling (60)")
    parser.add_argument("--settle", type=float, default=10.0,
                        help="seconds without a new check that count as idle (10)")
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="give up waiting for the first checks after this long (1800)")
    parser.add_argument("--monitor-src", type=Path, metavar="DIR",
                        help="run monitor from the source tree DIR with .venv's Python "
                        "(default: .venv/bin/monitor, the working tree)")
    parser.add_argument("--workdir", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)

    python = REPO / ".venv" / "bin" / "python"
    exe = [str(python), "-m", "monitor"] if args.monitor_src else [
        str(REPO / ".venv" / "bin" / "monitor")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    if args.monitor_src:
        env["PYTHONPATH"] = str(args.monitor_src.resolve())
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-idle-rss-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"idle RSS of `monitor run`: {args.sources} sources over {args.pages} pages, mode "
          f"{args.mode}; monitor: {' '.join(exe)}"
          + (f" (PYTHONPATH={env['PYTHONPATH']})" if args.monitor_src else "")
          + f"; work folder {work}", flush=True)

    site = newspages.Site(args.pages)
    site.write(work / "site")
    server = subprocess.Popen([sys.executable, str(HERE / "newspages.py"), "serve",
                               str(work / "site")], stdout=subprocess.PIPE, text=True)
    service: subprocess.Popen[bytes] | None = None
    try:
        assert server.stdout is not None
        base = f"http://127.0.0.1:{int(server.stdout.readline().split()[1])}"
        mon = work / "monitor"
        mon.mkdir(exist_ok=True)
        config = mon / "monitor.toml"
        config.write_text(
            '[storage]\npath = "monitor.db"\n\n[fetch]\nallow_private = true\nper_host = 16\n'
            "host_delay = 0\nrobots = false\n\n[schedule]\ninterval = \"1d\"\n\n"
            f'[baseline]\npaths = ["{REPO / "seeds"}"]\n')
        (mon / "urls.txt").write_text("\n".join(site.copy_urls(base, args.sources)) + "\n")
        db = mon / "monitor.db"

        def cli(*more: str) -> list[str]:
            return [*exe, "--config", str(config), *more]

        started = time.perf_counter()
        done = subprocess.run(cli("sources", "import", "urls.txt"), cwd=mon, env=env,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"import failed: {done.stdout[-500:]}{done.stderr[-1500:]}")
        total = db_counts(db)[0]
        print(f"sources import: {total} sources in {time.perf_counter() - started:.2f} s "
              f"({done.stdout.strip().splitlines()[-1]})", flush=True)
        if total != args.sources:
            raise SystemExit(f"imported {total} of {args.sources} sources")
        if args.mode == "unchecked":
            conn = sqlite3.connect(db)
            conn.execute(
                "INSERT INTO source_state (name, next_due) SELECT name, '2099-01-01T00:00:00Z' "
                "FROM sources WHERE true ON CONFLICT(name) DO UPDATE SET next_due = "
                "excluded.next_due")
            conn.commit()
            conn.close()
            print("every source's next_due set to 2099-01-01 (written into the database)")

        log_path = mon / "service.log"
        with log_path.open("wb") as log:
            service = subprocess.Popen(cli("--log-level", "info", "run"), cwd=mon, env=env,
                                       stdout=log, stderr=subprocess.STDOUT)
        t0 = time.perf_counter()
        peak_sample = 0
        last_log, last_change, last_print = -1, time.perf_counter(), 0.0
        while True:
            time.sleep(0.5)
            if service.poll() is not None:
                raise SystemExit(f"monitor run exited {service.returncode}:\n"
                                 + log_path.read_text(errors="replace")[-2000:])
            peak_sample = max(peak_sample, tree_rss_kb(service.pid))
            try:
                _, checked, log_id = db_counts(db)
            except sqlite3.Error:
                continue
            now = time.perf_counter()
            if log_id != last_log:
                last_log, last_change = log_id, now
            if now - last_print >= 15:
                last_print = now
                print(f"  {now - t0:6.0f} s: {checked}/{total} checked, RSS "
                      f"{tree_rss_kb(service.pid) / 1024:.0f} MB", flush=True)
            target = total if args.mode == "checked" else 0
            if checked >= target and now - last_change >= args.settle:
                break
            if now - t0 > args.timeout:
                raise SystemExit(f"not idle after {args.timeout:.0f} s: {checked}/{total} checked")
        idle_at = time.perf_counter() - t0
        print(f"idle after {idle_at:.0f} s ({checked}/{total} checked; no check for "
              f"{args.settle:g} s); sampling RSS for {args.sample:g} s ...", flush=True)
        samples = []
        end = time.perf_counter() + args.sample
        while time.perf_counter() < end:
            samples.append(tree_rss_kb(service.pid))
            time.sleep(0.5)
        log_after = db_counts(db)[2]
        hwm = tree_hwm_kb(service.pid)
        peak_sample = max(peak_sample, *samples)
        steady = statistics.median(samples) / 1024
        print(f"  checks during the idle window: {log_after - last_log}")
        print(f"  RSS while idle: steady (median) {steady:.1f} MB, min {min(samples) / 1024:.1f}"
              f", max {max(samples) / 1024:.1f} MB over {len(samples)} samples")
        print(f"  peak over the whole run: {hwm / 1024:.1f} MB (VmHWM), largest sample "
              f"{peak_sample / 1024:.1f} MB; processes in the tree: "
              f"{len(tree_pids(service.pid))}")
        stop_at = time.perf_counter()
        service.send_signal(signal.SIGTERM)
        try:
            code = service.wait(timeout=30)
            print(f"  SIGTERM: exited {code} after {time.perf_counter() - stop_at:.2f} s")
        except subprocess.TimeoutExpired:
            service.kill()
            service.wait()
            print("  SIGTERM: still running after 30 s; killed")
        service = None

        print("\nCLI start-up (5 runs each; wall time of the whole command):")
        empty = work / "empty"
        empty.mkdir(exist_ok=True)
        rows = [
            ("monitor --help", [*exe, "--help"], mon),
            (f"monitor sources list ({total} sources)", cli("sources", "list"), mon),
            ("monitor sources list (empty database)",
             [*exe, "--db", str(empty / "m.db"), "sources", "list"], empty),
        ]
        worst = 0.0
        for label, cmd, cwd in rows:
            times = time_command(cmd, cwd=cwd, env=env)
            worst = max(worst, statistics.median(times))
            print(f"  {label:42} median {statistics.median(times):.3f} s, "
                  f"min {min(times):.3f}, max {max(times):.3f}")

        print("\ntargets:")
        print(f"  idle RSS holding {total} sources: steady {steady:.0f} MB, peak "
              f"{hwm / 1024:.0f} MB; target < {TARGET_IDLE_MB:g} MB while idle: "
              f"{'MET' if steady < TARGET_IDLE_MB else 'NOT MET'}"
              + ("" if args.sources == 10_000 else " (the target is for 10,000 sources)"))
        print(f"  CLI start-up: slowest median {worst:.2f} s; target < {TARGET_START_S:g} s: "
              f"{'MET' if worst < TARGET_START_S else 'NOT MET'}")
    finally:
        if service is not None:
            service.kill()
            service.wait()
        server.terminate()
        server.wait(timeout=10)
        if args.keep:
            print(f"\nkept {work}")
        elif args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
