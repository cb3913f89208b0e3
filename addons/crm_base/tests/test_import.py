"""Importing the old CRM's export into the address book, as a sales rep would: accounts
(CSV and the same as XLSX), then their contacts (windows-1252) attached by the account's
old code; invalid rows rejected with their reason, strong duplicates (same SIREN, same
e-mail) recognised, similar names flagged for review, a second run that changes nothing,
a dry run that leaves no trace, and a query count that does not grow with the rows."""
from __future__ import annotations

import datetime as dt

import pytest

from core.imports import prepare, read_file, run_import
from core.testing import count_queries

from .lead_factories import as_user, make_user

REJECTED = {
    110: "SIREN: “123456789” is not valid (wrong check digit).",
    159: "Email: “jean.dupont@@exemple” is not a valid e-mail address (The part after the "
         "@-sign contains invalid characters: '@').",
    198: "raison_sociale: a value is required (Name).",
    214: "date_creation: “31/02/2020” is not a valid date (expected 31/12/2024 or "
         "2024-12-31).",
}
ACCOUNTS = {"created": 464, "updated": 0, "unchanged": 0, "skipped": 49, "rejected": 4}
CONTACTS = {"created": 1160, "updated": 0, "unchanged": 0, "skipped": 212, "rejected": 0}


@pytest.fixture
def rep(env):
    return make_user(env, "import_rep", "rep")


def read(shared_testdata, name: str):
    return read_file((shared_testdata / "import" / name).read_bytes(), name)


def accounts_model(env, user):
    return as_user(env, user)["res.partner"].with_context(default_is_company=True)


def import_accounts(env, user, shared_testdata, name: str = "comptes.csv", **options):
    model = accounts_model(env, user)
    table = read(shared_testdata, name)
    chosen = prepare(model, table)
    for key, value in options.items():
        setattr(chosen, key, value)
    return run_import(model, table, chosen)


def import_contacts(env, user, shared_testdata):
    model = as_user(env, user)["res.partner"]
    table = read(shared_testdata, "contacts_export_ancien_crm.csv")
    return run_import(model, table, prepare(model, table))


def footprint(env) -> dict[str, int]:
    return {model: env[model].sudo().with_context(active_test=False).search_count([])
            for model in ("res.partner", "res.partner.duplicate", "ir.model.data",
                          "ir.journal", "mail.message")}


def test_the_french_export_maps_itself(env, rep, shared_testdata) -> None:
    model = accounts_model(env, rep)
    options = prepare(model, read(shared_testdata, "comptes.csv"))
    assert options.mapping == {
        "ancien_id": "", "raison_sociale": "name", "siren": "siren", "adresse": "street",
        "code_postal": "zip", "ville": "city", "pays": "country_id", "telephone": "phone",
        "email": "email", "site_web": "website", "secteur": "industry_id",
        "date_creation": "founded_on"}
    assert (options.key_column, options.prefix, options.on_duplicate) == \
        ("ancien_id", "comptes", "skip")
    contacts = prepare(model, read(shared_testdata, "contacts_export_ancien_crm.csv"))
    assert contacts.mapping == {
        "id_contact": "", "civilite": "", "prenom": "name", "nom": "name",
        "fonction": "function", "compte": "parent_id", "email": "email", "mobile": "mobile",
        "commentaire": "comment"}
    assert contacts.key_column == "id_contact"


def test_accounts_invalid_rows_duplicates_and_normalised_values(env, rep,
                                                                shared_testdata) -> None:
    result = import_accounts(env, rep, shared_testdata)
    assert result.counts == ACCOUNTS
    assert {o.line: o.reason for o in result.rejected} == REJECTED
    lefebvre = env.ref("__import__.comptes_CLI002592")
    assert (lefebvre.name, lefebvre.siren, lefebvre.phone, lefebvre.founded_on) == \
        ("Logistique Lefèbvre", "802370346", "+33 2 58 23 61 55", dt.date(2007, 1, 26))
    assert (lefebvre.is_company, lefebvre.country_id.code, lefebvre.industry_id) == \
        (True, "FR", env.ref("crm_base.res_partner_industry_health"))
    assert lefebvre.create_uid == rep
    # same SIREN or same e-mail as an earlier row: skipped, its key naming that account
    skipped = [o for o in result.outcomes if o.action == "skipped"]
    assert all(o.same_as.startswith("line ") for o in skipped)
    rows = {line: row for line, row in zip(read(shared_testdata, "comptes.csv").lines,
                                           read(shared_testdata, "comptes.csv").rows)}
    for outcome in skipped:
        key = rows[outcome.line][0]
        first = rows[int(outcome.same_as.split()[-1])][0]
        assert env.ref(f"__import__.comptes_{key}") == env.ref(f"__import__.comptes_{first}")
    # similar names are imported and flagged for review, never merged
    brasserie = env["res.partner"].search([("name", "in", ["BRASSEIE MERCIER SARL",
                                                           "Brasserie Mercier SAS"])])
    assert len(brasserie) == 2
    pair = env["res.partner.duplicate"].search([("partner_id", "in", brasserie.ids),
                                                ("duplicate_id", "in", brasserie.ids)])
    assert pair.state == "to_review"
    flagged = {d.record_id for d in result.duplicates}
    assert set(brasserie.ids) <= flagged and len(result.duplicates) >= 60


