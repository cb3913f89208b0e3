"""The product catalogue on both engines: unique references whatever their case,
designations, categories, pictures and video links, withdrawal (archiving), who may
change what."""
from __future__ import annotations

import pytest

from core.exceptions import AccessError, UserError, ValidationError
from core.testing import count_queries

from .test_contract_helpers import account, make_contract, png, png_b64, users  # noqa: F401


@pytest.fixture
def category(env):
    return env["product.category"].create({"name": "IT services"})


def product(env, code="SRV-1", **values):
    return env["product.product"].create({"default_code": code, "name": f"Product {code}",
                                          **values})


def test_the_internal_reference_is_unique_whatever_its_case(env) -> None:
    first = product(env, "LAP-14")
    with pytest.raises(ValidationError, match="already has this internal reference"):
        with env.savepoint():
            product(env, "lap-14")
    with pytest.raises(ValidationError, match="already has this internal reference"):
        with env.savepoint():
            product(env, "  Lap-14 ")
    other = product(env, "LAP-15")
    with pytest.raises(ValidationError, match="already has this internal reference"):
        with env.savepoint():
            other.write({"default_code": "lap-14"})
    # archived products keep their reference: it stays taken
    first.action_withdraw()
    with pytest.raises(ValidationError):
        with env.savepoint():
            product(env, "LAP-14")
    # no reference at all is allowed for several products; spaces are trimmed
    env["product.product"].create([{"name": "Misc A"}, {"name": "Misc B"}])
    assert product(env, " SRV-9 ").default_code == "SRV-9"


def test_display_name_and_search_by_reference(env) -> None:
    laptop = product(env, "LAP-14", name="Laptop 14 inches")
    env["product.product"].create({"name": "Unreferenced"})
    assert laptop.display_name == "[LAP-14] Laptop 14 inches"
    found = dict(env["product.product"].name_search("lap-1"))
    assert found == {laptop.id: "[LAP-14] Laptop 14 inches"}
    assert laptop.id in dict(env["product.product"].name_search("14 inches"))


def test_copy_leaves_the_reference_free(env) -> None:
    laptop = product(env, "LAP-14", video_ids=[(0, 0, {"name": "Demo",
                                                       "url": "https://example.com/v"})])
    duplicate = laptop.copy()
    assert not duplicate.default_code
    assert duplicate.video_ids.mapped("url") == ["https://example.com/v"]


def test_designation_is_translatable(env) -> None:
    item = product(env, "TRN-1", name="Training day")
    item.with_context(lang="fr_FR").write({"name": "Journée de formation"})
    assert item.with_context(lang="fr_FR").name == "Journée de formation"
    assert item.with_context(lang="en_US").name == "Training day"


def test_categories_nest_with_their_full_name(env, category) -> None:
    child = env["product.category"].create({"name": "Support", "parent_id": category.id})
    assert child.complete_name == "IT services / Support"
    category.write({"name": "Services"})
    assert child.complete_name == "Services / Support"
    item = product(env, "SUP-1", categ_id=child.id)
    assert category.product_count == 1 and child.product_count == 1
    with pytest.raises(ValidationError, match="inside itself"):
        with env.savepoint():
            category.write({"parent_id": child.id})
    assert item.categ_id.display_name == "Services / Support"


def test_prices_are_amounts_in_a_currency(env) -> None:
    item = product(env, "HW-1", list_price=1234.567)
    assert item.list_price == 1234.57
    assert item.currency_id == env.ref("base.main_company").currency_id
    with pytest.raises(ValidationError, match="cannot be negative"):
        with env.savepoint():
            product(env, "HW-2", list_price=-1)


def test_pictures_are_checked_images(env) -> None:
    item = product(env, "HW-1", image=png_b64())
    assert item.image == png()
    with pytest.raises(ValidationError, match="PNG, JPEG, GIF or WebP"):
        with env.savepoint():
            item.write({"image": b"<svg onload='alert(1)'></svg>" * 3})
    env["ir.attachment"].create([
        {"name": "front.png", "datas": png_b64(), "res_model": "product.product",
         "res_id": item.id},
        {"name": "sheet.txt", "datas": "aGVsbG8=", "res_model": "product.product",
         "res_id": item.id}])
    assert item.photo_count == 1


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "www.x.com",
                                 "https://", "https://exa mple.com"])
def test_video_links_must_be_web_addresses(env, url) -> None:
    item = product(env, "HW-1")
    with pytest.raises(ValidationError, match="not a web address"):
        env["product.video"].create({"product_id": item.id, "name": "Demo", "url": url})


def test_withdrawal_archives_and_back_on_sale(env) -> None:
    item = product(env, "OLD-1")
    item.with_context(contract_today="2026-03-02").action_withdraw()
    assert not item.active and str(item.date_withdrawn) == "2026-03-02"
    assert not env["product.product"].search([("default_code", "=", "OLD-1")])
    archived = env["product.product"].with_context(active_test=False).search(
        [("default_code", "=", "OLD-1")])
    assert archived == item
    item.action_reintroduce()
    assert item.active and not item.date_withdrawn


def test_products_covered_by_contracts_are_withdrawn_not_deleted(env, account) -> None:
    covered, installed, free = (product(env, "A"), product(env, "B"), product(env, "C"))
    make_contract(env, account, product_ids=[(6, 0, [covered.id])],
                  equipment_ids=[(0, 0, {"product_id": installed.id, "serial_number": "S1"})])
    for item in (covered, installed):
        with pytest.raises(UserError, match="withdraw them"):
            with env.savepoint():
                item.unlink()
    free.unlink()
    assert not free.exists()


def test_everyone_reads_the_catalogue_sales_managers_change_it(env, users) -> None:
    item = product(env, "HW-1")
    for role in ("employee", "rep"):
        as_user = item.with_user(users[role])
        assert as_user.name == "Product HW-1"
        with pytest.raises(AccessError):
            as_user.write({"list_price": 10})
        with pytest.raises(AccessError):
            env["product.product"].with_user(users[role]).create({"name": "Nope"})
    managed = item.with_user(users["manager"])
    managed.write({"list_price": 10})
    managed.action_withdraw()
    assert not item.active
    category = env["product.category"].with_user(users["manager"]).create({"name": "Kits"})
    assert category.complete_name == "Kits"


def test_reading_the_catalogue_costs_the_same_for_many_products(env, category) -> None:
    def load(count):
        env["product.product"].create([{"name": f"P{i}", "default_code": f"N{count}-{i}",
                                        "categ_id": category.id} for i in range(count)])
        env.invalidate_all()
        with count_queries(env) as counter:
            products = env["product.product"].search([("categ_id", "=", category.id)])
            products.read(["display_name", "categ_id", "list_price", "currency_id"])
            env["product.product"].name_search("N")
        return counter.count

    assert load(3) == load(30)
