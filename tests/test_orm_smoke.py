from core.orm import Model, fields


class Thing(Model):
    _name = "test.thing"
    name = fields.Char(required=True)


def test_create_and_search(make_orm_env):
    env = make_orm_env(Thing)
    things = env["test.thing"].create([{"name": "Société"}, {"name": "b"}])
    assert env["test.thing"].search([("name", "ilike", "SOCIETE")]) == things[0]
