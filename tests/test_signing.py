"""Standard Webhooks signing, checked with the `standardwebhooks` package's own receiver."""

from __future__ import annotations

import base64
import time

import pytest
from standardwebhooks.webhooks import Webhook as Receiver
from standardwebhooks.webhooks import WebhookVerificationError

from monitor.errors import UsageError
from monitor.signing import SecretError, decode_secret, generate_secret, sign, signature_headers

# The specification's published test vector (also in the standardwebhooks libraries' tests).
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TS = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIG = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_sign_reproduces_the_specification_vector() -> None:
    assert sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TS, VECTOR_BODY) == VECTOR_SIG


def test_generated_secrets_are_32_random_bytes() -> None:
    first, second = generate_secret(), generate_secret()
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first[6:], validate=True)) == 32
    assert len(decode_secret(first)) == 32
    assert first != second


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        b"",
        '{"claim":"Zürich – 3 000 «prisoners» 🚨"}'.encode(),
        b'{"claim":"<!channel> <https://evil|x> {{7*7}}"}',
        b'{"claim":"' + b"x" * 200_000 + b'"}',
    ],
    ids=["empty-object", "empty", "unicode", "hostile", "large"],
)
def test_the_reference_receiver_accepts_our_signature(body: bytes) -> None:
    secret = generate_secret()
    headers = signature_headers(secret, "msg_abc123", int(time.time()), body)
    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert headers["webhook-id"] == "msg_abc123"
    Receiver(secret).verify(body, headers, json_parse=False)


def _tamper_body(headers: dict[str, str], body: bytes, secret: str) -> tuple:
    return headers, body.replace(b"300", b"301"), secret


def _wrong_secret(headers: dict[str, str], body: bytes, secret: str) -> tuple:
    return headers, body, generate_secret()


def _other_id(headers: dict[str, str], body: bytes, secret: str) -> tuple:
    return {**headers, "webhook-id": "msg_other"}, body, secret


def _other_timestamp(headers: dict[str, str], body: bytes, secret: str) -> tuple:
    earlier = str(int(headers["webhook-timestamp"]) - 1)
    return {**headers, "webhook-timestamp": earlier}, body, secret


def _stale(headers: dict[str, str], body: bytes, secret: str) -> tuple:
    ts = int(headers["webhook-timestamp"]) - 3600
    return signature_headers(secret, headers["webhook-id"], ts, body), body, secret


@pytest.mark.parametrize(
    "tamper",
    [_tamper_body, _wrong_secret, _other_id, _other_timestamp, _stale],
    ids=["tampered-body", "wrong-secret", "other-id", "other-timestamp", "an-hour-old"],
)
def test_the_reference_receiver_rejects(tamper) -> None:
    secret = generate_secret()
    body = b'{"claim":"At least 300 prisoners were freed."}'
    headers = signature_headers(secret, "msg_1", int(time.time()), body)
    Receiver(secret).verify(body, headers, json_parse=False)  # the untouched request passes
    headers, body, secret = tamper(headers, body, secret)
    with pytest.raises(WebhookVerificationError):
        Receiver(secret).verify(body, headers, json_parse=False)


def test_the_signature_depends_only_on_id_timestamp_and_body() -> None:
    secret = generate_secret()
    once = signature_headers(secret, "msg_1", 1_700_000_000, b"{}")
    again = signature_headers(secret, "msg_1", 1_700_000_000, b"{}")
    later = signature_headers(secret, "msg_1", 1_700_000_005, b"{}")
    assert once == again
    assert later["webhook-id"] == once["webhook-id"]
    assert later["webhook-signature"] != once["webhook-signature"]


KEY_24 = base64.b64encode(b"k" * 24).decode()
KEY_65 = base64.b64encode(b"k" * 65).decode()


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        ("", "start with 'whsec_'"),
        (KEY_24, "start with 'whsec_'"),
        ("whsec_", "0"),
        ("whsec_not*base64!sekrit", "not valid base64"),
        ("whsec_" + KEY_24[:-1], "not valid base64"),
        ("whsec_" + base64.b64encode(b"s3kr1tvalue").decode(), "24 to 64 bytes"),
        ("whsec_" + KEY_65, "24 to 64 bytes"),
    ],
    ids=["empty", "no-prefix", "empty-key", "not-base64", "bad-padding", "too-short", "too-long"],
)
def test_malformed_secrets_are_refused_without_quoting_them(secret: str, problem: str) -> None:
    with pytest.raises(SecretError) as info:
        sign(secret, "msg_1", 1_700_000_000, b"{}")
    message = str(info.value)
    assert problem in message
    key = secret.removeprefix("whsec_")
    if key:
        assert key not in message
        assert key[:8] not in message
    assert isinstance(info.value, UsageError)  # the CLI reports it as bad use (exit 2)


def test_a_secret_at_the_bounds_is_accepted() -> None:
    for size in (24, 64):
        secret = "whsec_" + base64.b64encode(bytes(range(size))).decode()
        assert decode_secret(secret) == bytes(range(size))
