"""The kanban view: cards in one column per group, moved by drag and drop or by a form.

URLs: ``/web/action/<action>/kanban`` shows the board (the list's search state in the query
string; ``g`` picks the group-by field, else the arch's ``default_group_by``);
``.../kanban/move`` writes a card's group field (JSON for the script, a form post that
redirects back for keyboard users and browsers without JavaScript); ``.../kanban/quick_create``
creates a record in a column from its name.

A many2one group-by shows every record of the comodel as a column in its ``_order``
(folded when the comodel has a true ``fold``), a selection one column per key; a field a
workflow drives shows the workflow's states (sequence, folded), and a card dropped on
another column moves only along an allowed transition (the error puts it back). The number
of queries does not depend on the number of cards: one grouped query for counts and sums,
one for the ids and group keys of every matching record (cut per column in Python), one
read of the cards shown.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...automation import workflow
from ...exceptions import ValidationError
from ...i18n.translate import _
from ..http import Request, route
from . import values
from .controllers import _action, _context, _rights
from .search import SearchState, SearchView

CARDS_PER_COLUMN = 80
#: beyond this many comodel records, only the groups holding cards become columns
MAX_EMPTY_COLUMNS = 60
FALSE = ("0", "false", "False")
GROUPABLE = ("many2one", "selection")


@dataclass
class Column:
    """One group of the board: its raw key (``None`` for "no value") and its cards."""

    key: Any
    label: str
    fold: bool = False
    count: int = 0
    sums: dict[str, Any] = field(default_factory=dict)
    cards: list[dict[str, Any]] = field(default_factory=list)
    link: str = ""  # the list of this column's records (for "n more")

    @property
    def value(self) -> str:
        """The key as the HTML and the move endpoint carry it ("" for no value)."""
        return "" if self.key in (None, False) else str(self.key)

    @property
    def more(self) -> int:
        return max(self.count - len(self.cards), 0)


@dataclass
class Board:
    """What a kanban request is about: the action, its views and the search."""

    action: Any
    model: Any
    arch: Any
    fields: dict[str, dict]
    state: SearchState
    search: SearchView
    domain: list
    group_by: str
    sum_fields: list[str]


def _board(request: Request, action_id: int, args: Any = None) -> Board:
    action = _action(request, action_id)
    env = request.env
    model = env[action.res_model]
    views = env["ir.ui.view"]
    kanban = views.get_view(action.res_model, "kanban",
                            action._view_id_for("kanban"))
    search_arch = views.get_view(action.res_model, "search", action.search_view_id.id or None)
    state = SearchState.from_args(request.args if args is None else args)
    described = model.fields_get(attributes=["type", "string", "selection", "relation",
                                             "digits"])
    search = SearchView(search_arch.arch, search_arch.fields, env.uid, env.context.get("tz"),
                        described)
    if "active" in model._fields and "archived" in state.filters:
        model = model.with_context(active_test=False)
    group_by = state.group_by or kanban.arch.get("default_group_by") or ""
    if group_by and (described.get(group_by, {}).get("type") not in GROUPABLE
                     or not model._fields[group_by].stored_column):
        raise ValidationError(_("Cards can only be grouped by a stored many2one or "
                                "selection field, not by '%(field)s'.", field=group_by,
                                lang=request.lang), field="g")
    fields = dict(kanban.fields)
    if group_by and group_by not in fields:
        fields[group_by] = described[group_by]
    sum_fields = [n.get("name") for n in kanban.arch.iter("field")
                  if n.get("sum") and n.get("name") in kanban.fields
                  and kanban.fields[n.get("name")]["type"] in ("integer", "float", "monetary")
                  and model._fields[n.get("name")].stored_column]
    domain = list(action._eval_domain()) + search.domain(state)
    return Board(action, model, kanban.arch, fields, state, search, domain, group_by,
                 sum_fields)


def _card_fields(board: Board) -> list[Any]:
    return [node for node in board.arch.iter("field")
            if node.get("name") in board.fields and node.get("invisible") not in ("1", "True")]


def _aggregates(board: Board) -> dict[Any, tuple[int, dict[str, Any]]]:
    """Count and sums per group key, in one query."""
    specs = ["__count"] + [f"{name}:sum" for name in board.sum_fields]
    rows = board.model._read_group_raw(board.domain, [board.group_by] if board.group_by
                                       else [], specs)
    offset = 1 if board.group_by else 0
    result = {}
    for row in rows:
        key = row[0] if board.group_by else None
        result[key] = (row[offset] or 0, {name: row[offset + 1 + i] or 0
                                          for i, name in enumerate(board.sum_fields)})
    return result


def _columns(board: Board, aggregates: dict[Any, tuple[int, dict[str, Any]]]) -> list[Column]:
    """Every column in order: comodel records (or selection keys), then groups left over."""
    if not board.group_by:
        return [Column(None, board.action.name)]
    description = board.fields[board.group_by]
    columns: list[Column] = []
    states = workflow.board_columns(board.model, board.group_by)
    if states is not None:
        # a workflow-bound field: its states, in order, folded as the workflow says
        columns = [Column(key, label, fold) for key, label, fold in states]
        known = {c.key for c in columns}
        columns += [Column(k, str(k)) for k in aggregates if k is not None and k not in known]
    elif description["type"] == "selection":
        columns = [Column(key, str(label)) for key, label in description.get("selection") or []]
    else:
        comodel = board.model.env[description["relation"]]
        fold = "fold" in comodel._fields and comodel._fields["fold"].type == "boolean"
        if comodel._check_access("read", raise_exception=False):
            records = comodel.search([], limit=MAX_EMPTY_COLUMNS + 1)
            if len(records) <= MAX_EMPTY_COLUMNS:
                rows = records.read(["display_name"] + (["fold"] if fold else []))
                columns = [Column(r["id"], r["display_name"], bool(r.get("fold")))
                           for r in rows]
        known = {c.key for c in columns}
        missing = [k for k in aggregates if k is not None and k not in known]
        if missing:
            # groups the user cannot list as columns (too many, or no read access): named
            # as read_group names them
            names = comodel.sudo()._display_names(missing)
            columns += [Column(k, names.get(k, str(k))) for k in missing]
    if None in aggregates:
        columns.insert(0, Column(None, _("None", lang=board.model.env.lang)))
    for column in columns:
        count, sums = aggregates.get(column.key, (0, {}))
        column.count = count
        column.sums = {name: sums.get(name, 0) for name in board.sum_fields}
    return columns


def _fill(board: Board, columns: list[Column], names: list[str]) -> None:
    """Put the first cards of each column in it: one query for the ids and keys of all
    matching records in the board's order, one read of those shown."""
    model = board.model
    order = board.state.order or board.arch.get("default_order") or None
    query = model._search(board.domain, order=order)
    if board.group_by:
        query = query.add_columns(model._sa_table.c[board.group_by])
    by_key = {column.key: column for column in columns}
    chosen: dict[Any, list[int]] = {key: [] for key in by_key}
    for row in model.env.execute(query):
        key = row[1] if board.group_by else None
        ids = chosen.get(key)
        if ids is not None and len(ids) < CARDS_PER_COLUMN:
            ids.append(row[0])
    shown = [i for ids in chosen.values() for i in ids]
    if not shown:
        return
    described = board.fields
    pictures = [n for n in names if described.get(n, {}).get("image")]
    records = model.browse(shown)
    rows = {row["id"]: row for row in records.read(
        list(dict.fromkeys([n for n in names if n not in pictures] + ["version"])))}
    for name in pictures:  # which cards have a picture, without reading the pictures
        having = set(model.search([("id", "in", shown), (name, "!=", False)]).ids)
        for row_id, row in rows.items():
            row[name] = row_id in having
    currencies = values.row_currencies(records, described, names)
    for row_id, row in rows.items():
        row["__currency"] = currencies.get(row_id, {})
    for key, ids in chosen.items():
        by_key[key].cards = [rows[i] for i in ids if i in rows]


