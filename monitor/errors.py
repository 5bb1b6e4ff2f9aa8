"""The exceptions `monitor` raises; every one names the input it is about.

Errors are translated where they enter (network, parser, database, config) and keep
their cause (`raise FetchError(...) from exc`).
"""

from __future__ import annotations

from datetime import datetime


class MonitorError(Exception):
    """Base class of every error `monitor` raises on purpose."""


class UsageError(MonitorError):
    """Bad input from the user (CLI argument, source definition); the CLI exits 2."""


class ConfigError(UsageError):
    """A config file is missing or invalid; `problems` lists every problem with its key."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__(f"invalid config {path}: " + "; ".join(self.problems))


class FetchError(MonitorError):
    """A source could not be fetched (network, HTTP status, size, content type, safety)."""

    def __init__(self, url: str, reason: str, *, status: int | None = None) -> None:
        self.url = url
        self.reason = reason
        self.status = status  # the HTTP status when the server answered with an error
        super().__init__(f"{url}: {reason}")


class BlockedAddressError(FetchError):
    """The URL's scheme or resolved address is not allowed by the fetch guard."""


class RobotsDisallowedError(FetchError):
    """robots.txt of the URL's host disallows fetching it (or could not be read: RFC 9309)."""


class DeferredError(FetchError):
    """The host asked us to wait (429/503 with Retry-After): nothing was sent; try at `until`.

    Not a failure of the source: the scheduler moves its due time to `until`.
    """

    def __init__(
        self, url: str, reason: str, until: datetime, *, status: int | None = None
    ) -> None:
        super().__init__(url, reason, status=status)
        self.until = until


class ExtractError(MonitorError):
    """A fetched document could not be turned into an article."""


class StorageError(MonitorError):
    """The database is unusable (cannot open, corrupt, newer schema)."""
