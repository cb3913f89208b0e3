"""``rating.rating``: rating any record 1 to 5 with a comment, as oneself, once per
customer and record (again replaces), posted on the record's chatter."""
from __future__ import annotations

import pytest

from core.exceptions import AccessError, ValidationError


@pytest.fixture
def setup(env):
    portal = env.ref("base.group_portal").id
    acme = env["res.partner"].create({"name": "Acme", "is_company": True})
    zed = env["res.partner"].create({"name": "Zed", "parent_id": acme.id})
    user = env["res.users"].create({"name": "Zed", "login": "zed_rating",
                                    "partner_id": zed.id, "groups_id": [(6, 0, [portal])]})
    other = env["res.partner"].create({"name": "Other Co", "is_company": True})
    mine = env["test.portal.ticket"].create({"name": "Mine", "partner_id": zed.id})
    theirs = env["test.portal.ticket"].create({"name": "Theirs", "partner_id": other.id})
    return env(uid=user.id, su=False), mine, theirs, zed


def test_rate_and_rate_again(setup) -> None:
    user_env, mine, _theirs, zed = setup
    ratings = user_env["rating.rating"]
    first = ratings.rate(mine.with_env(user_env), 5, "Great")
    assert (first.rating, first.feedback, first.partner_id, first.res_name) == (
        5, "Great", zed, "Mine")
    again = ratings.rate(mine.with_env(user_env), "3")
    assert again == first and again.rating == 3 and not again.feedback
    assert ratings.of_record(mine).rating == 3
    assert ratings.search([]) == first               # customers read their own
    posted = mine.message_ids.filtered(lambda m: "out of 5" in (m.body or ""))
    assert len(posted) == 2 and first.message_id in posted
    assert all(m.author_id == zed and not m.is_internal for m in posted)
    assert "★★★☆☆" in first.message_id.body


def test_ratings_are_checked(setup) -> None:
    user_env, mine, theirs, _zed = setup
    ratings = user_env["rating.rating"]
    for value in (0, 6, "x", None):
        with pytest.raises(ValidationError, match="from 1 to 5"):
            ratings.rate(mine.with_env(user_env), value)
    with pytest.raises(AccessError):
        ratings.rate(theirs.with_env(user_env), 4)     # a record he may not read
    someone = user_env(su=True)["res.partner"].create({"name": "Someone"})
    with pytest.raises(AccessError, match="only rate as yourself"):
        ratings.rate(mine.with_env(user_env), 4, partner=someone)
    with pytest.raises(AccessError):
        ratings.create({"res_model": mine._name, "res_id": mine.id, "rating": 5,
                        "partner_id": someone.id})
    with pytest.raises(ValidationError, match="At most 2000"):
        ratings.rate(mine.with_env(user_env), 4, "x" * 2001)


def test_the_system_rates_for_a_customer_and_averages(env, setup) -> None:
    _user_env, mine, theirs, zed = setup
    other = env["res.partner"].create({"name": "Ann"})
    env["rating.rating"].rate(mine, 4, partner=zed)
    env["rating.rating"].rate(mine, 1, partner=other)
    assert env["rating.rating"].averages(mine | theirs) == {mine.id: 2.5}
    with pytest.raises(ValidationError):
        env["rating.rating"].search([("res_id", "=", mine.id)], limit=1).write({"rating": 9})
