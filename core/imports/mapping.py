"""Which column fills which field: the fields an import may fill, and a first guess from
the headers so that a French or English export maps mostly by itself.

A header matches a field when, ignoring case, accents, spaces and punctuation, it equals
the field's technical name, its label in English, French or the user's language, or one
of its synonyms. Synonyms are the kernel's common ones (:data:`SYNONYMS`, by field name:
``ville`` is ``city`` on any model having a ``city`` field) plus those a model declares by
overriding ``_import_synonyms()`` (``{field: [header, ...]}``, merged with ``super()``).
Headers still unmatched are compared with the same words allowing small typos.

A text field may take several columns: their cells are joined with a space. The guess
does so only for the headers a model lists as its own synonyms of a text field (a contact
model listing ``prénom`` for its name gets ``prénom`` and ``nom`` joined); otherwise each
field takes one column.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from ..exceptions import ValidationError
from ..i18n.translate import _
from .convert import IMPORTABLE_TYPES, label_key

#: technical fields an import never fills
NEVER_IMPORTED = frozenset({"id", "create_uid", "create_date", "write_uid", "write_date",
                            "version", "display_name"})
#: field types several columns can fill together (joined with a space)
JOINABLE_TYPES = frozenset({"char", "text"})
FUZZY_CUTOFF = 88
#: headers seen in French and English exports, by the field name they usually fill
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("nom", "libellé", "désignation", "intitulé", "raison sociale", "full name",
             "nom complet", "company name", "nom de la société", "dénomination"),
    "street": ("adresse", "adresse 1", "rue", "address", "address 1", "address line 1",
               "street address", "voie"),
    "street2": ("adresse 2", "complément d'adresse", "complément", "address 2",
                "address line 2"),
    "zip": ("code postal", "cp", "postal code", "zip code", "postcode", "code_postal"),
    "city": ("ville", "commune", "localité", "town"),
    "country_id": ("pays", "country", "code pays", "country code"),
    "state_id": ("région", "département", "state", "province"),
    "phone": ("téléphone", "tél", "tel", "telephone", "phone number", "numéro de téléphone",
              "tél fixe", "téléphone fixe", "standard"),
    "mobile": ("portable", "mobile", "téléphone portable", "tél portable", "gsm", "cell",
               "mobile phone", "cellphone"),
    "email": ("e-mail", "courriel", "mail", "adresse e-mail", "adresse mail",
              "email address", "e-mail address"),
    "website": ("site web", "site internet", "site", "url", "web", "web site"),
    "function": ("fonction", "poste", "job title", "position", "titre du poste"),
    "comment": ("commentaire", "commentaires", "remarque", "remarques", "notes",
                "observations", "comments"),
    "ref": ("référence", "réf", "reference", "code"),
    "vat": ("tva", "numéro de tva", "tva intracommunautaire", "vat number", "tax id"),
    "description": ("description", "détail", "détails"),
    "date": ("date",),
    "user_id": ("commercial", "responsable", "salesperson", "vendeur", "owner"),
    "partner_id": ("client", "customer", "contact"),
    "quantity": ("quantité", "qté", "qty"),
    "active": ("actif", "active"),
    "tag_ids": ("étiquettes", "tags", "mots-clés"),
    "category_id": ("catégories", "catégorie", "étiquettes", "tags"),
}


@dataclass(frozen=True)
class ImportField:
    """A field an import may fill, as the mapping page lists it."""

    name: str
    label: str
    type: str
    required: bool
    relation: str | None = None


def importable_fields(model: Any) -> dict[str, ImportField]:
    """The fields the current user may fill by import, sorted by label."""
    result = []
    lang = model.env.lang
    for name, field in model._fields.items():
        if name in NEVER_IMPORTED or field.type not in IMPORTABLE_TYPES or field.related:
            continue
        if field.compute and not field.inverse:
            continue
        if not (field.stored_column or field.type == "many2many"):
            continue
        if not model._field_visible(field):
            continue
        label = _(field.string, lang=lang) if field.string else name
        result.append(ImportField(name, label, field.type,
                                  bool(field.required and field.default is None),
                                  getattr(field, "comodel_name", None)))
    result.sort(key=lambda f: (f.label.lower(), f.name))
    return {f.name: f for f in result}


def synonyms_of(model: Any) -> dict[str, list[str]]:
    """The kernel's synonyms for ``model``'s fields, then the model's own."""
    result: dict[str, list[str]] = {name: list(words) for name, words in SYNONYMS.items()
                                    if name in model._fields}
    for name, words in (model._import_synonyms() or {}).items():
        if name in model._fields:
            result.setdefault(name, [])
            result[name] = list(dict.fromkeys([*words, *result[name]]))
    return result


