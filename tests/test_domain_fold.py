"""Case folding beyond ASCII (its own module: test_domain.py holds a module-wide
transaction on the shared SQLite file)."""
from __future__ import annotations


def test_ilike_folds_case_beyond_ascii_on_both_engines(make_orm_env) -> None:
    """SQLite's lower() is ASCII-only: the kernel folds with its own function there."""
    from core.orm import Model, fields

    class City(Model):
        _name = "test.city.fold"
        name = fields.Char()

    env = make_orm_env(City)
    cities = env["test.city.fold"].create([{"name": "МОСКВА"}, {"name": "Zürich"},
                                           {"name": "Oslo"}])
    assert env["test.city.fold"].search([("name", "ilike", "москва")]) == cities[0]
    assert env["test.city.fold"].search([("name", "ilike", "ZURICH")]) == cities[1]
    assert env["test.city.fold"].search([("name", "like", "москва")]) == cities.browse()
