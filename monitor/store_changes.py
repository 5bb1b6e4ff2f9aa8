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
    """The latest stored version of an article."""

    id: int
    text_hash: str
    text: str
    title: str | None



class ChangeLog(StoreBase):
    """What each article said, version by version, what changed, and what is already known."""

    # -- versions and changes -----------------------------------------------------------

    def latest_version(self, source: str) -> StoredVersion | None:
        rows = list(self.db.query(
            "SELECT id, text_hash, text_z, title FROM versions WHERE source = ? "
            "ORDER BY id DESC LIMIT 1", [source]))
        if not rows:
            return None
        row = rows[0]
        return StoredVersion(row["id"], row["text_hash"], _unpack(row["text_z"]), row["title"])

    def save_version(
        self,
        source: Source,
        document: Document,
        *,
        text_hash: str,
        claims: Sequence[Claim],
        changes: Sequence[Change],
        now: datetime,
    ) -> int:
        """Store a new article version, its claims and its changes in one transaction."""
        with self.transaction():
            version_id = self.db.table("versions").insert({
                "source": source.name, "url": document.url, "fetched_at": utc_iso(now),
                "text_hash": text_hash, "title": document.title,
                "published": document.published, "author": document.author,
                "text_z": _pack(document.text),
            }).last_pk
            self.db.table("claims").insert_all(
                {"version_id": version_id, "position": c.position, "text": c.text,
                 "norm": c.norm} for c in claims
            )
            # One insert per change, to know its id: its alert deliveries are queued in this
            # same transaction (the outbox), so a crash leaves both or neither.
            change_ids = [
                int(
                    self.db.table("changes")
                    .insert(
                        {  # type: ignore[arg-type]
                            "source": source.name,
                            "url": document.url,
                            "article_title": document.title,
                            "version_id": version_id,
                            "type": change.type.value,
                            "claim": change.claim,
                            "previous_claim": change.previous_claim,
                            "baseline_claim": change.baseline_claim,
                            "baseline_source": change.baseline_source,
                            "details": json.dumps(dict(change.details), ensure_ascii=False),
                            "detected_at": utc_iso(change.detected_at or now),
                        }
                    )
                    .last_pk
                )
                for change in changes
            ]
            if change_ids:
                from .outbox import Outbox

                store = cast("Store", self)  # a ChangeLog is only ever part of a Store
                Outbox(store).enqueue(source, list(zip(change_ids, changes, strict=True)), now=now)
        return int(version_id)  # type: ignore[arg-type]

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
        rows = []
        for row in self.db.query(sql, params):
            row = dict(row)
            row["details"] = json.loads(row["details"] or "{}")
            rows.append(row)
        return rows

    def count_changes(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM changes").fetchone()[0])

    # -- baseline -----------------------------------------------------------------------

    def has_baseline_text(self, text_hash: str) -> bool:
        return bool(list(self.db.query(
            "SELECT 1 FROM baseline_documents WHERE text_hash = ?", [text_hash])))

    def add_baseline_document(
        self, *, name: str, path: str, text_hash: str, document: Document,
        claims: Sequence[Claim], now: datetime,
    ) -> int:
        """Store one baseline document and its claims atomically."""
        with self.transaction():
            doc_id = self.db.table("baseline_documents").insert({
                "name": name, "path": path, "text_hash": text_hash, "title": document.title,
                "loaded_at": utc_iso(now), "text_z": _pack(document.text),
            }).last_pk
            self.db.table("baseline_claims").insert_all(
                {"document_id": doc_id, "position": c.position, "text": c.text, "norm": c.norm}
                for c in claims
            )
        return int(doc_id)  # type: ignore[arg-type]

    def baseline_documents(self) -> list[dict[str, Any]]:
        return list(self.db.query(
            "SELECT d.id, d.name, d.path, d.title, d.loaded_at, count(c.id) AS claims "
            "FROM baseline_documents d LEFT JOIN baseline_claims c ON c.document_id = d.id "
            "GROUP BY d.id ORDER BY d.id"))

    def baseline_claims(self) -> Iterator[tuple[str, str]]:
        """(claim text, document name) for every baseline claim, in load order."""
        for row in self.db.query(
            "SELECT c.text, d.name FROM baseline_claims c "
            "JOIN baseline_documents d ON d.id = c.document_id ORDER BY c.id"
        ):
            yield row["text"], row["name"]

    def baseline_revision(self) -> int:
        """A number that changes whenever the baseline gains a claim (for caching)."""
        return int(self.db.execute("SELECT coalesce(max(id), 0) FROM baseline_claims")
                   .fetchone()[0])