def guess_mapping(model: Any, headers: Iterable[str],
                  fields: Mapping[str, ImportField] | None = None) -> dict[str, str]:
    """``{header: field name}`` (``""``: not imported) from names, labels and synonyms."""
    fields = importable_fields(model) if fields is None else fields
    exact: dict[str, str] = {}
    loose: dict[str, list[str]] = {}
    for name, info in fields.items():
        field = model._fields[name]
        label = field.string or ""
        french = _(label, lang="fr_FR") if label else ""
        for text in (name, label, french, info.label):
            key = label_key(text)
            if key:
                exact.setdefault(key, name)
    for name, words in synonyms_of(model).items():
        if name not in fields:
            continue
        for word in words:
            key = label_key(word)
            if key:
                loose.setdefault(key, [])
                if name not in loose[key]:
                    loose[key].append(name)
    own = {(label_key(word), name) for name, words in (model._import_synonyms() or {}).items()
           if name in fields and fields[name].type in JOINABLE_TYPES for word in words}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    pending: list[str] = []
    headers = list(headers)
    for header in headers:
        key = label_key(header)
        name = exact.get(key)
        if name and name not in used:
            mapping[header] = name
            used.add(name)
        else:
            mapping[header] = ""
            pending.append(header)
    for header in list(pending):
        key = label_key(header)
        for name in loose.get(key, ()):
            if name in used and (key, name) not in own:
                continue
            mapping[header] = name
            used.add(name)
            pending.remove(header)
            break
    if pending:
        _fuzzy(pending, mapping, used, {**{k: [v] for k, v in exact.items()}, **loose})
    return mapping


def _fuzzy(pending: list[str], mapping: dict[str, str], used: set[str],
           words: dict[str, list[str]]) -> None:
    from rapidfuzz import fuzz, process
    choices = [key for key in words if len(key) > 3]
    for header in pending:
        key = label_key(header)
        if len(key) <= 3:
            continue
        found = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if found:
            name = next((n for n in words[found[0]] if n not in used), None)
            if name:
                mapping[header] = name
                used.add(name)


def check_mapping(model: Any, headers: list[str], mapping: Mapping[str, str],
                  fields: Mapping[str, ImportField] | None = None) -> dict[str, str]:
    """The mapping restricted to the file's headers, refused when it names a field the
    user may not import or gives several columns to a field that is not text."""
    fields = importable_fields(model) if fields is None else fields
    result = {header: (mapping.get(header) or "") for header in headers}
    counts: dict[str, int] = {}
    for header, name in result.items():
        if not name:
            continue
        if name not in fields:
            raise ValidationError(_("Column “%(header)s”: %(model)s has no field “%(field)s” "
                                    "that you may import.", header=header, field=name,
                                    model=model._description or model._name))
        counts[name] = counts.get(name, 0) + 1
    for name, count in counts.items():
        if count > 1 and fields[name].type not in JOINABLE_TYPES:
            raise ValidationError(_("Several columns are mapped to “%(field)s”: only text "
                                    "fields can take more than one column.",
                                    field=fields[name].label))
    if not counts:
        raise ValidationError(_("Map at least one column to a field."))
    return result
