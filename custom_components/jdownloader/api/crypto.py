"""MyJDownloader cryptography: secret derivation, token chaining, AES-128-CBC and HMAC signatures.

Every 32-byte secret or token is split into IV (first 16 bytes) and AES-128 key (last 16 bytes). The
IV is therefore fixed per session, which is a weakness of the protocol that a client has to
reproduce.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def derive_secret(email: str, password: str, domain: str) -> bytes:
    """SHA-256 of lower-cased e-mail + password + domain ("server" or "device")."""
    # Java lower-cases with Locale.ENGLISH; str.lower() agrees for the e-mail characters in use.
    return hashlib.sha256((email.lower() + password + domain).encode()).digest()


def update_token(old: bytes, session_token_hex: str) -> bytes:
    """SHA-256(old || bytes(session token)); the token is hex-decoded before hashing."""
    try:
        token = bytes.fromhex(session_token_hex)
    except ValueError as err:
        raise ValueError("session token is not hexadecimal") from err
    return hashlib.sha256(old + token).digest()


def _cipher(token32: bytes) -> Cipher[modes.CBC]:
    if len(token32) != 32:
        raise ValueError("encryption tokens are 32 bytes")
    return Cipher(algorithms.AES(token32[16:]), modes.CBC(token32[:16]))


def encrypt(token32: bytes, plaintext: bytes) -> str:
    """AES-128-CBC with PKCS#7 padding, returned as standard Base64 text."""
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = _cipher(token32).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode("ascii")


def decrypt(token32: bytes, b64: str | bytes) -> bytes:
    """Inverse of :func:`encrypt`; raises ValueError for bad Base64, length or padding."""
    try:
        raw = base64.b64decode(b64, validate=False)
    except (binascii.Error, ValueError) as err:
        raise ValueError("body is not Base64") from err
    if not raw or len(raw) % 16:
        raise ValueError("ciphertext length is not a multiple of the AES block size")
    decryptor = _cipher(token32).decryptor()
    padded = decryptor.update(raw) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def encrypted_length(plaintext_length: int) -> int:
    """Length of :func:`encrypt`'s Base64 output for a plaintext of this length (no encryption)."""
    padded = (plaintext_length // 16 + 1) * 16
    return 4 * ((padded + 2) // 3)


def sign(key: bytes, query: str) -> str:
    """Lower-case hex HMAC-SHA256 of the query string exactly as sent (path, "?", parameters)."""
    return hmac.new(key, query.encode(), hashlib.sha256).hexdigest()
