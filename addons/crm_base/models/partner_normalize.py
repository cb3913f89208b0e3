"""Normal forms of what identifies an account or a person: e-mail, phone, SIREN, name.

Pure functions, shared by the partner model (validation on create and write), duplicate
detection and the importer. ``normalize_*`` functions raise :class:`ValidationError`
naming the field when a value cannot be right; ``*_key`` functions are lenient (``None``
for anything they cannot read) because detection must never refuse a record.

* e-mail: checked and normalised by ``email-validator`` (no DNS query): the domain is
  lower-cased, ``"Name" <address>`` is reduced to the address; the matching key is the
  whole address lower-cased;
* phone: parsed with ``phonenumbers`` in the partner's country (France by default), kept
  in the international format (``+33 1 23 45 67 89``), matched on E.164
  (``+33123456789``);
* SIREN (9 digits) and SIRET (14 digits) with their Luhn checksum (La Poste's SIRET
  ``356 000 000 xxxxx`` is the documented exception);
* name: lower case, accents, punctuation, connectors (``&``, ``et``) and legal forms
  (SARL, SAS, GmbH, Ltd...) removed, so that ``Boulangerie Dupont SARL`` and
  ``boulangerie  dupont`` share the key ``boulangerie dupont``.
"""
from __future__ import annotations

import re
import unicodedata

from core import ValidationError, _

DEFAULT_COUNTRY = "FR"

#: legal forms dropped from names (French first, then common foreign ones)
LEGAL_FORMS = frozenset("""
    sa sas sasu sarl eurl snc sci scop scp scs sca sel selarl selas selafa selca gie gaec
    ei eirl earl sem spl scic cuma asso association
    gmbh ag kg ug ohg ltd limited llc llp lp plc inc incorporated corp corporation
    bv nv vof srl spa sapa snc sl slu ab oy as aps asa bvba sprl kft sro
""".split())
#: connectors that vary between spellings of the same name
CONNECTORS = frozenset({"et", "and", "und", "y"})
_LETTER_DOT = re.compile(r"\b([a-z])\.(?=[a-z]\b|\s|$)")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_SPECIAL = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss",
                          "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"})
_DIGITS = re.compile(r"\D")


def strip_accents(text: str) -> str:
    """``Élodie Lefèvre-Œuvray`` → ``Elodie Lefevre-OEuvray``."""
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(char for char in text if not unicodedata.combining(char))


# -- names --------------------------------------------------------------------------------
def name_key(name: str | None) -> str | None:
    """The normalised name used to compare accounts and people (``None`` when empty):
    lower case without accents, punctuation, connectors nor legal forms."""
    if not name or not str(name).strip():
        return None
    text = strip_accents(str(name)).lower().replace("&", " ")
    text = _LETTER_DOT.sub(r"\1", text)            # S.A.R.L. -> sarl
    tokens = [t for t in _NOT_WORD.split(text) if t and t not in CONNECTORS]
    kept = [t for t in tokens if t not in LEGAL_FORMS]
    words = kept or tokens                         # a name that is only "SARL" stays
    return " ".join(words) or None


# -- e-mail -------------------------------------------------------------------------------
def normalize_email(value: str | None, field: str = "email", label: str = "") -> str | None:
    """The address, checked (syntax, domain shape; no DNS) and normalised; ``None`` when
    empty. Raises :class:`ValidationError` naming ``field`` (``label`` in the message)."""
    from email_validator import EmailNotValidError, validate_email
    if value is None or value is False or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        result = validate_email(text, check_deliverability=False, allow_display_name=True)
    except EmailNotValidError as exc:
        raise ValidationError(_("%(field)s: “%(value)s” is not a valid e-mail address "
                                "(%(reason)s).", field=label or _("E-mail"), value=text,
                                reason=str(exc).rstrip(".")), field=field) from None
    return result.normalized


def email_key(value: str | None) -> str | None:
    """The lower-cased address for matching (``None`` when missing or unreadable)."""
    try:
        email = normalize_email(value)
    except ValidationError:
        return None
    return email.lower() if email else None


# -- phones -------------------------------------------------------------------------------
def _parse_phone(value: str, country: str | None) -> object:
    import phonenumbers
    return phonenumbers.parse(value, (country or DEFAULT_COUNTRY).upper())


def normalize_phone(value: str | None, country: str | None = None, field: str = "phone",
                    label: str = "") -> str | None:
    """The number in the international format (``+33 1 23 45 67 89``), read in
    ``country`` (ISO code, France by default) unless it starts with ``+`` or ``00``;
    ``None`` when empty. Raises :class:`ValidationError` naming ``field``."""
    import phonenumbers
    if value is None or value is False or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        number = _parse_phone(text, country)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise ValidationError(_("%(field)s: “%(value)s” is not a valid phone number "
                                "(read as a number of %(country)s).",
                                field=label or _("Phone"), value=text,
                                country=(country or DEFAULT_COUNTRY).upper()), field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_key(value: str | None, country: str | None = None) -> str | None:
    """The E.164 form (``+33123456789``) for matching; ``None`` when unreadable."""
    import phonenumbers
    if not value or not str(value).strip():
        return None
    try:
        number = _parse_phone(str(value).strip(), country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# -- SIREN / SIRET ------------------------------------------------------------------------
def luhn_valid(digits: str) -> bool:
    """The Luhn checksum (the SIREN's and the SIRET's)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def normalize_siren(value: str | None, field: str = "siren", label: str = "SIREN"
                    ) -> str | None:
    """Nine digits with a valid checksum (spaces and dots allowed when typing);
    ``None`` when empty. Raises :class:`ValidationError` naming ``field``."""
    if value is None or value is False or not str(value).strip():
        return None
    text = str(value).strip()
    digits = re.sub(r"[\s.\-]", "", text)
    if not re.fullmatch(r"\d{9}", digits):
        raise ValidationError(_("%(field)s: “%(value)s” must be 9 digits.", field=label,
                                value=text), field=field)
    if not luhn_valid(digits):
        raise ValidationError(_("%(field)s: “%(value)s” is not valid (wrong check digit).",
                                field=label, value=text), field=field)
    return digits


def normalize_siret(value: str | None, field: str = "siret", label: str = "SIRET"
                    ) -> str | None:
    """Fourteen digits with a valid checksum (La Poste's establishments excepted);
    ``None`` when empty. Raises :class:`ValidationError` naming ``field``."""
    if value is None or value is False or not str(value).strip():
        return None
    text = str(value).strip()
    digits = re.sub(r"[\s.\-]", "", text)
    if not re.fullmatch(r"\d{14}", digits):
        raise ValidationError(_("%(field)s: “%(value)s” must be 14 digits.", field=label,
                                value=text), field=field)
    la_poste = digits.startswith("356000000") and sum(map(int, digits)) % 5 == 0
    if not (luhn_valid(digits) or la_poste):
        raise ValidationError(_("%(field)s: “%(value)s” is not valid (wrong check digit).",
                                field=label, value=text), field=field)
    return digits


def siren_key(value: str | None) -> str | None:
    """The SIREN for matching (nine digits, checksum right), else ``None``."""
    digits = _DIGITS.sub("", str(value or ""))
    return digits if len(digits) == 9 and luhn_valid(digits) else None
