"""Real vCards into the CRM address book: phones the CRM's rules cannot read do not refuse
a card, let alone the file; they go to the card's notes with a warning."""
from __future__ import annotations

from core.calendar.vcard import import_vcards


def test_every_real_vcard_lands_with_its_unreadable_phones_in_the_notes(env, shared_testdata):
    files = sorted((shared_testdata / "vcf").glob("*.vcf"))
    assert files
    created = warned = 0
    for path in files:
        report = import_vcards(env, path.read_bytes())
        created += len(report.created)
        warned += len(report.warnings)
        for name, reason in report.skipped:  # only duplicates or empty cards are skipped
            assert "duplicate" in reason or "no name" in reason or "unreadable" in reason, \
                (path.name, name, reason)
    assert created >= len(files) - 2
    assert warned  # some real numbers cannot be read as phone numbers
    kept = env["res.partner"].search([("comment", "ilike", "phone: ")])
    assert kept and all(not p.phone or p.phone.startswith("+") for p in kept)
