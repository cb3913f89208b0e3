"""The import engine on both engines: the real exports into the address book (accounts,
then contacts pointing at them by their old code), idempotent second runs (no write, no
version bump, no journal entry), dry runs, every field type, bad rows isolated by
savepoints, duplicate policies through the model hooks, remembered mappings, access and a
query count that does not grow with the number of rows."""
from __future__ import annotations

import datetime as dt

import pytest

from core.exceptions import AccessError, ValidationError
from core.imports import ImportOptions, guess_mapping, prepare, read_file, run_import
from core.testing import count_queries

from .conftest import SHARED_TESTDATA

IMPORT_DATA = SHARED_TESTDATA / "import"


def table_of(name: str):
    return read_file((IMPORT_DATA / name).read_bytes(), name)


def csv_table(text: str, name: str = "people.csv"):
    return read_file(text.encode(), name)


def imported(env, model: str, text: str, name: str = "people.csv", **options):
    table = csv_table(text, name)
    records = env[model]
    prepared = prepare(records, table)
    for key, value in options.items():
        setattr(prepared, key, value)
    return run_import(records, table, prepared)


def totals(env) -> dict[str, int]:
    return {model: env[model].with_context(active_test=False).search_count([])
            for model in ("res.partner", "ir.model.data", "ir.journal", "ir.import.mapping")}


def accounts(env):
    model = env["res.partner"].with_context(default_is_company=True)
    table = table_of("comptes.csv")
    return model, table, prepare(model, table)


# -- the real exports ---------------------------------------------------------------------------
def test_accounts_file_maps_itself_and_imports(env) -> None:
    model, table, options = accounts(env)
    assert options.key_column == "ancien_id" and options.prefix == "comptes"
    assert {h: n for h, n in options.mapping.items() if n} == {
        "raison_sociale": "name", "adresse": "street", "code_postal": "zip", "ville": "city",
        "pays": "country_id", "telephone": "phone", "email": "email", "site_web": "website"}
    result = run_import(model, table, options)
    assert result.counts == {"created": 516, "updated": 0, "unchanged": 0, "skipped": 0,
                             "rejected": 1}
    [rejected] = result.rejected
    assert (rejected.line, rejected.reason) == (198, "raison_sociale: a value is required (Name).")
    lefebvre = env.ref("__import__.comptes_CLI002592")
    assert (lefebvre.name, lefebvre.city, lefebvre.country_id.code, lefebvre.is_company) == \
        ("Logistique Lefèbvre", "Besançon", "FR", True)
    assert env["res.partner"].search_count([("country_id.code", "=", "FR"),
                                            ("is_company", "=", True)]) == 516
    remembered = env["ir.import.mapping"].search([("model", "=", "res.partner")])
    assert (remembered.key_column, remembered.prefix, remembered.file_name) == \
        ("ancien_id", "comptes", "comptes.csv")


def test_second_run_changes_nothing(env) -> None:
    model, table, options = accounts(env)
    run_import(model, table, options)
    partners = env["res.partner"].search([("is_company", "=", True)])
    versions = dict(zip(partners.ids, partners.mapped("version")))
    before = totals(env)
    again = run_import(model, table, prepare(model, table))
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 516, "skipped": 0,
                            "rejected": 1}
    assert totals(env) == before                      # no record, id, journal entry
    env.invalidate_all()
    assert dict(zip(partners.ids, partners.mapped("version"))) == versions
    xlsx = table_of("comptes.xlsx")                   # the same accounts as a workbook
    assert run_import(model, xlsx, prepare(model, xlsx)).counts["unchanged"] == 516
    assert totals(env) == before


def test_a_corrected_file_updates_only_what_changed(env) -> None:
    model, table, options = accounts(env)
    run_import(model, table, options)
    record = env.ref("__import__.comptes_CLI001613")
    version = record.version
    table.rows[1][5] = "Le Mans Cedex"                # CLI001613's city
    result = run_import(model, table, options)
    assert result.counts["updated"] == 1 and result.counts["unchanged"] == 515
    env.invalidate_all()
    assert (record.city, record.version) == ("Le Mans Cedex", version + 1)
    [entry] = env["ir.journal"].search([("model", "=", "res.partner"),
                                        ("res_id", "=", record.id),
                                        ("operation", "=", "write")])
    assert set(entry.changes) == {"city"}


