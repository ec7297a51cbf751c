"""Owner tokens: whoever started a plan gets one, and only that token may cancel it.

The token is an HMAC of the generation id with the server's storage secret, so a replayed idempotent
request gets the same token again; the row keeps only its sha256, so a database dump does not hold it.
"""

import hashlib
import hmac

from settings import settings


def token_for(generation_id: str) -> str:
    secret = settings.storage_secret_value().encode()
    return hmac.new(secret, f'owner:{generation_id}'.encode(), hashlib.sha256).hexdigest()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_owner(token_hash: str | None, token: str | None) -> bool:
    if not token_hash or not token:
        return False
    return hmac.compare_digest(token_hash, hash_token(token))
