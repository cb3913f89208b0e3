"""Who may do what: groups, model access, record rules, field groups.

Everything a check needs is computed once per user and kept in a per-registry cache
(one query for the user's groups, one for model permissions, one per model and operation
for rules), cleared whenever access rows, rules, groups or memberships change. Record
rules are domains; :mod:`core.orm` compiles them into the SQL of each query, so rows a
user may not see are never fetched.

Composition: global rules (no group) all apply (AND); group rules of the user's groups
are alternatives (OR); the result is ``AND(globals) AND OR(group rules)``.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..exceptions import AccessError, ValidationError
from ..i18n.translate import _
from ..orm import signals
from ..orm.domain import domain_and, domain_or, normalize

if TYPE_CHECKING:
    from ..orm import BaseModel, Environment, Registry

OPERATIONS = ("read", "write", "create", "unlink")
#: models whose changes invalidate the security cache
SECURITY_MODELS = frozenset({"ir.model.access", "ir.rule", "res.groups", "res.users",
                             "ir.ui.menu", "ir.actions.act_window"})


def cache_of(env: "Environment") -> dict[Any, Any]:
    """The security cache: shared by the process, except in a transaction that changed
    security data, which keeps its own (a rollback must not leave its view behind)."""
    if env.transaction.__dict__.get("security_changed"):
        return env.transaction.__dict__.setdefault("security_cache", {})
    return env.registry.__dict__.setdefault("security_cache", {})


def clear_cache(env: "Environment") -> None:
    """Security data changed in this transaction: forget the shared cache and use a
    private one until the transaction ends."""
    signals.caches_changed(env)  # this worker's caches, and every other's once committed
    env.transaction.__dict__["security_changed"] = True
    env.transaction.__dict__["security_cache"] = {}


def _table(env: "Environment", name: str) -> sa.Table:
    return env.registry.metadata.tables[name]


def user_group_ids(env: "Environment", uid: int) -> frozenset[int]:
    """The user's groups, implied groups included."""
    cache = cache_of(env)
    key = ("groups", uid)
    if key not in cache:
        members = _table(env, "res_groups_users_rel")
        implied = _table(env, "res_groups_implied_rel")
        direct = {r[0] for r in env.execute(sa.select(members.c.gid).where(members.c.uid == uid))}
        edges: dict[int, set[int]] = defaultdict(set)
        for gid, hid in env.execute(sa.select(implied.c.gid, implied.c.hid)):
            edges[gid].add(hid)
        result, todo = set(direct), list(direct)
        while todo:
            for hid in edges.get(todo.pop(), ()):
                if hid not in result:
                    result.add(hid)
                    todo.append(hid)
        cache[key] = frozenset(result)
    return cache[key]


def group_id(env: "Environment", xml_id: str) -> int | None:
    cache = cache_of(env)
    key = ("xmlid", xml_id)
    if key not in cache:
        found = env(su=True)["ir.model.data"]._xmlid_lookup(xml_id)
        cache[key] = found[1] if found and found[0] == "res.groups" else None
    return cache[key]


def has_group(env: "Environment", uid: int, xml_id: str) -> bool:
    gid = group_id(env, xml_id)
    return gid is not None and gid in user_group_ids(env, uid)


def model_permissions(env: "Environment", uid: int) -> dict[str, frozenset[str]]:
    """``{model: {operations}}`` granted to the user by ``ir.model.access``."""
    cache = cache_of(env)
    key = ("access", uid)
    if key not in cache:
        access, models = _table(env, "ir_model_access"), _table(env, "ir_model")
        groups = user_group_ids(env, uid)
        query = sa.select(models.c.model, access.c.perm_read, access.c.perm_write,
                          access.c.perm_create, access.c.perm_unlink).join(
            models, models.c.id == access.c.model_id).where(
            access.c.active.is_(True),
            sa.or_(access.c.group_id.is_(None), access.c.group_id.in_(sorted(groups))))
        granted: dict[str, set[str]] = defaultdict(set)
        for model, *perms in env.execute(query):
            granted[model].update(op for op, flag in zip(OPERATIONS, perms) if flag)
        cache[key] = {model: frozenset(ops) for model, ops in granted.items()}
    return cache[key]


def allowing_groups(env: "Environment", model: str, operation: str) -> list[str]:
    """Names of the groups an access row grants ``operation`` on ``model`` to, in the
    user's language."""
    access, models = _table(env, "ir_model_access"), _table(env, "ir_model")
    column = access.c[f"perm_{operation}"]
    ids = {r[0] for r in env.execute(sa.select(access.c.group_id).join(
        models, models.c.id == access.c.model_id).where(
        models.c.model == model, column.is_(True), access.c.active.is_(True)))}
    if None in ids:
        return [_("every user", lang=env.lang)]
    groups = env(su=True).with_context(lang=env.lang)["res.groups"]
    return sorted(groups.browse(sorted(ids)).mapped("name"))