def test_contacts_point_at_their_accounts_by_old_code(env) -> None:
    model, table, options = accounts(env)
    run_import(model, table, options)
    contacts = table_of("contacts_export_ancien_crm.csv")
    people = env["res.partner"]
    chosen = prepare(people, contacts)
    assert chosen.key_column == "id_contact"
    assert {h: n for h, n in chosen.mapping.items() if n} == {
        "nom": "name", "fonction": "function", "email": "email", "mobile": "mobile",
        "commentaire": "comment"}
    chosen.mapping.update({"prenom": "name", "compte": "parent_id"})
    result = run_import(people, contacts, chosen)
    assert result.counts["created"] == 1372 and not result.rejected
    maelle = env.ref("__import__.contacts_export_ancien_crm_CT005500")
    assert maelle.name == "Maëlle Durand"
    assert maelle.parent_id == env.ref("__import__.comptes_CLI002901")
    assert maelle.comment == "Ne pas contacter le vendredi"
    assert env["res.partner"].search_count([("parent_id", "!=", False)]) == 1372
    before = totals(env)
    assert run_import(people, contacts, prepare(people, contacts)).counts["unchanged"] == 1372
    assert totals(env) == before


def test_dry_run_leaves_the_database_untouched(env) -> None:
    model, table, options = accounts(env)
    before = totals(env)
    options.dry_run = True
    result = run_import(model, table, options)
    assert result.dry_run and result.counts["created"] == 516 and len(result.rejected) == 1
    assert totals(env) == before
    assert env.ref("__import__.comptes_CLI002592", raise_if_not_found=False) is None
    options.dry_run = False                           # the real run does what the test said
    assert run_import(model, table, options).counts == result.counts


# -- field types and bad rows -------------------------------------------------------------------
ORDERS = ("Reference;Customer;State;Priority;Date;Deadline;Quantity;Discount;Is urgent;"
          "Tags;Budget;Stage\n") + """SO-1;Acme;Confirmed;Urgent;31/12/2024;2025-01-02 09:30;3;12,5;oui;red, blue;1 234,56;Qualifié
SO-2;ACME;draft;1;2024-06-01;;0;;non;;;qualified
SO-3;Nobody;Done;High;31/02/2024;;deux;;peut-être;green;;
SO-4;Acme;Done;Normal;01/01/2024;;-5;;;;;
"""


@pytest.fixture
def order_refs(env):
    env["res.partner"].create({"name": "Acme"})
    env["test.tag"].create([{"name": "red"}, {"name": "Blue"}])
    stage = env["test.stage"].create({"name": "Qualified"})
    stage.with_context(lang="fr_FR").name = "Qualifié"
    return stage


def test_every_field_type_and_the_reasons_of_bad_rows(env, order_refs) -> None:
    result = imported(env, "test.order", ORDERS, "orders.csv", key_column="Reference",
                      mapping={**guess_mapping(env["test.order"], csv_table(ORDERS).headers),
                               "Stage": "stage_id"})
    assert result.counts["created"] == 2 and len(result.rejected) == 2
    reasons = {o.line: o.reason for o in result.rejected}
    assert "Customer: No Contact named “Nobody”." in reasons[4]
    assert "Date: “31/02/2024” is not a valid date" in reasons[4]
    assert "Quantity: “deux” is not a whole number." in reasons[4]
    assert "Is urgent: “peut-être” is not yes or no" in reasons[4]
    assert "Tags: No Tag named “green”." in reasons[4]
    assert "quantity" in reasons[5].lower()            # the CHECK constraint, isolated
    first = env.ref("__import__.orders_SO-1")
    assert (first.partner_id.name, first.state, first.priority, first.date) == \
        ("Acme", "confirmed", "3", dt.date(2024, 12, 31))
    assert first.deadline == dt.datetime(2025, 1, 2, 9, 30)
    assert (first.quantity, first.discount, first.is_urgent, first.budget) == \
        (3, 12.5, True, 1234.56)
    assert sorted(first.tag_ids.mapped("name")) == ["Blue", "red"]
    assert first.stage_id == order_refs                 # by its French name
    second = env.ref("__import__.orders_SO-2")
    assert (second.state, second.priority, second.stage_id) == ("draft", "1", order_refs)