@route("/web/action/<int:action_id>/kanban", auth="user")
def kanban_view(request: Request, action_id: int) -> Response | str:
    try:
        board = _board(request, action_id)
    except ValidationError as exc:
        action = _action(request, action_id)
        return _render(request, action, None, status=422, error=str(exc))
    card_fields = _card_fields(board)
    try:
        columns = _columns(board, _aggregates(board))
        _fill(board, columns, [n.get("name") for n in card_fields])
        custom = ["|".join(c) for c in board.state.custom]
        for column in columns:
            column.link = board.state.query(g="", p="", c=[
                *custom, *([f"{board.group_by}|=|{column.value}"] if board.group_by else [])])
    except ValidationError as exc:
        return _render(request, board.action, board, status=422, error=str(exc))
    return _render(request, board.action, board, columns=columns, card_fields=card_fields)


def _render(request: Request, action: Any, board: Board | None, status: int = 200,
            error: str = "", columns: list[Column] | None = None,
            card_fields: list[Any] | None = None) -> Response:
    if board is None:
        state = SearchState.from_args(request.args)
        search_arch = request.env["ir.ui.view"].get_view(action.res_model, "search",
                                                        action.search_view_id.id or None)
        search = SearchView(search_arch.arch, search_arch.fields, request.env.uid,
                            request.env.context.get("tz"))
        model, fields, group_by, sum_fields, arch = request.env[action.res_model], {}, "", \
            [], None
    else:
        state, search, model, fields = board.state, board.search, board.model, board.fields
        group_by, sum_fields, arch = board.group_by, board.sum_fields, board.arch
    groupable = [g for g in search.group_choices
                 if (search.model_fields.get(g.group_by) or {}).get("type") in GROUPABLE]
    can = _rights(model)
    if arch is not None:  # the arch's create="0" / edit="0" narrow the user's rights
        can = {**can, "create": can["create"] and arch.get("create") not in FALSE,
               "write": can["write"] and arch.get("edit") not in FALSE}
    draggable = bool(group_by) and can["write"] and not (
        arch is not None and arch.get("records_draggable") in FALSE)
    quick_create = bool(arch is not None and can["create"] and arch.get("quick_create")
                        not in FALSE)
    return request.render("client/kanban.html", status=status, **_context(request, action),
                          state=state, search=search, error=error, columns=columns or [],
                          card_fields=card_fields or [], fields=fields, group_by=group_by,
                          sum_fields=sum_fields, groupable=groupable, can=can,
                          draggable=draggable, quick_create=quick_create,
                          sum_labels={} if arch is None else {
                              n.get("name"): n.get("sum") for n in arch.iter("field")
                              if n.get("sum") not in (None, "1", "True")},
                          display=values.display, tz=request.env.context.get("tz") or "UTC")


