"""The Store's article versions, their claims, the change log, and the baseline.
A part of monitor.store.Store.

A version, its claims, its changes and their alert deliveries are written in one
transaction, so a crash leaves either all of it or none of it.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from .clock import utc_iso
from .models import Change, Claim, Document, Source
from .store_db import StoreBase

if TYPE_CHECKING:
    from .store import Store


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def _unpack(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


@dataclass(frozen=True)
class StoredVersion:
    """The latest stored version of an article. `claims_z` holds its claims as
    monitor.claim_codec encoded them, made by the claim engine with fingerprint `engine`
    (both None for a version stored before schema 4)."""

    id: int
    text_hash: str
    text: str
    title: str | None
    engine: str | None = None
    claims_z: bytes | None = None



class ChangeLog(StoreBase):
    """What each article said, version by version, what changed, and what is already known."""

    # -- versions and changes -----------------------------------------------------------

    def latest_version(self, source: str) -> StoredVersion | None:
        row = self.conn.execute(
            "SELECT id, text_hash, text_z, title, engine, claims_z FROM versions "
            "WHERE source = ? ORDER BY id DESC LIMIT 1", [source]).fetchone()
        if row is None:
            return None
        return StoredVersion(row[0], row[1], _unpack(row[2]), row[3], row[4], row[5])

    def save_version(
        self,
        source: Source,
        document: Document,
        *,
        text_hash: str,
        claims: Sequence[Claim],
        changes: Sequence[Change],
        now: datetime,
        engine: str | None = None,
        claims_z: bytes | None = None,
    ) -> int:
        """Store a new article version, its claims, its changes and their alert deliveries
        in one transaction (part of a check's writes: batched, see monitor.store_db).
        `claims_z` is `claims` encoded by monitor.claim_codec with engine `engine`."""
        conn = self.conn
        stamp = utc_iso(now)
        with self.batched():
            version_id = conn.execute(
                "INSERT INTO versions (source, url, fetched_at, text_hash, title, published, "
                "author, text_z, engine, claims_z) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [source.name, document.url, stamp, text_hash, document.title,
                 document.published, document.author, _pack(document.text), engine,
                 claims_z],
            ).lastrowid
            conn.executemany(
                "INSERT INTO claims (version_id, position, text, norm) VALUES (?, ?, ?, ?)",
                [(version_id, c.position, c.text, c.norm) for c in claims],
            )
            # One insert per change, to know its id: its alert deliveries are queued in this
            # same transaction (the outbox), so a crash leaves both or neither.
            change_ids = [
                int(conn.execute(
                    "INSERT INTO changes (source, url, article_title, version_id, type, claim, "
                    "previous_claim, baseline_claim, baseline_source, details, detected_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [source.name, document.url, document.title, version_id,
                     change.type.value, change.claim, change.previous_claim,
                     change.baseline_claim, change.baseline_source,
                     json.dumps(dict(change.details), ensure_ascii=False),
                     utc_iso(change.detected_at) if change.detected_at else stamp],
                ).lastrowid or 0)
                for change in changes
            ]
            # Without any endpoint there is nothing to queue (and no need to load the outbox).
            if change_ids and conn.execute("SELECT 1 FROM webhooks LIMIT 1").fetchone():
                from .outbox import Outbox

                store = cast("Store", self)  # a ChangeLog is only ever part of a Store
                Outbox(store).enqueue(source, list(zip(change_ids, changes, strict=True)), now=now)
        return int(version_id or 0)

    def changes(
        self,
        *,
        since: datetime | None = None,
        types: Iterable[str] = (),
        sources: Iterable[str] = (),
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """The change log, newest first, as plain dicts with `details` decoded."""
        where: list[str] = []
        params: list[Any] = []
        if since is not None:
            where.append("detected_at >= ?")
            params.append(utc_iso(since))
        type_list = list(types)
        if type_list:
            where.append(f"type IN ({', '.join('?' * len(type_list))})")
            params.extend(type_list)
        source_list = list(sources)
        if source_list:
            marks = ", ".join("?" * len(source_list))
            # A feed or folder name selects the articles found through it, too.
            where.append(
                f"(source IN ({marks}) OR source IN "
                f"(SELECT name FROM sources WHERE parent IN ({marks})))"
            )
            params.extend(source_list + source_list)
        sql = "SELECT * FROM changes"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY detected_at DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self._rows(sql, params)
        for row in rows:
            row["details"] = json.loads(row["details"] or "{}")
        return rows

    def count_changes(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM changes").fetchone()[0])

    # -- baseline -----------------------------------------------------------------------

    def has_baseline_text(self, text_hash: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM baseline_documents WHERE text_hash = ?", [text_hash]
        ).fetchone() is not None

    def add_baseline_document(
        self, *, name: str, path: str, text_hash: str, document: Document,
        claims: Sequence[Claim], now: datetime,
    ) -> int:
        """Store one baseline document and its claims atomically."""
        with self.transaction():
            doc_id = self.conn.execute(
                "INSERT INTO baseline_documents (name, path, text_hash, title, loaded_at, "
                "text_z) VALUES (?, ?, ?, ?, ?, ?)",
                [name, path, text_hash, document.title, utc_iso(now), _pack(document.text)],
            ).lastrowid
            self.conn.executemany(
                "INSERT INTO baseline_claims (document_id, position, text, norm) "
                "VALUES (?, ?, ?, ?)",
                [(doc_id, c.position, c.text, c.norm) for c in claims],
            )
        return int(doc_id or 0)

    def baseline_documents(self) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT d.id, d.name, d.path, d.title, d.loaded_at, count(c.id) AS claims "
            "FROM baseline_documents d LEFT JOIN baseline_claims c ON c.document_id = d.id "
            "GROUP BY d.id ORDER BY d.id")

    def baseline_claims(self) -> Iterator[tuple[str, str]]:
        """(claim text, document name) for every baseline claim, in load order."""
        yield from self.conn.execute(
            "SELECT c.text, d.name FROM baseline_claims c "
            "JOIN baseline_documents d ON d.id = c.document_id ORDER BY c.id"
        )

    def baseline_revision(self) -> int:
        """A number that changes whenever the baseline gains a claim (for caching)."""
        return int(self.conn.execute("SELECT coalesce(max(id), 0) FROM baseline_claims")
                   .fetchone()[0])

