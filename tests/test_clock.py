"""The stored text form of a time: utc_iso and parse_time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from monitor.clock import parse_time, utc_iso, utcnow


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2024, 12, 8, 21, 0, tzinfo=UTC), "2024-12-08T21:00:00Z"),
        (datetime(2024, 12, 8, 21, 0, 5, 999999, tzinfo=UTC), "2024-12-08T21:00:05Z"),
        (datetime(2024, 12, 9, 0, 30, tzinfo=timezone(timedelta(hours=3))),
         "2024-12-08T21:30:00Z"),
    ],
    ids=["utc", "microseconds-dropped", "offset-converted"],
)
def test_utc_iso(moment: datetime, text: str) -> None:
    assert utc_iso(moment) == text


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2024-12-08T21:00:00Z", datetime(2024, 12, 8, 21, 0, tzinfo=UTC)),
        ("2024-12-08T21:00:00", datetime(2024, 12, 8, 21, 0, tzinfo=UTC)),
        ("2024-12-09T00:00:00+03:00", datetime(2024, 12, 8, 21, 0, tzinfo=UTC)),
    ],
    ids=["z", "naive-is-utc", "offset"],
)
def test_parse_time(text: str, moment: datetime) -> None:
    parsed = parse_time(text)
    assert parsed == moment and parsed.tzinfo is not None


def test_round_trip_and_now() -> None:
    now = utcnow()
    assert now.tzinfo is UTC
    assert parse_time(utc_iso(now)) == now.replace(microsecond=0)