def _posted(request: Request) -> dict[str, Any]:
    if request.is_json:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}
    return request.form.to_dict()


def _group_value(board: Board, raw: Any, lang: str) -> Any:
    """The posted column key converted for ``write`` (``False`` for the "None" column)."""
    description = board.fields[board.group_by]
    if raw in (None, "", False):
        return False
    if description["type"] == "many2one":
        try:
            return int(raw)
        except (TypeError, ValueError):
            pass
    elif str(raw) in {str(k) for k, _label in description.get("selection") or []}:
        return str(raw)
    raise ValidationError(_("'%(value)s' is not a column of this board.", value=raw,
                            lang=lang), field=board.group_by)


def _back(request: Request, action_id: int, data: dict[str, Any]) -> str:
    back = str(data.get("back") or "")
    prefix = f"/web/action/{action_id}/kanban"
    return back if back.startswith(prefix) and "//" not in back else prefix


@route("/web/action/<int:action_id>/kanban/move", methods=("POST",), auth="user")
def move_card(request: Request, action_id: int) -> Response:
    data = _posted(request)
    args = request.args.copy()
    if data.get("g"):
        args["g"] = data["g"]
    board = _board(request, action_id, args)
    if not board.group_by:
        raise ValidationError(_("This board has no columns to move cards between.",
                                lang=request.lang))
    try:
        record_id = int(data.get("record_id") or 0)
    except (TypeError, ValueError):
        record_id = 0
    record = board.model.browse(record_id).exists() if record_id > 0 else None
    if not record:
        raise NotFound()
    value = _group_value(board, data.get("group_value"), request.lang)
    vals: dict[str, Any] = {board.group_by: value}
    version = data.get("version")
    if version not in (None, ""):
        try:
            vals["version"] = int(version)
        except (TypeError, ValueError):
            raise ValidationError(_("The card's version is not valid; reload the page.",
                                    lang=request.lang)) from None
    record.write(vals)
    if not request.is_json and not request.wants_json():
        return redirect(_back(request, action_id, data), code=303)
    counts = {("" if key in (None, False) else str(key)): count
              for key, (count, _sums) in _aggregates(board).items()}
    return _json({"ok": True, "record_id": record.id, "version": record.version,
                  "group_value": "" if value is False else str(value),
                  "column_counts": counts})


@route("/web/action/<int:action_id>/kanban/quick_create", methods=("POST",), auth="user")
def quick_create(request: Request, action_id: int) -> Response:
    data = _posted(request)
    args = request.args.copy()
    if data.get("g"):
        args["g"] = data["g"]
    board = _board(request, action_id, args)
    name = str(data.get("name") or "").strip()
    name_field = board.model._rec_name_field()
    if not name or name_field not in board.model._fields:
        raise ValidationError(_("Type a name for the new record.", lang=request.lang),
                              field="name")
    defaults = {k: v for k, v in board.action._eval_context().items()
                if k.startswith("default_")}
    vals: dict[str, Any] = {name_field: name}
    if board.group_by:
        vals[board.group_by] = _group_value(board, data.get("group_value"), request.lang)
    record = board.model.with_context(**defaults).create(vals)
    if not request.is_json and not request.wants_json():
        return redirect(_back(request, action_id, data), code=303)
    return _json({"ok": True, "record_id": record.id, "version": record.version})


def _json(value: Any, status: int = 200) -> Response:
    import json
    return Response(json.dumps(value), status=status, mimetype="application/json")
