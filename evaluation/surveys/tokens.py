"""Personal answer links. A token is 32 bytes from `secrets` (256 bits), written as 43 URL-safe
characters; only its SHA-256 is stored, so a copy of the database opens no questionnaire. Each
sending (invitation, reminder) draws a new token: the latest e-mail's link is the one that works."""

import hashlib
import secrets

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 64


def token_draw() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
