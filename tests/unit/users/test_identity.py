"""Reading the caller from Cognito authorizer claims."""

import pytest

from sample_api.errors import Unauthorized
from sample_api.identity import caller_from_claims, parse_groups

pytestmark = pytest.mark.domain("users")


@pytest.mark.parametrize(
    ("claim", "groups"),
    [
        (None, set()),
        ("", set()),
        ("admins", {"admins"}),
        ("admins,editors", {"admins", "editors"}),
        ("[admins editors]", {"admins", "editors"}),
        ('["admins", "editors"]', {"admins", "editors"}),
        (["admins", "editors"], {"admins", "editors"}),
        ("[]", set()),
    ],
)
def test_groups_are_read_from_every_claim_form(claim, groups):
    assert parse_groups(claim) == groups


def test_caller_carries_sub_and_admin_membership():
    caller = caller_from_claims({"sub": "abc", "cognito:groups": "editors,admins"})

    assert caller.sub == "abc"
    assert caller.is_admin


@pytest.mark.parametrize("claims", [None, {}, {"sub": ""}, {"sub": 5}])
def test_claims_without_a_sub_are_unauthorized(claims):
    with pytest.raises(Unauthorized):
        caller_from_claims(claims)