def test_contacts_attach_to_their_accounts(env, rep, shared_testdata) -> None:
    import_accounts(env, rep, shared_testdata)
    result = import_contacts(env, rep, shared_testdata)
    assert result.counts == CONTACTS
    maelle = env.ref("__import__.contacts_export_ancien_crm_CT005500")
    account = env.ref("__import__.comptes_CLI002901")
    assert (maelle.name, maelle.parent_id, maelle.is_company) == ("Maëlle Durand", account,
                                                                  False)
    assert (maelle.mobile, maelle.function) == ("+33 6 70 28 53 65", "Directeur commercial")
    assert maelle.industry_id == account.industry_id       # the company's sector
    # the same person written in capitals further down: one contact
    same = next(o for o in result.outcomes if o.line == 987)
    assert (same.action, same.same_as) == ("skipped", "line 2")
    assert env.ref("__import__.contacts_export_ancien_crm_CT005501") == maelle
    people = env["res.partner"].search([("is_company", "=", False),
                                        ("create_uid", "=", rep.id)])
    assert len(people) == 1160 and not people.filtered(lambda p: not p.parent_id)


def test_second_runs_change_nothing(env, rep, shared_testdata) -> None:
    import_accounts(env, rep, shared_testdata)
    import_contacts(env, rep, shared_testdata)
    partners = env["res.partner"].search([("create_uid", "=", rep.id)])
    versions = dict(zip(partners.ids, partners.mapped("version")))
    before = footprint(env)
    again = import_accounts(env, rep, shared_testdata)
    assert again.counts == {**ACCOUNTS, "created": 0, "unchanged": 464}
    assert {o.line: o.reason for o in again.rejected} == REJECTED
    workbook = import_accounts(env, rep, shared_testdata, "comptes.xlsx")
    assert workbook.counts == again.counts
    contacts = import_contacts(env, rep, shared_testdata)
    assert contacts.counts == {**CONTACTS, "created": 0, "unchanged": 1160}
    assert footprint(env) == before     # no partner, pair, external id, journal, message
    env.invalidate_all()
    assert dict(zip(partners.ids, partners.mapped("version"))) == versions


def test_update_fills_the_kept_account_and_stays_idempotent(env, rep,
                                                             shared_testdata) -> None:
    result = import_accounts(env, rep, shared_testdata, on_duplicate="update")
    assert result.counts["rejected"] == 4 and result.counts["skipped"] == 0
    assert result.counts["created"] + result.counts["updated"] == 513
    before = footprint(env)
    again = import_accounts(env, rep, shared_testdata, on_duplicate="update")
    assert (again.counts["created"], again.counts["updated"]) == (0, 0)
    assert footprint(env) == before


def test_dry_run_leaves_no_trace(env, rep, shared_testdata) -> None:
    before = footprint(env)
    tested = import_accounts(env, rep, shared_testdata, dry_run=True)
    assert tested.dry_run and tested.counts == ACCOUNTS and tested.duplicates
    assert footprint(env) == before
    assert not env["ir.import.mapping"].sudo().search([("prefix", "=", "comptes")])


def test_queries_do_not_grow_with_the_rows(env, rep, shared_testdata) -> None:
    model = accounts_model(env, rep)
    full = read(shared_testdata, "comptes.csv")

    def run(start: int, end: int) -> int:
        table = read(shared_testdata, "comptes.csv")
        table.rows, table.lines = full.rows[start:end], full.lines[start:end]
        options = prepare(model, table)
        options.prefix = f"slice{start}"
        with count_queries(env) as counter:
            result = run_import(model, table, options)
        assert result.counts["created"] > (end - start) // 2
        return counter.count

    run(0, 20)                                     # one-time loads (plans, caches)
    small, large = run(20, 120), run(120, 517)     # 100 rows, then 397
    assert large <= small, (small, large)
