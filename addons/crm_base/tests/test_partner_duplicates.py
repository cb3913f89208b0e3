"""Duplicate detection: the signals and their reasons, the rules that keep people and
companies apart, the real duplicates of an old CRM's export (case, accents, legal forms,
typos, phone formats), a constant number of queries, and the review list (flagged on
create, stale pairs dropped, "not a duplicate" never flagged again, the form's banner)."""
from __future__ import annotations

import csv
import itertools

import pytest

from addons.crm_base.models.partner_duplicates import THRESHOLD_PARAM, Duplicate
from addons.crm_base.models.partner_normalize import siren_key
from core.exceptions import ValidationError
from core.testing import count_queries

SIREN = "552100554"


def company(env, name, **values):
    return env["res.partner"].create({"name": name, "is_company": True, **values})


def pending(env, partner):
    return env["res.partner.duplicate"].search([
        ("state", "=", "to_review"), "|", ("partner_id", "=", partner.id),
        ("duplicate_id", "=", partner.id)])


# -- signals ----------------------------------------------------------------------------------
def test_each_signal_gives_its_reason_best_first(env) -> None:
    dupont = company(env, "Boulangerie Dupont SARL", phone="04 78 42 15 36",
                     email="contact@boulangerie-dupont.fr", siren=SIREN)
    other = company(env, "Boulangerie Dupond", phone="04 78 00 00 00")
    found = env["res.partner"]._find_duplicates([
        {"name": "boulangerie dupont", "is_company": True},
        {"name": "Totally Different", "is_company": True, "phone": "+33 (0)4.78.42.15.36"},
        {"name": "X", "is_company": True, "email": "CONTACT@Boulangerie-Dupont.fr"},
        {"name": "Y", "is_company": True, "siren": "552 100 554"},
        {"name": "Boulangerie Dupont", "is_company": True, "siren": SIREN,
         "email": "contact@boulangerie-dupont.fr", "phone": "0478421536"},
        {"name": "Nobody Like Me", "is_company": True},
    ])
    assert found[0][0] == Duplicate(dupont.id, 100.0, ("similar name (100%)",))
    assert [d.partner_id for d in found[0]] == [dupont.id, other.id]
    assert found[0][1].reasons[0].startswith("similar name (9")
    assert found[1] == [Duplicate(dupont.id, 90.0, ("same phone",))]
    assert found[2] == [Duplicate(dupont.id, 95.0, ("same e-mail",))]
    assert found[3] == [Duplicate(dupont.id, 100.0, ("same SIREN",))]
    assert found[4][0].partner_id == dupont.id and set(found[4][0].reasons) == {
        "same SIREN", "same e-mail", "same phone", "similar name (100%)"}
    assert found[5] == []
    assert env["res.partner"]._find_duplicates([{"name": "boulangerie dupont",
                                                 "is_company": True}],
                                               exclude_ids=[dupont.id, other.id]) == [[]]


def test_people_and_companies_are_kept_apart(env) -> None:
    acme = company(env, "ACME", phone="01 23 45 67 89")
    globex = company(env, "Globex", siren=SIREN)
    jean = env["res.partner"].create({"name": "Jean Dupont", "parent_id": acme.id,
                                      "email": "contact@acme.fr", "phone": "01 23 45 67 89"})
    finder = env["res.partner"]._find_duplicates
    # a person is never a company's duplicate, and the other way round
    assert finder([{"name": "ACME"}]) == [[]]
    assert finder([{"name": "Jean Dupont", "is_company": True}]) == [[]]
    # colleagues share the switchboard and contact@: not one person...
    assert finder([{"name": "Marie Curie", "parent_id": acme.id, "email": "contact@acme.fr",
                    "phone": "0123456789"}]) == [[]]
    # ...but a personal address is one person's
    jean.write({"email": "jean.dupont@acme.fr"})
    assert finder([{"name": "J. Dupont", "parent_id": acme.id,
                    "email": "Jean.Dupont@acme.fr"}])[0][0].partner_id == jean.id
    # the same name at another company is another person; without a company, maybe him
    assert finder([{"name": "Jean Dupont", "parent_id": globex.id}]) == [[]]
    assert finder([{"name": "Jean Dupond"}])[0][0].partner_id == jean.id
    # two companies with different SIRENs are different, whatever their names
    assert finder([{"name": "Globex", "is_company": True, "siren": "732829320"}]) == [[]]
    assert finder([{"name": "Globex", "is_company": True}])[0][0].partner_id == globex.id
    # addresses are never compared
    env["res.partner"].create({"name": "ACME Billing", "parent_id": acme.id,
                               "type": "invoice", "email": "billing@acme.fr"})
    assert finder([{"name": "ACME Billing", "type": "invoice",
                    "email": "billing@acme.fr"}]) == [[]]
    assert finder([{"name": "Someone", "email": "billing@acme.fr"}]) == [[]]


def test_a_name_alone_needs_more_when_the_phones_disagree(env) -> None:
    company(env, "Cabinet Dupont", phone="05 94 10 67 31")
    finder = env["res.partner"]._find_duplicates
    assert finder([{"name": "Cabinet Dumont", "is_company": True}])[0]      # 93%
    assert finder([{"name": "Cabinet Dumont", "is_company": True,
                    "phone": "04 50 63 21 68"}]) == [[]]
    assert finder([{"name": "Cabinet Dupont", "is_company": True,
                    "phone": "04 50 63 21 68"}])[0]                         # 100%


def test_the_threshold_is_a_setting(env) -> None:
    company(env, "Imprimerie Girard EURL")
    finder = env["res.partner"]._find_duplicates
    typo = [{"name": "Imprimere - Girard", "is_company": True}]
    assert finder(typo)[0][0].reasons == ("similar name (97%)",)
    env["ir.config_parameter"].set_param(THRESHOLD_PARAM, "99")
    assert finder(typo) == [[]]
    env["ir.config_parameter"].set_param(THRESHOLD_PARAM, "not a number")
    assert finder(typo)[0]                                    # the default, 88


# -- the real duplicates of an old CRM's export -------------------------------------------------
def read_accounts(shared_testdata):
    with open(shared_testdata / "import" / "comptes.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def account_vals(row):
    return {"name": row["raison_sociale"], "is_company": True, "siren": row["siren"],
            "phone": row["telephone"], "email": row["email"], "city": row["ville"],
            "ref": row["ancien_id"]}


def storable(env, vals):
    """The row as an import would store it: a value that cannot be valid is dropped."""
    partners = env["res.partner"]
    result = dict(vals)
    for name in ("siren", "phone", "email"):
        try:
            partners._normalized_vals({name: result[name]}, "FR")
        except ValidationError:
            result.pop(name)
    return result if (result.get("name") or "").strip() else None


def true_pairs(rows):
    """Rows sharing a valid SIREN: the same company, written differently."""
    keyed = [(row["ancien_id"], siren_key(row["siren"])) for row in rows]
    return {frozenset((a, b)) for (a, sa), (b, sb) in itertools.combinations(keyed, 2)
            if sa and sa == sb}


def test_the_duplicates_of_an_old_crm_export_are_found(env, shared_testdata) -> None:
    rows = read_accounts(shared_testdata)
    vals_list = [v for v in (storable(env, account_vals(r)) for r in rows) if v]
    partners = env["res.partner"].with_context(crm_skip_duplicates=True).create(vals_list)
    refs = dict(zip(partners.ids, partners.mapped("ref")))
    by_ref = {ref: rec_id for rec_id, ref in refs.items()}
    sirens = {row["ancien_id"]: siren_key(row["siren"]) for row in rows}
    pairs = env["res.partner"]._flag_duplicates(partners)
    flagged = {frozenset((refs[p.partner_id.id], refs[p.duplicate_id.id])) for p in pairs}
    expected = {pair for pair in true_pairs(rows) if all(ref in by_ref for ref in pair)}
    assert len(expected) >= 50
    assert expected <= flagged                        # every twin found...
    for pair in flagged:                              # ...and no two legal entities
        a, b = sorted(pair)
        assert not (sirens[a] and sirens[b] and sirens[a] != sirens[b]), pair
    # the kinds of differences the export holds, each found with its reason
    reasons = {frozenset((refs[p.partner_id.id], refs[p.duplicate_id.id])): p.reasons
               for p in pairs}
    assert "similar name" in reasons[frozenset(("CLI001613", "CLI001618"))]   # typo, case
    assert "same phone" in reasons[frozenset(("CLI002169", "CLI002170"))]     # 04-68 / 04 68
    assert "same e-mail" in reasons[frozenset(("CLI001562", "CLI001568"))]    # CONTACT@
    assert "similar name (100%)" in reasons[frozenset(("CLI001682", "CLI001679"))]  # Électricité
    # an import checking its rows before creating them finds the same twins
    found = env["res.partner"]._find_duplicates(
        [account_vals(r) for r in rows if r["ancien_id"] in ("CLI002593", "CLI001230")],
        exclude_ids=[by_ref["CLI002593"], by_ref["CLI001230"]])
    assert by_ref["CLI002592"] in [d.partner_id for d in found[0]]
    assert by_ref["CLI001228"] in [d.partner_id for d in found[1]]


def test_detection_costs_a_constant_number_of_queries(env) -> None:
    from core.automation import plan_of
    plan_of(env["res.partner"])
    company(env, "Warm Up", phone="0478421536")
    partners = env["res.partner"]
    base = [{"name": f"Company {i}", "is_company": True, "phone": f"04 78 42 15 {i:02d}",
             "email": f"c{i}@example.com", "siren": SIREN, "country_id": env.ref("base.fr").id}
            for i in range(40)]
    partners._find_duplicates(base[:1])             # the threshold setting, read once
    env.cache.invalidate()
    with count_queries(env) as one:
        partners._find_duplicates(base[:1])
    env.cache.invalidate()
    with count_queries(env) as many:
        partners._find_duplicates(base)
    assert many.count == one.count <= 3             # countries, names, keys
    created = partners.with_context(crm_skip_duplicates=True).create(base)
    env.cache.invalidate()
    with count_queries(env) as few:
        assert len(partners._flag_duplicates(created[:3])) == 3 * 39 - 3
    env.cache.invalidate()
    with count_queries(env) as many:
        partners._flag_duplicates(created[3:])
    assert many.count == few.count <= 12


# -- the review list ----------------------------------------------------------------------------
def test_creating_a_duplicate_flags_it_and_shows_the_banner(env) -> None:
    first = company(env, "Boulangerie Dupont SARL", city="Lyon", phone="04 78 42 15 36")
    second = company(env, "boulangerie dupont", phone="+33 4.78.42.15.36")
    pair = pending(env, second)
    assert (pair.partner_id, pair.duplicate_id, pair.score) == (first, second, 100.0)
    assert pair.reasons == "same phone, similar name (100%)"
    assert pair.display_name == "Boulangerie Dupont SARL / boulangerie dupont"
    assert second.duplicate_count == first.duplicate_count == 1
    banner = second.duplicate_banner
    assert "Boulangerie Dupont SARL</a> (Lyon): same phone, similar name (100%)" in banner
    assert f"/web/merge?model=res.partner&amp;ids={second.id},{first.id}" in banner
    assert "review this pair" in banner
    assert "/web/merge?model=res.partner&amp;ids=" in pair.merge_link
    # saving the form unchanged does not search again, nor duplicate the pair
    second.write({"name": "boulangerie dupont", "phone": "+33 4 78 42 15 36"})
    assert pending(env, second) == pair


def test_not_a_duplicate_is_never_flagged_again(env) -> None:
    first = company(env, "Garage Michel SARL")
    second = company(env, "Garage Michel")
    pair = pending(env, second)
    pair.action_not_duplicate()
    assert pair.state == "not_duplicate" and not second.duplicate_count
    second.write({"name": "Garage Michel SA", "phone": "0471332446"})
    assert not pending(env, second) and pair.state == "not_duplicate"
    assert len(env["res.partner"]._flag_duplicates(first | second)) == 0
    pair.action_to_review()
    assert second.duplicate_count == 1


def test_stale_pairs_go_and_archiving_removes_a_partner_from_review(env) -> None:
    first = company(env, "Fromagerie Dubois")
    second = company(env, "Fromagerie Dubois SARL")
    assert pending(env, second)
    second.write({"name": "Laiterie Martin"})
    assert not pending(env, second)                  # no longer alike: the pair goes
    second.write({"name": "Fromagerie  DUBOIS"})
    assert pending(env, second)
    second.write({"active": False})
    assert not pending(env, first) and not first.duplicate_count
    second.write({"active": True})
    assert pending(env, first)


def test_pairs_are_stored_once_older_first(env) -> None:
    first, second = company(env, "Alpha Conseil"), company(env, "Beta Conseil")
    reviews = env["res.partner.duplicate"]
    pair = reviews.create({"partner_id": second.id, "duplicate_id": first.id, "score": 90,
                           "reason_codes": ["name:90"]})
    assert (pair.partner_id, pair.duplicate_id) == (first, second)
    with pytest.raises(ValidationError, match="already listed"), env.savepoint():
        reviews.create({"partner_id": first.id, "duplicate_id": second.id})
    with pytest.raises(ValidationError, match="its own duplicate"), env.savepoint():
        reviews.create({"partner_id": first.id, "duplicate_id": first.id})
