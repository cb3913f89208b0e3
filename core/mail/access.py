"""Checking the records messages, followers and activities are attached to.

Creating them is allowed when the attached records exist and the user may do what the
operation needs on them (``post``: what the model's ``_mail_post_access`` asks, ``write``
by default). Rows created together are checked together: one query for their existence
and one for the record rules, per model, whatever the number of rows.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from core import AccessError, ValidationError, _


def group_targets(rows: Iterable[tuple[Any, Any, str]]) -> dict[tuple[str, str], set[int]]:
    """``{(model, operation): ids}`` out of ``(res_model, res_id, operation)`` triples
    (rows attached to no record are left out)."""
    targets: dict[tuple[str, str], set[int]] = defaultdict(set)
    for res_model, res_id, operation in rows:
        if res_model:
            try:
                targets[(res_model, operation)].add(int(res_id or 0))
            except (TypeError, ValueError):
                raise ValidationError(_("'%(value)s' is not a record id.", value=res_id),
                                      field="res_id") from None
    return targets


def check_targets(env: Any, targets: dict[tuple[str, str], set[int]], missing: str) -> None:
    """Refuse unknown models, missing records (``missing``: the message) and records the
    user may not ``operation``."""
    for (model_name, operation), ids in targets.items():
        model = env.registry.models.get(model_name)
        if model is None or model._abstract:
            raise ValidationError(_("Unknown document model %(model)s.", model=model_name),
                                  field="res_model")
        records = env[model_name].with_context(active_test=False).browse(sorted(ids))
        if 0 in ids or len(records.exists()) != len(records):
            raise ValidationError(missing, field="res_id")
        if env.su:
            continue
        if operation == "post":
            operation = getattr(records, "_mail_post_access", "write")
        if not records._check_access(operation, raise_exception=False):
            raise AccessError(records._access_error_message(operation))
        records._check_rules(operation)
