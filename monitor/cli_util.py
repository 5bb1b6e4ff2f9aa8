"""What the `monitor` command modules share: the lazily opened settings and store (`Env`),
syncing the config file into the database, and plain-text table formatting.

Light on purpose: every command module imports it, and `monitor --help` must stay fast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from .clock import utcnow
from .config import Settings, load_settings
from .errors import UsageError
from .models import ChangeType

if TYPE_CHECKING:  # imported inside the methods: sqlite-utils is not needed for --help
    from .outbox import Outbox
    from .store import Store

CHANGE_TYPES = [t.value for t in ChangeType]


CONFIG_KEY = "config_path"  # the `meta` entry naming the config file last synced


class Env:
    """Settings and the store, opened on first use so `--help` and `extract` stay fast.

    The store opens without touching the config's sources and webhooks: read-only commands
    (`status`, `changes`, the lists) never write, whatever config is around. Commands that
    check or edit sources or webhooks ask for `store(sync=True)`, which first syncs the
    loaded config file into the database (see `sync_config`); `resync` is the global
    `--resync` flag.
    """

    def __init__(self, config: str | None, db: str | None, *, resync: bool = False) -> None:
        self._config, self._db = config, db
        self.resync = resync
        self._settings: Settings | None = None
        self._store: Store | None = None
        self._synced = False

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self._config, self._db)
        return self._settings

    def store(self, *, sync: bool = False) -> Store:
        """The store; with `sync`, the loaded config file's sources and webhooks synced into
        it first (once per command; nothing when no config file was loaded). A UsageError
        when the config is not the one the database was synced from and would remove some
        of that one's sources or webhooks (see `sync_config`)."""
        if self._store is None:
            from .store import Store

            self._store = Store(self.settings.db_path)
        if sync and not self._synced:
            sync_config(self._store, self.settings, now=utcnow(), resync=self.resync)
            self._synced = True
        return self._store

    def outbox(self, *, sync: bool = False) -> Outbox:
        """The store's alert outbox, which also keeps the webhook endpoints; `sync` as for
        `store`."""
        from .outbox import Outbox

        return Outbox(self.store(sync=sync))

    def unsynced_note(self) -> str | None:
        """For a read-only command: one line saying how the loaded config file differs from
        what the database holds (read-only commands do not sync it), or None."""
        settings = self.settings
        if settings.config_path is None:
            return None
        store = self.store()
        config = str(settings.config_path.resolve())
        previous = store.get_meta(CONFIG_KEY)
        if previous is not None and previous != config:
            return (f"note: {store.path} was last synced from {previous}, not from {config}; "
                    f"its sources and webhooks are shown")
        pending = config_differences(store, settings)
        if not pending:
            return None
        return (f"note: {config} is not synced into the database yet ({', '.join(pending)}); "
                f"`monitor check` or `monitor run` syncs it")


def sync_config(store: Store, settings: Settings, *, now: datetime, resync: bool = False) -> bool:
    """Make the config file's sources and webhooks present in `store` as declared (config
    sources and webhooks gone from the file are removed, their queued alerts cancelled);
    False, and nothing done, when no config file was loaded.

    The database remembers the config file it was last synced from. Syncing another file
    that would remove some of those sources or webhooks is refused with a UsageError that
    names both files (a command run from the wrong folder, or with the wrong --config, must
    not wipe them), unless `resync`. A file that only adds or edits is synced and becomes
    the remembered one. Everything happens in one transaction.
    """
    if settings.config_path is None:
        return False
    config = str(settings.config_path.resolve())
    with store.transaction():
        previous = store.get_meta(CONFIG_KEY)
        if previous is not None and previous != config and not resync:
            lost = _removed_by(store, settings)
            if lost:
                raise UsageError(
                    f"{store.path} was last synced from {previous}; syncing {config} would "
                    f"remove {lost} defined there. Use --config {previous}, or add --resync "
                    f"to make {config} the config of this database"
                )
        store.sync_config_sources(settings.sources, now=now)
        # Nothing to add and no config webhook to remove: skip loading the webhook code.
        if settings.webhooks or store.config_names()[1]:
            from .endpoints import sync_config_webhooks

            sync_config_webhooks(store, settings.webhooks, now=now)
        store.set_meta(CONFIG_KEY, config)
    return True


def _removed_by(store: Store, settings: Settings) -> str:
    """"source a, b and webhook c": the config entries in `store` that `settings` lacks."""
    sources, hooks = store.config_names()
    parts = []
    for noun, names in (
        ("source", sorted(sources - {s.name for s in settings.sources})),
        ("webhook", sorted(hooks - {h.name for h in settings.webhooks})),
    ):
        if names:
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            parts.append(f"{noun}{'s' if len(names) > 1 else ''} {shown}")
    return " and ".join(parts)


def config_differences(store: Store, settings: Settings) -> list[str]:
    """What syncing the config would do, by name: "+new", "~edited", "-removed" sources,
    then "webhook +x"... (empty when the database holds the config as declared)."""
    stored_sources, stored_hooks = store.config_names()
    out = _differences("", settings.sources, stored_sources, store.get_source)
    if settings.webhooks:
        from .endpoints import Endpoints

        out += _differences("webhook ", settings.webhooks, stored_hooks,
                            Endpoints(store).get_webhook)
    else:  # none declared (no need to load the webhook code): only removals
        out += [f"webhook -{name}" for name in sorted(stored_hooks)]
    return out


def _differences(
    prefix: str, declared: Sequence[Any], stored: set[str], get: Callable[[str], object]
) -> list[str]:
    out = []
    for item in declared:
        existing = get(item.name)
        if existing != item:
            out.append(f"{prefix}{'+' if existing is None else '~'}{item.name}")
    return out + [f"{prefix}-{name}" for name in sorted(stored - {i.name for i in declared})]


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