def test_the_rejects_file_has_the_input_columns_line_and_reason(env, order_refs) -> None:
    result = imported(env, "test.order", ORDERS, "orders.csv", key_column="Reference")
    content, extension = result.rejects_file()
    assert extension == "csv"
    rejects = read_file(content, "orders_rejected.csv")
    assert rejects.headers == [*csv_table(ORDERS).headers, "line", "reason"]
    assert [row[0] for row in rejects.rows] == ["SO-3", "SO-4"]
    assert [row[-2] for row in rejects.rows] == ["4", "5"]
    result.kind = "xlsx"
    workbook, extension = result.rejects_file()
    assert extension == "xlsx" and read_file(workbook, "r.xlsx").rows[1][-2] == 5


def test_a_mapping_must_make_sense(env) -> None:
    table = csv_table("a;b\n1;2\n")
    with pytest.raises(ValidationError, match="Map at least one column"):
        run_import(env["test.order"], table, ImportOptions({"a": "", "b": ""}))
    with pytest.raises(ValidationError, match="only text fields"):
        run_import(env["test.order"], table, ImportOptions({"a": "quantity", "b": "quantity"}))
    with pytest.raises(ValidationError, match="no field “version”"):
        run_import(env["test.order"], table, ImportOptions({"a": "version"}))
    with pytest.raises(ValidationError, match="skip, update or create"):
        run_import(env["test.order"], table, ImportOptions({"a": "name"}, on_duplicate="merge"))


# -- duplicates through the model's hooks -------------------------------------------------------
PEOPLE = """matricule,prénom,nom,email,âge
P1,Ann,Lee,ann@example.com,30
P2,Bob,Ray,BOB@example.com,40
P3,Bobby,Ray,bob@example.com,41
P4,Ann,Lee,ann.lee@example.com,
P5,Zed,Old,zed@example.com,200
"""


def people_run(env, **options):
    return imported(env, "test.import.person", PEOPLE, "people.csv", **options)


def test_synonyms_stacked_columns_and_key_guess(env) -> None:
    options = prepare(env["test.import.person"], csv_table(PEOPLE))
    assert options.mapping == {"matricule": "code", "prénom": "name", "nom": "name",
                               "email": "email", "âge": "age"}
    assert options.key_column == "matricule"           # it fills the badge code


def test_duplicates_in_the_file_and_in_the_database(env) -> None:
    existing = env["test.import.person"].create({"name": "Zed Old", "email": "zed@example.com",
                                                 "age": 50})
    result = people_run(env, key_column="matricule", on_duplicate="skip")
    outcome = {o.line: (o.action, o.same_as) for o in result.outcomes}
    assert outcome[2] == ("created", "") and outcome[3] == ("created", "")
    assert outcome[4] == ("skipped", "line 3")          # same e-mail as P2, other case
    assert outcome[6][0] == "skipped" and outcome[6][1].startswith(f"#{existing.id} ")
    assert outcome[5] == ("created", "")                 # same name, other e-mail: flagged
    assert [(d.line, d.name, [name for _i, name in d.others]) for d in result.duplicates] \
        == [(2, "Ann Lee", ["Ann Lee"]), (5, "Ann Lee", ["Ann Lee"])]
    p4 = env.ref("__import__.people_P4")
    assert p4.flagged_ids == env.ref("__import__.people_P1")
    # skipped rows keep their key, pointing at the record they are (not their own)
    assert env.ref("__import__.people_P3") == env.ref("__import__.people_P2")
    assert env.ref("__import__.people_P5") == existing and existing.age == 50
    again = people_run(env, key_column="matricule", on_duplicate="skip")
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 3, "skipped": 2,
                            "rejected": 0}


def test_update_merges_duplicates_and_stays_idempotent(env) -> None:
    existing = env["test.import.person"].create({"name": "Zed", "email": "zed@example.com"})
    result = people_run(env, key_column="matricule", on_duplicate="update")
    counts = result.counts
    assert (counts["created"], counts["updated"], counts["rejected"]) == (3, 1, 1)
    bob = env.ref("__import__.people_P2")
    assert (bob.name, bob.age) == ("Bobby Ray", 41)      # P3 merged over P2
    rejected = result.rejected[0]
    assert rejected.line == 6 and "between 0 and 150" in rejected.reason
    assert existing.age == 0 and existing.name == "Zed"   # the refused update left it alone
    versions = env["test.import.person"].search([]).mapped("version")
    again = people_run(env, key_column="matricule", on_duplicate="update")
    assert again.counts["created"] == again.counts["updated"] == 0
    env.invalidate_all()
    assert env["test.import.person"].search([]).mapped("version") == versions


