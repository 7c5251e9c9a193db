"""The JWKS cache: kept across invocations, refetched on rotation at most once per window,
serving cached keys while the issuer is down, dropping keys the issuer withdrew.

The issuer is an in-memory fake and the cache's clock a fake clock: no network, no sleeps.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from authorizers.jwt_authorizer.app import Unauthorized
from authorizers.jwt_authorizer.jwks import (
    JWKS_MAX_AGE_SECONDS,
    JWKS_REFETCH_WINDOW_SECONDS,
    MAX_JWKS_BYTES,
    JwksCache,
    fetch_jwks,
    signing_keys_from_jwks,
)
from tests.unit.authorizers.fakes import (
    KID,
    POST_PRODUCTS,
    FakeClock,
    FakeIssuer,
    policy_allows,
    public_jwk,
    token_event,
)

pytestmark = pytest.mark.domain("jwt-authorizer")

NEXT_KID = "signing-key-2"


def test_keys_are_fetched_once_and_reused_across_invocations(authorizer, mint, issuer):
    # Given a cold authorizer
    # When it verifies three tokens in a row
    for _ in range(3):
        authorizer.authorize(token_event(mint()))

    # Then the JWKS was fetched once
    assert issuer.fetches == 1


def test_rotated_key_is_fetched_when_a_token_names_its_kid(
    authorizer, mint, issuer: FakeIssuer, signing_key, second_key
):
    # Given a warm cache, then the issuer rotates to a new key
    authorizer.authorize(token_event(mint()))
    issuer.publish((signing_key, KID), (second_key, NEXT_KID))

    # When a token signed with the new key arrives, right after the last fetch
    policy = authorizer.authorize(
        token_event(mint(key=second_key, header={"kid": NEXT_KID}), POST_PRODUCTS)
    )

    # Then the cache refetched once and the token is accepted
    assert policy_allows(policy, POST_PRODUCTS)
    assert issuer.fetches == 2


def test_unknown_kid_refetches_at_most_once_per_window(
    authorizer, mint, issuer: FakeIssuer, clock: FakeClock, second_key
):
    # Given a warm cache (first fetch at the start of the window)
    authorizer.authorize(token_event(mint()))
    clock.advance(JWKS_REFETCH_WINDOW_SECONDS)

    # When many tokens with made-up kids arrive within one window
    for attempt in range(5):
        with pytest.raises(Unauthorized):
            authorizer.authorize(
                token_event(mint(key=second_key, header={"kid": f"made-up-{attempt}"}))
            )

    # Then the issuer was asked again only once
    assert issuer.fetches == 2


def test_unknown_kid_may_refetch_again_after_the_window(
    authorizer, mint, issuer: FakeIssuer, clock: FakeClock, second_key
):
    # Given a refetch for an unknown kid has just happened
    authorizer.authorize(token_event(mint()))
    clock.advance(JWKS_REFETCH_WINDOW_SECONDS)
    with pytest.raises(Unauthorized):
        authorizer.authorize(token_event(mint(key=second_key, header={"kid": NEXT_KID})))

    # When the issuer then publishes that kid and a window has passed
    issuer.publish((second_key, NEXT_KID))
    clock.advance(JWKS_REFETCH_WINDOW_SECONDS)
    policy = authorizer.authorize(token_event(mint(key=second_key, header={"kid": NEXT_KID})))

    # Then the key is fetched and the token accepted
    assert policy_allows(policy, POST_PRODUCTS)
    assert issuer.fetches == 3


def test_cached_key_keeps_working_while_the_issuer_is_down(
    authorizer, mint, issuer: FakeIssuer, clock: FakeClock
):
    # Given a warm cache whose keys are past their max age, and an issuer that is down
    authorizer.authorize(token_event(mint()))
    clock.advance(JWKS_MAX_AGE_SECONDS + 1)
    issuer.down = True

    # When a token signed with the cached key arrives
    policy = authorizer.authorize(token_event(mint()))

    # Then the refresh was tried, failed, and the cached key was used
    assert policy_allows(policy, POST_PRODUCTS)
    assert issuer.fetches == 2


def test_issuer_outage_is_not_retried_within_the_window(
    authorizer, mint, issuer: FakeIssuer, clock: FakeClock
):
    # Given a stale cache and an issuer that is down
    authorizer.authorize(token_event(mint()))
    clock.advance(JWKS_MAX_AGE_SECONDS + 1)
    issuer.down = True

    # When several tokens arrive within one window
    for _ in range(4):
        authorizer.authorize(token_event(mint()))

    # Then the issuer was tried once in that window, not on every request
    assert issuer.fetches == 2


def test_issuer_down_at_cold_start_is_unauthorized(authorizer, mint, issuer: FakeIssuer):
    # Given a cold authorizer and an issuer that is down
    issuer.down = True

    # When a token arrives
    # Then it cannot be verified and is refused, with one fetch attempt
    with pytest.raises(Unauthorized):
        authorizer.authorize(token_event(mint()))
    assert issuer.fetches == 1


def test_key_withdrawn_by_the_issuer_stops_working_after_max_age(
    authorizer, mint, issuer: FakeIssuer, clock: FakeClock, second_key
):
    # Given a warm cache, then the issuer withdraws the old key and publishes only a new one
    authorizer.authorize(token_event(mint()))
    issuer.publish((second_key, NEXT_KID))

    # When a token signed with the old key arrives after the cache's max age
    clock.advance(JWKS_MAX_AGE_SECONDS + 1)

    # Then it is refused
    with pytest.raises(Unauthorized):
        authorizer.authorize(token_event(mint()))


def test_empty_jwks_from_the_issuer_keeps_the_cached_keys(
    authorizer, mint, issuer: FakeIssuer, clock: FakeClock
):
    # Given a warm cache, then the issuer serves a JWKS with no keys
    authorizer.authorize(token_event(mint()))
    issuer.jwks = {"keys": []}
    clock.advance(JWKS_MAX_AGE_SECONDS + 1)

    # When a token signed with the cached key arrives
    policy = authorizer.authorize(token_event(mint()))

    # Then the empty answer is treated like an outage and the cached key still works
    assert policy_allows(policy, POST_PRODUCTS)


def test_jwks_keeps_only_usable_rs256_signing_keys(signing_key):
    # Given a JWKS mixing a good key with entries that must not be trusted
    weak_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - weak on purpose
    good = public_jwk(signing_key, "good")
    document = {
        "keys": [
            good,
            {**public_jwk(weak_key, "weak")},
            {**public_jwk(signing_key, "encryption"), "use": "enc"},
            {**public_jwk(signing_key, "rs512"), "alg": "RS512"},
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            {key: value for key, value in good.items() if key != "kid"},
            {**public_jwk(signing_key, "broken"), "n": "!!!"},
            "not-an-object",
        ]
    }

    # When the signing keys are read out of it
    keys = signing_keys_from_jwks(document)

    # Then only the good key is kept
    assert list(keys) == ["good"]


@pytest.mark.parametrize("document", [None, [], "keys", {"keys": "none"}, {}])
def test_jwks_that_is_not_a_key_set_yields_no_keys(document):
    # Given / When a JWKS document of the wrong shape is read
    # Then it yields no keys
    assert signing_keys_from_jwks(document) == {}


def test_fetch_jwks_parses_the_json_document():
    # Given a JWKS served from a data: URL (urllib's own handler, no network)
    document = {"keys": [{"kty": "RSA", "kid": "k"}]}
    url = "data:application/json," + quote(json.dumps(document))

    # When it is fetched
    # Then the parsed document comes back
    assert fetch_jwks(url) == document


def test_fetch_jwks_refuses_an_oversized_document():
    # Given a JWKS document larger than the stated bound
    url = "data:application/json," + quote(json.dumps({"keys": ["x" * MAX_JWKS_BYTES]}))

    # When / Then it is refused
    with pytest.raises(ValueError, match="too large"):
        fetch_jwks(url)


def test_fetch_failure_in_a_fresh_cache_yields_no_key():
    # Given a cache whose fetch always fails
    def failing_fetch() -> object:
        raise TimeoutError

    cache = JwksCache(failing_fetch, clock=FakeClock())

    # When / Then a key lookup answers None instead of raising
    assert cache.signing_key(KID) is None
