"""PIN hashing: scrypt with a per-operator random salt, constant-time comparison."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from inspector.errors import UserError

_N, _R, _P, _LEN = 2**14, 8, 1, 32
MIN_PIN_LENGTH = 4


def validate_pin(pin: str) -> str:
    """A PIN must be at least 4 characters without surrounding spaces."""
    if not isinstance(pin, str) or len(pin.strip()) < MIN_PIN_LENGTH:
        raise UserError(f"a PIN must have at least {MIN_PIN_LENGTH} characters")
    if pin != pin.strip():
        raise UserError("a PIN must not start or end with spaces")
    try:
        pin.encode()
    except UnicodeEncodeError:  # bytes that are not text (a terminal in another encoding)
        raise UserError("a PIN must be made of characters that can be typed again; "
                        "use letters and digits") from None
    return pin


def hash_pin(pin: str) -> str:
    """Return ``scrypt$n$r$p$salt$hash`` (hex) for storage."""
    validate_pin(pin)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_LEN)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    """True if ``pin`` matches the stored hash; compares in constant time."""
    try:
        algo, n, r, p, salt_hex, hash_hex = stored.split("$")
        if algo != "scrypt":
            return False
        expected = bytes.fromhex(hash_hex)
        digest = hashlib.scrypt(
            pin.encode(), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r), p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)
