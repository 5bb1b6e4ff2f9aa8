"""What the `monitor` command modules share: the lazily opened settings and store (`Env`)
and plain-text table formatting.

Light on purpose: every command module imports it, and `monitor --help` must stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from .clock import utcnow
from .config import Settings, load_settings
from .models import ChangeType

if TYPE_CHECKING:  # imported inside the methods: sqlite-utils is not needed for --help
    from .outbox import Outbox
    from .store import Store

CHANGE_TYPES = [t.value for t in ChangeType]


class Env:
    """Settings and the store, opened on first use so `--help` and `extract` stay fast."""

    def __init__(self, config: str | None, db: str | None) -> None:
        self._config, self._db = config, db
        self._settings: Settings | None = None
        self._store: Store | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self._config, self._db)
        return self._settings

    def store(self) -> Store:
        """The store, with the config's sources and webhooks synced into it."""
        if self._store is None:
            from .endpoints import sync_config_webhooks
            from .store import Store

            self._store = Store(self.settings.db_path)
            self._store.sync_config_sources(self.settings.sources, now=utcnow())
            sync_config_webhooks(self._store, self.settings.webhooks, now=utcnow())
        return self._store

    def outbox(self) -> Outbox:
        """The store's alert outbox, which also keeps the webhook endpoints."""
        from .outbox import Outbox

        return Outbox(self.store())


pass_env = click.make_pass_decorator(Env)


def clip(text: str | None, width: int) -> str:
    """`text` on one line (runs of white space folded), cut to `width` with "…"."""
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> None:
    """Echo `rows` under `header` in left-aligned columns two spaces apart."""
    cells = [tuple(str(c) for c in header)] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for row in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def stamp(iso: str | None) -> str:
    """A stored UTC time for a table: "2024-12-08 21:00:00"; "-" for None."""
    return iso.replace("T", " ").rstrip("Z") if iso else "-"
