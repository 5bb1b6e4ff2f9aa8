"""Sending one message: how answers are read, what targets hide, and what `check_destination`
says about a webhook URL before any alert is sent. The worker's end-to-end tests (real
receivers, retries, deadlines, TLS) are in test_deliver.py."""

from __future__ import annotations

import asyncio

import pytest

from monitor.config import FetchSettings
from monitor.sender import Target, check_destination, classify

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.mark.parametrize("status, expected", [
    (200, "delivered"), (202, "delivered"), (204, "delivered"), (301, "retry"),
    (302, "retry"), (400, "failed"), (401, "failed"), (403, "failed"), (404, "failed"),
    (408, "retry"), (410, "gone"), (413, "failed"), (429, "retry"), (500, "retry"),
    (502, "retry"), (503, "retry"),
], ids=lambda v: str(v))
def test_classify(status, expected):
    assert classify(status) == expected


def test_target_scrubs_url_parts_and_secret_and_hides_them_from_repr():
    target = Target("https://hooks.slack.com/services/T0/B0/xyzSECRET?token=abc", SECRET)
    text = ("failed for https://hooks.slack.com/services/T0/B0/xyzSECRET?token=abc, "
            f"path /services/T0/B0/xyzSECRET, query token=abc, key {SECRET}\n next line")
    scrubbed = target.scrub(text)
    for secret in ("xyzSECRET", "token=abc", SECRET):
        assert secret not in scrubbed
        assert secret not in repr(target)
    assert "\n" not in scrubbed and "<redacted>" in scrubbed


async def private_resolver(host: str, port: int) -> list[str]:
    return ["10.1.2.3"]


async def no_such_host(host: str, port: int) -> list[str]:
    raise OSError(-2, "Name or service not known")


async def slow_resolver(host: str, port: int) -> list[str]:
    await asyncio.sleep(5)
    return ["10.1.2.3"]


HINT = "private and loopback destinations need [fetch] allow_private = true in the config"


@pytest.mark.parametrize("url, resolver, allow_private, problem", [
    ("http://127.0.0.1:8080/x/SECRETPATH", None, False,
     f"address 127.0.0.1 is not public (loopback): alerts to it would be refused and retried "
     f"for about three days; {HINT}"),
    ("https://hooks.internal.example/SECRETPATH", private_resolver, False,
     "host 'hooks.internal.example' resolves to 10.1.2.3, which is not public (private): "
     f"alerts to it would be refused and retried for about three days; {HINT}"),
    ("https://hooks.typo.example/SECRETPATH", no_such_host, False,
     "cannot resolve host 'hooks.typo.example' ([Errno -2] Name or service not known): "
     "alerts are retried until it resolves"),
    ("http://127.0.0.1:8080/x/SECRETPATH", None, True, None),
    ("https://93.184.215.14/SECRETPATH", None, False, None),
    ("https://hooks.slow.example/SECRETPATH", slow_resolver, False, None),
], ids=["loopback", "private-name", "no-such-host", "allowed", "public-literal",
        "slow-resolver"])
def test_check_destination_says_what_would_stop_alerts(url, resolver, allow_private, problem):
    got = asyncio.run(check_destination(url, FetchSettings(allow_private=allow_private),
                                        resolver=resolver, timeout=0.05))
    assert got == problem