def access_error(env: "Environment", model: "BaseModel", operation: str) -> AccessError:
    lang = env.lang
    labels = {"read": _("read", lang=lang), "write": _("modify", lang=lang),
              "create": _("create", lang=lang), "unlink": _("delete", lang=lang)}
    groups = allowing_groups(env, model._name, operation)
    message = _("You may not %(operation)s %(model)s records (%(technical)s, operation "
                "'%(op)s').", operation=labels[operation],
                model=_(model._description or model._name, lang=lang),
                technical=model._name, op=operation, lang=lang)
    if groups:
        message += " " + _("Allowed for: %(groups)s.", groups=", ".join(groups), lang=lang)
    else:
        message += " " + _("No group is allowed to do this.", lang=lang)
    return AccessError(message)


# -- record rules -------------------------------------------------------------------------
def rule_domain(env: "Environment", uid: int, model: str, operation: str) -> list:
    """The combined rule domain of ``model`` for the user (``[]``: unrestricted)."""
    cache = cache_of(env)
    key = ("rules", uid, model, operation)
    if key in cache:
        return cache[key]
    if "ir.rule" not in env.registry:
        cache[key] = []
        return []
    rules, models = _table(env, "ir_rule"), _table(env, "ir_model")
    rel = _table(env, "rule_group_rel")
    query = sa.select(rules.c.id, rules.c.domain_force).join(
        models, models.c.id == rules.c.model_id).where(
        models.c.model == model, rules.c.active.is_(True),
        rules.c[f"perm_{operation}"].is_(True)).order_by(rules.c.id)
    found = env.execute(query).all()
    if not found:
        cache[key] = []
        return []
    groups_of: dict[int, set[int]] = defaultdict(set)
    for rule_id, gid in env.execute(sa.select(rel.c.rule_group_id, rel.c.group_id).where(
            rel.c.rule_group_id.in_([r[0] for r in found]))):
        groups_of[rule_id].add(gid)
    user_groups = user_group_ids(env, uid)
    user = env(su=True)["res.users"].browse(uid)
    global_domains, group_domains = [], []
    for rule_id, text in found:
        if not groups_of[rule_id]:
            global_domains.append(eval_rule_domain(text, user))
        elif groups_of[rule_id] & user_groups:
            group_domains.append(eval_rule_domain(text, user))
    parts = list(global_domains)
    if group_domains:
        parts.append(domain_or(*group_domains))
    result = domain_and(*parts) if parts else []
    cache[key] = result
    return result


def eval_rule_domain(text: str | None, user: "BaseModel") -> list:
    """Evaluate a rule's domain text: literals, lists, tuples, and attribute chains on
    ``user`` (``user.id``, ``user.partner_id.commercial_partner_id.id``,
    ``user.groups_id.ids``), ``company_id`` and ``company_ids``. Nothing else runs."""
    if not text or not text.strip():
        return []
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValidationError(_("Invalid rule domain %(text)s: %(error)s", text=text,
                                error=exc.msg)) from None
    names = {"user": user, "company_id": user.company_id.id or False,
             "company_ids": user.company_id.ids, "True": True, "False": False, "None": None}

    def visit(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return visit(node.body)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple)):
            values = [visit(e) for e in node.elts]
            return tuple(values) if isinstance(node, ast.Tuple) else values
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -visit(node.operand)
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        if isinstance(node, ast.Attribute):
            base = visit(node.value)
            field = base._fields.get(node.attr) if hasattr(base, "_fields") else None
            if not hasattr(base, "_fields") or (field is None and node.attr not in (
                    "id", "ids")) or (field is not None and field.groups):
                # group-restricted fields (secrets among them) never feed a rule
                raise ValidationError(_("Rule domain %(text)s: '%(attr)s' is not allowed.",
                                        text=text, attr=node.attr))
            value = getattr(base, node.attr)
            return value if value is not None else False
        raise ValidationError(_("Rule domain %(text)s may only use literals and user "
                                "attributes.", text=text))

    domain = visit(tree)
    return normalize(domain)


def field_allowed(env: "Environment", uid: int, groups: str) -> bool:
    """Whether the user is in one of the comma-separated group external ids."""
    return any(has_group(env, uid, xml_id.strip()) for xml_id in groups.split(",")
               if xml_id.strip())
