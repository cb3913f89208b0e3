"""Ranked keyword search (``fts.mixin``, core.search): stems and accents, weights,
access rules, the index kept in step with create/write/unlink, both engines."""
from __future__ import annotations

import pytest

from core.search import text
from core.testing import count_queries

NOTES = [
    ("Imprimante bloquée", "<p>Le bac papier est coincé : ouvrir le capot.</p>"),
    ("Printer jammed", "<p>Open the cover and remove the paper.</p>"),
    ("Réseau lent", "<p>Redémarrer la box ; l'imprimante n'y est pour rien.</p>"),
    ("Mot de passe oublié", "<p>Réinitialiser depuis la page de connexion.</p>"),
]


def test_words_are_stemmed_without_accents():
    indexed = set(text.document("Imprimantes BLOQUÉES").split())
    for variants in text.query_terms("imprimante bloquee"):
        assert indexed & set(variants), variants
    assert text.document("<p>les printers</p>") == "printer"
    assert text.query_terms("le la les") == []
    assert set(text.stems("réseaux")) & set(text.stems("reseau"))


@pytest.fixture
def notes(env):
    user = env.ref("base.user_admin")
    return env["test.note"].create([{"name": n, "body": b, "user_id": user.id}
                                    for n, b in NOTES])


def test_ranked_search_weighs_titles_above_bodies(env, notes):
    found = env["test.note"].fts_search("imprimantes bloquées")
    names = [record.name for record, _ in found]
    assert names[0] == "Imprimante bloquée"          # title, both words
    assert "Réseau lent" in names                    # the body mentions a printer
    assert names.index("Imprimante bloquée") < names.index("Réseau lent")
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert [r.name for r, _ in env["test.note"].fts_search("printers")] == ["Printer jammed"]
    assert env["test.note"].fts_search("") == [] and env["test.note"].fts_search("les") == []


def test_the_index_follows_writes_and_deletes(env, notes):
    lent = notes.filtered(lambda n: n.name == "Réseau lent")
    lent.write({"name": "Wi-Fi instable"})
    assert [r.name for r, _ in env["test.note"].fts_search("wifi instable")] == \
        ["Wi-Fi instable"]
    assert env["test.note"].fts_search("lent") == []
    lent.unlink()
    assert env["test.note"].fts_search("instable") == []
    # a domain narrows, archived records stay out by default
    printer = notes.exists().filtered(lambda n: n.name == "Printer jammed")
    printer.active = False
    assert env["test.note"].fts_search("printer") == []
    assert env["test.note"].with_context(active_test=False).fts_search("printer")


def test_search_respects_record_rules(env, notes):
    other = env["res.users"].create({"name": "Other", "login": "fts_other",
                                     "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    env["test.note"].create({"name": "Imprimante du 2e étage", "user_id": other.id})
    mine = env(uid=other.id, su=False)["test.note"]
    assert [r.name for r, _ in mine.fts_search("imprimante")] == ["Imprimante du 2e étage"]
    assert len(env["test.note"].fts_search("imprimante")) == 3  # superuser: all of them


def test_search_costs_a_constant_number_of_queries(env, notes):
    env["test.note"].fts_search("papier")  # the index exists
    with count_queries(env) as counter:
        env["test.note"].fts_search("papier imprimante capot")
    assert counter.count <= 3


def test_an_index_is_built_from_existing_records(env, notes):
    assert env["test.note"]._fts_reindex() == 4
    assert env["test.note"].fts_search("connexion")[0][0].name == "Mot de passe oublié"
