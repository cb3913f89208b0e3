"""vCard import of every card file in shared/testdata/vcf (2.1, 3.0, 4.0 from Android,
Apple, Gmail, Evolution, Outlook, Thunderbird...), duplicates reported and not merged,
export as vCard 3.0 read back by vobject, the ``contacts import-vcard`` command and the
export route's access checks."""
from __future__ import annotations

import json

import pytest
import vobject
from click.testing import CliRunner

from core.calendar.vcard import export_vcards, import_vcards
from core.cli import main
from core.exceptions import UserError
from tests.conftest import SHARED_TESTDATA

VCF = SHARED_TESTDATA / "vcf"
#: file: (created names, skipped reasons' words)
EXPECTED = {
    "android_2.1_multiple_cards_qp_utf8_nonascii.vcf": (
        ["john.doe@company.com", "jane.doe@company.com", "Ñ Ñ Ñ Ñ Ñ",
         "Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ", "Ñ Ñ Ñ Ñ"], ["unreadable"]),
    "apple_addressbook_3.0_photo.vcf": (["Mr. John Richter,James Doe Sr."], []),
    "evolution_3.0_couchdb_uuids.vcf": (["Mr. John Richter, James Doe Sr."], []),
    "fullcontact_api_4.0_photo_urls_many_types.vcf": (
        ["Prefix FirstName MiddleName LastName Suffix"], []),
    "gmail_3.0_abdate_relatednames_long_note.vcf": (["Mr. John Richter"], []),
    "gmail_3.0_many_emails_phones_ims.vcf": (["VCard Test"], []),
    "gmail_3.0_three_contacts_list.vcf": (["Arnold Smith", "Chris Beatle", "Doug White"], []),
    "iphone_ios5_3.0_photo_large.vcf": (["Mr. John Richter James Doe Sr."], []),
    "outlook2003_2.1_qp_note_x509_key.vcf": (["John Doe III"], []),
    "outlook_2.1_photo_qp_label_multiple_addresses.vcf": (
        ["Mr. John Richter James Doe Sr."], []),
    "rfc6350_4.0_spec_example.vcf": (["Simon Perreault"], []),
    "thunderbird_3.0_photo_many_emails_phones.vcf": (["John Doe"], []),
}


@pytest.fixture
def user_env(env):
    user = env["res.users"].create({"name": "Card Importer", "login": "cards",
                                    "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    return env(uid=user.id, su=False)


def test_every_testdata_file_is_covered() -> None:
    assert sorted(p.name for p in VCF.glob("*.vcf")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_import_each_real_vcard_file(user_env, name) -> None:
    created, skipped = EXPECTED[name]
    data = (VCF / name).read_bytes()
    report = import_vcards(user_env, data)
    assert report.created == created
    assert len(report.skipped) == len(skipped)
    for (_item, reason), words in zip(report.skipped, skipped):
        assert words in reason
    again = import_vcards(user_env, data)          # importing twice creates nothing
    assert again.created == [] and all("duplicate" in r for _i, r in again.skipped[
        len(skipped):])


def test_mapping_of_a_full_card(user_env) -> None:
    import_vcards(user_env, (VCF / "apple_addressbook_3.0_photo.vcf").read_bytes())
    john = user_env["res.partner"].search([("email", "=", "john.doe@ibm.com")])
    assert (john.function, john.phone, john.mobile) == ("Money Counter", "905-777-1234",
                                                        "905-555-1234")
    assert john.parent_id.name == "IBM" and john.parent_id.is_company
    assert (john.street, john.city, john.zip) == ("Silicon Alley 5,", "New York", "12345")
    assert "905-888-1234" in john.comment and "THIS SOFTWARE" in john.comment
    # the same person from another client: reported as a duplicate, not merged
    report = import_vcards(user_env, (VCF / "gmail_3.0_abdate_relatednames_long_note.vcf")
                           .read_bytes())
    assert report.created == [] and "same e-mail (john.doe@ibm.com)" in report.skipped[0][1]
    assert john.function == "Money Counter" and len(user_env["res.partner"].search(
        [("email", "=", "john.doe@ibm.com")])) == 1
    import_vcards(user_env, (VCF / "outlook2003_2.1_qp_note_x509_key.vcf").read_bytes())
    iii = user_env["res.partner"].search([("name", "=", "John Doe III")])
    assert iii.comment.startswith("This is the note field!!\nSecond line")
    assert iii.parent_id.name == "Company, The"


def test_no_vcard_is_one_clear_error(user_env) -> None:
    for data in (b"", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"):
        with pytest.raises(UserError):
            import_vcards(user_env, data)


def test_export_reads_back(user_env) -> None:
    partners = user_env["res.partner"]
    company = partners.create({"name": "Acme", "is_company": True, "city": "Lyon"})
    person = partners.create({"name": "Zoé Dupré", "parent_id": company.id,
                              "email": "zoe@acme.example", "phone": "+33 4 00 00 00 00",
                              "mobile": "+33 6 00 00 00 00", "function": "Buyer",
                              "street": "1 rue Neuve", "zip": "69001", "city": "Lyon",
                              "comment": "Prefers mornings; speaks English, French"})
    text = export_vcards(partners.browse([company.id, person.id]))
    cards = list(vobject.readComponents(text))
    assert [c.fn.value for c in cards] == ["Acme", "Zoé Dupré"]
    zoe = cards[1]
    assert zoe.n.value.family == "Dupré" and zoe.org.value == ["Acme"]
    assert zoe.email.value == "zoe@acme.example" and zoe.title.value == "Buyer"
    assert {t.value for t in zoe.contents["tel"]} == {"+33 4 00 00 00 00",
                                                      "+33 6 00 00 00 00"}
    assert zoe.adr.value.city == "Lyon" and zoe.note.value.startswith("Prefers mornings;")
    # round trip: the exported card imports as a duplicate of its source
    report = import_vcards(user_env, text.encode())
    assert report.created == [] and len(report.skipped) == 2
    assert "zoe@acme.example" in report.skipped[1][1]      # Acme has no e-mail: by name


def test_cli_import_vcard(fresh_db_url) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["--db", fresh_db_url, "db", "init", "--addons",
                                "calendar"]).exit_code == 0
    path = str(VCF / "gmail_3.0_three_contacts_list.vcf")
    result = runner.invoke(main, ["--db", fresh_db_url, "contacts", "import-vcard", path])
    assert result.exit_code == 0 and "3 created, 0 updated, 0 skipped." in result.output
    result = runner.invoke(main, ["--db", fresh_db_url, "contacts", "import-vcard", path,
                                  "--json"])
    assert len(json.loads(result.output)["skipped"]) == 3
