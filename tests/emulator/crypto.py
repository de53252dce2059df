"""Protocol cryptography (docs/protocol.md §2), written independently of the client."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def derive_secret(email: str, password: str, domain: str) -> bytes:
    """SHA256(lower(email) + password + domain): the login ("server") or device ("device") secret."""
    return hashlib.sha256((email.lower() + password + domain).encode("utf-8")).digest()


def chain_token(old: bytes, session_token_hex: str) -> bytes:
    """SHA256(old || bytes(sessiontoken)): how every encryption token is derived."""
    return hashlib.sha256(old + bytes.fromhex(session_token_hex)).digest()


def _cipher(token: bytes) -> Cipher[modes.CBC]:
    # The protocol uses the first half as IV and the second half as the AES-128 key.
    return Cipher(algorithms.AES(token[16:32]), modes.CBC(token[:16]))


def encrypt(token: bytes, plaintext: bytes) -> bytes:
    """Base64(AES-128-CBC(PKCS7(plaintext))) as ASCII bytes."""
    padder = padding.PKCS7(128).padder()
    data = padder.update(plaintext) + padder.finalize()
    enc = _cipher(token).encryptor()
    return base64.b64encode(enc.update(data) + enc.finalize())


def decrypt(token: bytes, b64: bytes | str) -> bytes:
    """Inverse of encrypt; raises ValueError on anything that is not valid ciphertext."""
    raw = base64.b64decode(b64, validate=True)
    if not raw or len(raw) % 16:
        raise ValueError("not a whole number of AES blocks")
    dec = _cipher(token).decryptor()
    data = dec.update(raw) + dec.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(data) + unpadder.finalize()


def sign(key: bytes, text: str) -> str:
    """Lower-case hex HMAC-SHA256 over the query string as sent."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def signature_ok(key: bytes, text: str, signature: str) -> bool:
    return hmac.compare_digest(sign(key, text), signature.lower())
