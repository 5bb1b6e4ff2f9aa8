"""Standard Webhooks signatures (https://www.standardwebhooks.com/), sender side.

A secret is ``whsec_`` followed by the base64 of the key bytes. Each request carries
``webhook-id`` (the message id, identical on every retry: the receiver's idempotency key),
``webhook-timestamp`` (Unix seconds of this attempt) and ``webhook-signature``:
``v1,`` + base64(HMAC-SHA256(key, f"{id}.{timestamp}." + body)).

Secrets never appear in an error message, a log line or a repr.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from .errors import UsageError

SECRET_PREFIX = "whsec_"
MIN_KEY_BYTES = 24  # the specification's lower bound for a key
MAX_KEY_BYTES = 64  # its upper bound


class SecretError(UsageError):
    """A signing secret is malformed. The message describes the problem, never the secret."""


def generate_secret() -> str:
    """A new random secret: ``whsec_`` + base64 of 32 bytes from the OS's CSPRNG."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def decode_secret(secret: str) -> bytes:
    """The key bytes of a ``whsec_...`` secret; SecretError unless it is ``whsec_`` + strict
    base64 of 24 to 64 bytes."""
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX):
        raise SecretError("signing secret must start with 'whsec_'")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)
    except (binascii.Error, ValueError) as exc:
        # binascii's messages ("Incorrect padding") never quote the input
        raise SecretError("signing secret is not valid base64 after 'whsec_'") from exc
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise SecretError(
            f"signing secret must hold {MIN_KEY_BYTES} to {MAX_KEY_BYTES} bytes, "
            f"it holds {len(key)}"
        )
    return key


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,`` + base64 HMAC-SHA256 over ``f"{msg_id}.{timestamp}."`` + ``body``."""
    key = decode_secret(secret)
    content = f"{msg_id}.{int(timestamp)}.".encode() + body
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers for one request: webhook-id, webhook-timestamp,
    webhook-signature."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp)),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }
