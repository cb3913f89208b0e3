"""Accounts and contacts: e-mails and phones checked and normalised whoever writes, SIREN
and SIRET checksums, the CRM fields, commercial fields following the company, the chatter
on the address book, and the keys kept for duplicate detection (real vCards included)."""
from __future__ import annotations

import pytest

from addons.crm_base.models.partner_normalize import (luhn_valid, name_key, normalize_email,
                                                      normalize_phone, normalize_siren,
                                                      normalize_siret, phone_key)
from core.calendar.vcard import import_vcards
from core.exceptions import AccessError, ValidationError

SIREN = "552100554"            # a real, checksum-valid SIREN
SIRET = "55210055400013"


def company(env, name="Boulangerie Dupont SARL", **values):
    return env["res.partner"].create({"name": name, "is_company": True, **values})


def user(env, login, group="crm_base.group_sale_salesman"):
    return env["res.users"].create({"name": login.title(), "login": login,
                                    "email": f"{login}@example.com",
                                    "groups_id": [(6, 0, [env.ref(group).id])]})


# -- pure normalisation -------------------------------------------------------------------
@pytest.mark.parametrize("raw,expected", [
    ("Jean.Dupont@Example.COM", "Jean.Dupont@example.com"),
    ("  contact@boulangerie-dupont.fr ", "contact@boulangerie-dupont.fr"),
    ('"Jean Dupont" <jean@dupont.fr>', "jean@dupont.fr"),
    ("élodie@exemple.fr", "élodie@exemple.fr"),
    ("", None), (None, None), (False, None),
])
def test_emails_are_normalised(raw, expected) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize("raw", ["jean.dupont@@exemple", "jean@exemple", "bad@", "a b@c.fr",
                                 "admin@localhost", "no-at-sign.fr"])
def test_invalid_emails_name_the_field(raw) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_email(raw, label="Email")
    assert info.value.field == "email"
    assert str(info.value).startswith("Email: ") and raw.strip() in str(info.value)


@pytest.mark.parametrize("raw,country,expected", [
    ("01 23 45 67 89", None, "+33 1 23 45 67 89"),
    ("01.23.45.67.89", "FR", "+33 1 23 45 67 89"),
    ("+33 (0)1 23 45 67 89", "FR", "+33 1 23 45 67 89"),
    ("0033123456789", "FR", "+33 1 23 45 67 89"),
    ("06-12-34-56-78", "FR", "+33 6 12 34 56 78"),
    ("030 1234567", "DE", "+49 30 1234567"),
    ("+1 (415) 555-0100", "FR", "+1 415-555-0100"),
    ("(415) 555-0100", "US", "+1 415-555-0100"),
])
def test_phones_are_read_in_the_country_and_kept_international(raw, country, expected):
    assert normalize_phone(raw, country) == expected
    assert phone_key(raw, country) == expected.replace(" ", "").replace("-", "")


@pytest.mark.parametrize("raw", ["123", "01 23 45", "not a phone", "+33 1 23 45 67 89 10 11"])
def test_invalid_phones_name_the_field(raw) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_phone(raw, "FR", field="mobile", label="Mobile")
    assert info.value.field == "mobile" and "Mobile" in str(info.value)
    assert phone_key(raw, "FR") is None


def test_siren_and_siret_checksums() -> None:
    assert luhn_valid(SIREN) and not luhn_valid("552100555")
    assert normalize_siren("552 100 554") == SIREN
    assert normalize_siret("552 100 554 00013") == SIRET
    assert normalize_siret("35600000000048") == "35600000000048"   # La Poste's exception
    for bad, message in (("55210055", "9 digits"), ("552100555", "check digit"),
                         ("ABCDEFGHI", "9 digits")):
        with pytest.raises(ValidationError, match=message) as info:
            normalize_siren(bad)
        assert info.value.field == "siren"
    with pytest.raises(ValidationError, match="check digit") as info:
        normalize_siret("55210055400014")
    assert info.value.field == "siret"


@pytest.mark.parametrize("left,right", [
    ("Boulangerie Dupont SARL", "boulangerie  dupont"),
    ("Sécurité Martinez SASU", "  SÉCURITÉ MARTINEZ  SASU"),
    ("Henry & André SAS", "Henry. & André"),
    ("Durand et Lambert", "Durand & Lambert S.A.R.L."),
    ("Œuvres Sociales GmbH", "oeuvres sociales"),
])
def test_name_keys_ignore_case_accents_punctuation_and_legal_forms(left, right) -> None:
    assert name_key(left) == name_key(right)
    assert name_key("SARL") == "sarl" and name_key("  ") is None


# -- on the model ---------------------------------------------------------------------------
def test_create_and_write_normalise_and_keep_matching_keys(env) -> None:
    partner = company(env, email="Contact@Boulangerie-Dupont.FR", phone="04 78 42 15 36",
                      mobile="06.12.34.56.78", siren="552 100 554")
    assert (partner.email, partner.phone, partner.mobile, partner.siren) == (
        "Contact@boulangerie-dupont.fr", "+33 4 78 42 15 36", "+33 6 12 34 56 78", SIREN)
    assert partner.email_normalized == "contact@boulangerie-dupont.fr"
    assert (partner.phone_sanitized, partner.mobile_sanitized) == ("+33478421536",
                                                                   "+33612345678")
    assert partner.name_key == "boulangerie dupont"
    partner.write({"phone": False, "email": "", "name": "Dupont & Fils"})
    assert not partner.phone and not partner.phone_sanitized and not partner.email_normalized
    assert partner.name_key == "dupont fils"


def test_phones_are_read_in_the_partners_country(env) -> None:
    germany, belgium = env.ref("base.de"), env.ref("base.be")
    berlin = company(env, "Berlin GmbH", country_id=germany.id, phone="030 1234567")
    assert berlin.phone == "+49 30 1234567"
    contact = env["res.partner"].create({"name": "Hans", "parent_id": berlin.id,
                                         "mobile": "0151 23456789"})
    assert contact.mobile == "+49 1512 3456789"      # the company's country
    both = berlin | company(env, "Bruxelles SA", country_id=belgium.id)
    both.write({"phone": "02 123 45 67"})            # each in its own country
    assert [p.phone_sanitized for p in both] == ["+4921234567", "+3221234567"]
    both.write({"phone": "+33 1 23 45 67 89"})       # a full number is read as is
    assert set(both.mapped("phone")) == {"+33 1 23 45 67 89"}


@pytest.mark.parametrize("field,value", [("email", "jean.dupont@@exemple"),
                                         ("phone", "12"), ("mobile", "abc"),
                                         ("siren", "123456789"), ("siret", "1234")])
def test_invalid_values_are_refused_on_create_and_write(env, field, value) -> None:
    with pytest.raises(ValidationError) as info:
        company(env, **{field: value})
    assert info.value.field == field
    partner = company(env)
    with pytest.raises(ValidationError) as info:
        partner.write({field: value})
    assert info.value.field == field


def test_crm_fields_and_the_site_address(env) -> None:
    vip = env["res.partner.category"].create({"name": "VIP", "color": 3})
    child_tag = env["res.partner.category"].create({"name": "Gold", "parent_id": vip.id})
    assert child_tag.display_name == "VIP / Gold"
    with pytest.raises(ValidationError):
        vip.write({"parent_id": child_tag.id})
    with pytest.raises(ValidationError):
        vip.write({"color": 12})
    sector = env.ref("crm_base.res_partner_industry_construction")
    account = company(env, "Moreau Construction", industry_id=sector.id,
                      company_size="medium", category_id=[(6, 0, [vip.id])], siret=SIRET)
    assert account.siren == SIREN                       # taken from the SIRET
    site = env["res.partner"].create({"name": "Chantier Nantes", "parent_id": account.id,
                                      "type": "site"})
    boss = env["res.partner"].create({"name": "François Moreau", "parent_id": account.id,
                                      "function": "Managing Director",
                                      "role": "decision_maker"})
    assert site.type == "site" and boss.role == "decision_maker"
    assert dict(env["res.partner"]._fields["type"].get_values(env))["site"] == "Site Address"
    assert env["res.partner"]._fields["user_id"].string == "Account Manager"
    assert sector.naf_section == "F" and len(env["res.partner.industry"].search([])) >= 15


def test_commercial_fields_follow_the_company(env) -> None:
    manager = user(env, "acme_manager")
    other = user(env, "other_manager")
    sector = env.ref("crm_base.res_partner_industry_ict")
    vip = env["res.partner.category"].create({"name": "VIP"})
    account = company(env, "ACME", user_id=manager.id, industry_id=sector.id,
                      category_id=[(6, 0, [vip.id])], company_size="small", siren=SIREN)
    contact = env["res.partner"].create({"name": "Jean", "parent_id": account.id,
                                         "user_id": other.id})
    address = env["res.partner"].create({"name": "Billing", "parent_id": account.id,
                                         "type": "invoice"})
    for child in (contact, address):
        assert child.user_id == manager and child.industry_id == sector
        assert child.category_id == vip and child.company_size == "small"
        assert child.siren == SIREN
    gold = env["res.partner.category"].create({"name": "Gold"})
    account.write({"user_id": other.id, "category_id": [(4, gold.id)],
                   "company_size": "medium"})
    for child in (contact, address):
        assert child.user_id == other and child.category_id == vip | gold
        assert child.company_size == "medium"
    # a company saved unchanged (a form posts every field) leaves its contacts alone
    versions = (contact.version, address.version)
    account.write({"user_id": other.id, "category_id": [(6, 0, (vip | gold).ids)],
                   "company_size": "medium", "parent_id": False})
    env.cache.invalidate()
    assert (contact.version, address.version) == versions
    # moving a contact to another company takes that company's values
    newco = company(env, "NewCo", user_id=manager.id)
    contact.write({"parent_id": newco.id})
    assert contact.user_id == manager and not contact.industry_id and not contact.category_id
    # a contact without a company keeps what it has
    contact.write({"parent_id": False})
    assert contact.user_id == manager


def test_the_address_book_is_a_thread(env) -> None:
    manager = user(env, "thread_manager")
    account = company(env, "Threaded SA", user_id=manager.id)
    assert manager.partner_id in account.message_follower_ids.mapped("partner_id")
    account.message_post(body="<p>Met at the fair.</p>")
    account.activity_schedule("mail.activity_type_call", summary="Call back")
    assert "Met at the fair." in account.message_ids.mapped("body")[0]
    assert account.activity_ids.summary == "Call back"
    tracked = {n for n, f in account._fields.items() if f.tracking}
    assert {"name", "email", "phone", "user_id", "siren", "industry_id"} <= tracked
    rep_env = env(uid=manager.id, su=False)
    rep_env["res.partner"].browse(account.id).write({"phone": "01 23 45 67 89"})
    from core.mail.timeline import timeline
    items = timeline(rep_env["res.partner"].browse(account.id)).items
    changes = [c for item in items for c in item.changes]
    assert any(c.get("field") == "phone" for c in changes)


def test_sales_reps_edit_but_never_delete_partners(env) -> None:
    rep = user(env, "rep_partners")
    manager = user(env, "boss_partners", "crm_base.group_sale_manager")
    partners = env(uid=rep.id, su=False)["res.partner"]
    account = partners.create({"name": "Rep's Account", "is_company": True,
                               "phone": "0478421536"})
    account.write({"city": "Lyon"})
    assert partners.search([("id", "=", account.id)]) == account
    tags = env(uid=rep.id, su=False)["res.partner.category"]
    assert tags.search_count([]) >= 0
    with pytest.raises(AccessError):
        tags.create({"name": "Mine"})
    with pytest.raises(AccessError):
        account.unlink()
    env(uid=manager.id, su=False)["res.partner"].browse(account.id).unlink()
    assert not account.sudo().exists()


def test_existing_partners_get_their_keys_and_pairs_when_the_crm_is_installed(env) -> None:
    partners = env["res.partner"].with_context(crm_skip_duplicates=True)
    legacy = partners.create({"name": "Legacy Co", "is_company": True,
                              "phone": "04 78 42 15 36", "email": "A@B.FR"})
    twin = partners.create({"name": "LEGACY CO.", "is_company": True})
    table = legacy._sa_table
    env.execute(table.update().where(table.c.id.in_([legacy.id, twin.id])).values(
        name_key=None, phone_sanitized=None, email_normalized=None))
    env.cache.invalidate()
    assert not twin.duplicate_count
    env["res.partner"]._crm_backfill_keys()
    assert (legacy.name_key, legacy.phone_sanitized, legacy.email_normalized) == (
        "legacy co", "+33478421536", "a@b.fr")
    assert twin.duplicate_count == 1


def test_find_duplicates_looks_again(env) -> None:
    partners = env["res.partner"].with_context(crm_skip_duplicates=True)
    first = partners.create({"name": "Atelier Girard", "is_company": True})
    second = partners.create({"name": "Atelier Girard SAS", "is_company": True})
    assert not second.duplicate_count
    second.action_find_duplicates()
    assert second.duplicate_count == first.duplicate_count == 1


def test_real_vcards_are_stored_normalised(env, shared_testdata) -> None:
    data = (shared_testdata / "vcf" / "rfc6350_4.0_spec_example.vcf").read_bytes()
    report = import_vcards(env, data)
    partner = env["res.partner"].search([("name", "in", report.created)])
    assert (partner.phone, partner.mobile) == ("+1 418-656-9254 ext. 102", "+1 418-262-6501")
    assert partner.phone_sanitized == "+14186569254"
    # a local number of another country, without its country: the card lands, the number
    # goes to its notes with the reason
    data = (shared_testdata / "vcf" / "outlook_2.1_photo_qp_label_multiple_addresses.vcf")
    report = import_vcards(env, data.read_bytes())
    assert report.created and any("not a valid phone number" in reason
                                  for _name, reason in report.warnings)
