"""Helpers shared by the CLI and pipeline tests."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from monitor.cli import main

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def jsonl(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    """Run `monitor ARGS` in-process; returns exit code and captured output."""
    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def article_page(title: str, paragraphs: list[str], *, extra: str = "") -> bytes:
    """A small but realistic article page: nav, share bar and related links around it."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="author" content="Staff Reporter">
<meta property="article:published_time" content="2024-12-09T10:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/politics">Politics</a></nav>
<main><article><h1>{html.escape(title)}</h1>
<div class="share">Share on Facebook Share on X</div>
{body}
</article>
<aside><h2>Related stories</h2><ul><li><a href="/a">Rebels declare victory in Damascus</a></li>
<li><a href="/b">Russia confirms asylum for the family</a></li></ul></aside>{extra}</main>
<footer>Copyright 2024 Example News</footer></body></html>""".encode()


def seed_paragraphs(name: str) -> tuple[str, list[str]]:
    """(title, body paragraphs) of a seed file whose first line is its title."""
    lines = [line.strip() for line in (SEEDS / name).read_text().splitlines() if line.strip()]
    return lines[0], lines[1:]


def write_config(path: Path, db: Path, **fetch: Any) -> Path:
    """A config on a test database that may fetch from 127.0.0.1."""
    options = {"allow_private": True, "timeout": 5.0, **fetch}
    lines = ["[storage]", f'path = "{db}"', "[baseline]", f'paths = ["{SEEDS}"]', "[fetch]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in options.items()]
    path.write_text("\n".join(lines) + "\n")
    return path
