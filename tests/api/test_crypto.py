"""Crypto of the client checked against values computed here directly with hashlib/hmac/cryptography."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
import pytest

from custom_components.jdownloader.api import Secrets
from custom_components.jdownloader.api.crypto import (
    decrypt,
    derive_secret,
    encrypt,
    sign,
    update_token,
)

EMAIL = "User@Example.COM"
PASSWORD = "pä$$ wörd"
SESSION_TOKEN = "0123456789abcdef0123456789abcdef01234567"


def _reference_encrypt(token: bytes, plaintext: bytes) -> str:
    padder = padding.PKCS7(128).padder()
    data = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(token[16:]), modes.CBC(token[:16])).encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode()


def test_secrets_match_protocol_definition() -> None:
    """loginSecret/deviceSecret = SHA256(lower(email) + password + domain)."""
    secrets = Secrets.from_password(EMAIL, PASSWORD)
    expected_login = hashlib.sha256(("user@example.com" + PASSWORD + "server").encode()).digest()
    expected_device = hashlib.sha256(("user@example.com" + PASSWORD + "device").encode()).digest()
    assert secrets.login_secret == expected_login
    assert secrets.device_secret == expected_device
    assert derive_secret(EMAIL, PASSWORD, "device") == expected_device
    # Lower-casing applies to the e-mail only, never to the password.
    assert derive_secret("A@B.C", "X", "server") == hashlib.sha256(b"a@b.cXserver").digest()


def test_secrets_hex_round_trip_and_repr_hides_bytes() -> None:
    secrets = Secrets.from_password(EMAIL, PASSWORD)
    stored = secrets.to_hex()
    assert stored == {
        "login_secret": secrets.login_secret.hex(),
        "device_secret": secrets.device_secret.hex(),
    }
    assert Secrets.from_hex(stored) == secrets
    text = repr(secrets) + str(secrets)
    assert secrets.login_secret.hex() not in text
    assert repr(secrets.login_secret) not in text
    with pytest.raises(ValueError, match="32 bytes"):
        Secrets.from_hex({"login_secret": "00", "device_secret": "11"})


def test_update_token_hashes_raw_session_token_bytes() -> None:
    old = hashlib.sha256(b"old").digest()
    expected = hashlib.sha256(old + bytes.fromhex(SESSION_TOKEN)).digest()
    assert update_token(old, SESSION_TOKEN) == expected
    # Hashing the hex text instead of its bytes would be a classic interop bug.
    assert update_token(old, SESSION_TOKEN) != hashlib.sha256(old + SESSION_TOKEN.encode()).digest()
    with pytest.raises(ValueError, match="hexadecimal"):
        update_token(old, "not hex")


def test_encrypt_uses_first_half_as_iv_and_second_half_as_key() -> None:
    token = bytes(range(32))
    plaintext = b'{"url":"/device/ping","params":[],"rid":1,"apiVer":1}'
    assert encrypt(token, plaintext) == _reference_encrypt(token, plaintext)
    swapped = token[16:] + token[:16]
    assert encrypt(token, plaintext) != _reference_encrypt(swapped, plaintext)
    assert decrypt(token, _reference_encrypt(token, plaintext)) == plaintext
    assert decrypt(token, _reference_encrypt(token, plaintext).encode()) == plaintext


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 1000])
def test_encrypt_decrypt_round_trip_all_padding_lengths(size: int) -> None:
    token = hashlib.sha256(b"t").digest()
    plaintext = bytes(range(256)) * 4
    plaintext = plaintext[:size]
    assert decrypt(token, encrypt(token, plaintext)) == plaintext
    assert len(base64.b64decode(encrypt(token, plaintext))) == (size // 16 + 1) * 16


@pytest.mark.parametrize("body", ["", "not base64 !!", base64.b64encode(b"short").decode()])
def test_decrypt_rejects_garbage(body: str) -> None:
    with pytest.raises(ValueError, match=r"(?i)base64|block size|padding"):
        decrypt(bytes(32), body)


def test_decrypt_with_wrong_token_fails_padding_or_differs() -> None:
    token = hashlib.sha256(b"right").digest()
    wrong = hashlib.sha256(b"wrong").digest()
    body = encrypt(token, b'{"data":true}')
    try:
        assert decrypt(wrong, body) != b'{"data":true}'
    except ValueError:
        pass  # bad padding is the usual outcome


def test_sign_is_lowercase_hex_hmac_sha256_of_query() -> None:
    key = hashlib.sha256(b"key").digest()
    query = "/my/connect?email=user%40example.com&appkey=ha_jdownloader&rid=1"
    expected = hmac.new(key, query.encode(), hashlib.sha256).hexdigest()
    assert sign(key, query) == expected
    assert sign(key, query) == sign(key, query).lower()
    assert len(sign(key, query)) == 64