def test_create_anyway_and_per_row_choices(env) -> None:
    result = people_run(env, key_column="matricule", on_duplicate="create",
                        overrides={4: "skip"})
    outcome = {o.line: o.action for o in result.outcomes}
    assert outcome == {2: "created", 3: "created", 4: "skipped", 5: "created",
                       6: "rejected"}
    existing = env["test.import.person"].create({"name": "Zed", "email": "zed@example.com"})
    result = people_run(env, key_column="matricule", on_duplicate="skip",
                        overrides={4: "create", 6: "create"})
    outcome = {o.line: (o.action, o.same_as) for o in result.outcomes}
    assert outcome[4][0] == "created"
    assert outcome[6] == ("rejected", f"#{existing.id} Zed")        # age 200, refused
    assert env.ref("__import__.people_P3") != env.ref("__import__.people_P2")


def test_invalid_rows_are_rejected_even_when_they_are_duplicates(env) -> None:
    text = PEOPLE + "P6,Ann,Lee,ann@example.com,abc\nP7,,,ann@example.com,\nP8,Al,Bo,al-at-x,\n"
    result = imported(env, "test.import.person", text, key_column="matricule")
    reasons = {o.line: o.reason for o in result.rejected}
    assert reasons[7] == "âge: “abc” is not a whole number."
    assert reasons[8] == "prénom, nom: a value is required (Name)."
    assert reasons[9] == "“al-at-x” is not an e-mail address."
    assert {o.line: o.action for o in result.outcomes}[4] == "skipped"


def test_a_key_of_another_model_rejects_the_row(env) -> None:
    env["ir.model.data"].create({"module": "__import__", "name": "people_P1",
                                 "model": "res.partner", "res_id": 1})
    result = people_run(env, key_column="matricule")
    assert "already names a res.partner record" in result.rejected[0].reason


# -- remembered mappings, access, queries --------------------------------------------------------
def test_the_mapping_is_remembered_by_header_set(env) -> None:
    model = env["test.import.person"]
    table = csv_table("Badge;Full name;Mail\nB1;Ann;a@x.org\n", "staff.csv")
    options = prepare(model, table)
    options.mapping = {"Badge": "code", "Full name": "name", "Mail": "email"}
    options.key_column, options.on_duplicate = "Badge", "update"
    run_import(model, table, options)
    reordered = csv_table("mail;BADGE;full-name\na@x.org;B1;Ann\n", "other name.csv")
    again = prepare(model, reordered)
    assert again.mapping == {"mail": "email", "BADGE": "code", "full-name": "name"}
    assert (again.key_column, again.prefix, again.on_duplicate) == ("BADGE", "staff", "update")
    assert run_import(model, reordered, again).counts["unchanged"] == 1
    rejects = csv_table("Badge;Full name;Mail;line;reason\nB2;Bo;b@x.org;3;x\n")
    assert prepare(model, rejects).mapping["Full name"] == "name"


def test_users_without_create_rights_cannot_import(env) -> None:
    user = env["res.users"].create({"name": "Reader", "login": "reader-imp",
                                    "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    table = csv_table("name\nX\n")
    with pytest.raises(AccessError):
        run_import(env(uid=user.id, su=False)["test.stage"], table, ImportOptions({"name": "name"}))


def person_lines(count: int, start: int = 0) -> str:
    lines = ["badge;name;mail;company;kind;tags;born;age"]
    lines += [f"B{start + i};Person {start + i};p{start + i}@example.com;Acme;Supplier;"
              f"red,Blue;0{1 + i % 9}/03/1990;{i % 90}" for i in range(count)]
    return "\n".join(lines) + "\n"


def test_queries_do_not_grow_with_the_rows(env, order_refs) -> None:
    def run(count: int, start: int) -> tuple[int, int]:
        table = csv_table(person_lines(count, start), f"q{count}.csv")
        options = ImportOptions({"badge": "code", "name": "name", "mail": "email",
                                 "company": "partner_id", "kind": "kind", "tags": "tag_ids",
                                 "born": "birthday", "age": "age"},
                                key_column="badge", prefix=f"q{count}")
        model = env["test.import.person"]
        with count_queries(env) as counter:
            result = run_import(model, table, options)
        assert result.counts["created"] == count, result.rejected[:3]
        with count_queries(env) as again:
            assert run_import(model, table, options).counts["unchanged"] == count
        return counter.count, again.count

    run(3, 5000)                                       # one-time loads (plans, caches)
    small, large = run(10, 0), run(300, 1000)
    assert large == small, (small, large)
