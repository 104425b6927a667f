"""An API client carrying a person's personal token, as a script would."""

import pytest
from django.test import Client

from atc.tokens.services import api_token_create


class TokenClient(Client):
    """A client that sends `Authorization: Bearer <secret>` and no session."""

    def __init__(self, secret: str, **kwargs):
        super().__init__(HTTP_AUTHORIZATION=f"Bearer {secret}", **kwargs)
        self.secret = secret


@pytest.fixture
def api_client():
    """`api_client(user)`: a token client for that person (a new token each call)."""

    def make(user, **token_kwargs) -> TokenClient:
        created = api_token_create(user=user, name="Script de test", **token_kwargs)
        client = TokenClient(created.secret)
        client.token = created.token
        return client

    return make
