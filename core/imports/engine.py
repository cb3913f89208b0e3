"""The import engine: rows of a :class:`~.reader.Table` become records of a model.

For each row, in order:

1. its cells are converted to field values (:mod:`.convert`); a cell that cannot be
   converted, or an empty cell in the column of a required field, rejects the row, with
   the column and the reason;
2. the model normalises the values as it stores them (``_import_prepare``), so that
   comparing them with stored values is meaningful, and refuses those it would never
   store (a wrong registration number): such a row is rejected whatever its duplicates;
3. the row finds its record: by its external id ``__import__.<prefix>_<key>`` (a row
   imported before: *its own* record), else through the model's ``_import_match`` (an
   existing record that is the same thing: a *duplicate*), else as a row earlier in the
   file sharing one of its ``_import_duplicate_keys``;
4. duplicates follow the policy, per row (``overrides``) or for the whole file:
   ``skip`` leaves the record as it is, ``update`` fills it with the row's non-empty
   values, ``create`` makes a new record anyway (flagged as a possible duplicate).

Then, per record, the values of its rows are merged in file order and compared with what
is stored: only values that really change are written (a second run of the same file
writes nothing: no version bump, no journal entry). New records are created in one batch,
records with the same changes written in one statement, external ids added in one batch;
a batch the database or a constraint refuses is split in halves, each in its own
savepoint, until the refused rows are isolated and rejected with the reason, so a bad
row never loses the good ones. A dry run does all of it inside a savepoint rolled back at
the end.

Rows that name a record they did not create (duplicates skipped or merged) keep their
external id too, marked ``noupdate``: a contact file can point at any account row, and a
second run treats them as duplicates again rather than as the record's own row.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Hashable

from ..exceptions import UserError, ValidationError
from ..i18n.translate import _
from .compare import freeze, is_empty_value, same_value
from .convert import CellError, Converter, as_text, is_empty
from .keys import IMPORT_MODULE, check_prefix, xmlid_name
from .mapping import JOINABLE_TYPES, check_mapping, importable_fields
from .reader import Table
from .result import ImportResult, PossibleDuplicate, RowOutcome

POLICIES = ("skip", "update", "create")


@dataclass
class ImportOptions:
    """How to import a table: the column mapping and what to do with duplicates."""

    mapping: dict[str, str]
    key_column: str | None = None
    prefix: str = ""
    on_duplicate: str = "skip"
    #: a policy for some rows, by line number (the wizard's per-row choice)
    overrides: dict[int, str] = field(default_factory=dict)
    dry_run: bool = False
    #: the user's time zone for datetimes written without one
    tz: str | None = None
    #: keep the mapping for the next file with these headers (real runs only)
    remember: bool = True

    def policy(self, line: int) -> str:
        return self.overrides.get(line) or self.on_duplicate


class _Rollback(Exception):
    """Leaves the dry run's savepoint, undoing everything."""


@dataclass
class _Row:
    index: int
    line: int
    vals: dict[str, Any]
    xmlid: str = ""
    own: bool = True          #: the row's own record (not a duplicate of another)
    target: "_Target | None" = None
    outcome: str = ""
    reason: str = ""
    same_as: str = ""
    #: the record this row was recognised as (before a "create anyway" policy)
    same: "_Target | None" = None


@dataclass
class _Target:
    record_id: int | None = None      #: None: to create
    rows: list[_Row] = field(default_factory=list)
    vals: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    @property
    def first_line(self) -> int:
        return self.rows[0].line if self.rows else 0


def run_import(model: Any, table: Table, options: ImportOptions) -> ImportResult:
    """Import ``table`` into ``model`` (as the environment's user) and say what happened."""
    if options.on_duplicate not in POLICIES or any(
            p not in POLICIES for p in options.overrides.values()):
        raise ValidationError(_("The duplicate policy must be skip, update or create."))
    if options.key_column and options.key_column not in table.headers:
        raise ValidationError(_("The key column “%(column)s” is not in the file.",
                                column=options.key_column))
    if not model.env.su:
        model._check_access("create")
    if not options.dry_run:
        result = _Import(model, table, options).run()
        if options.remember:
            model.env["ir.import.mapping"].sudo().remember(
                model._name, table.headers, options.mapping, options.key_column,
                options.prefix, options.on_duplicate, table.filename)
        return result
    env = model.env
    holder: list[ImportResult] = []
    try:
        with env.savepoint():
            holder.append(_Import(model, table, options).run())
            raise _Rollback()
    except _Rollback:
        pass
    env["ir.model.data"]._forget_xmlids()
    result = holder[0]
    result.dry_run = True
    return result


class _Import:
    def __init__(self, model: Any, table: Table, options: ImportOptions) -> None:
        self.model = model
        self.env = model.env
        self.table = table
        self.options = options
        self.prefix = check_prefix(options.prefix) if options.prefix else ""
        self.fields = importable_fields(model)
        self.mapping = check_mapping(model, table.headers, options.mapping, self.fields)
        self.columns: dict[str, list[int]] = {}
        for index, header in enumerate(table.headers):
            name = self.mapping.get(header)
            if name:
                self.columns.setdefault(name, []).append(index)
        self.key_index = table.headers.index(options.key_column) \
            if options.key_column else None
        self.rows: list[_Row] = []
        self.targets: list[_Target] = []

    # -- the steps -----------------------------------------------------------------------
    def run(self) -> ImportResult:
        self._convert()
        self.bound = self._existing_xmlids([row.xmlid for row in self.rows
                                            if row.xmlid and not row.outcome])
        valid = [row for row in self.rows if not row.outcome]
        if valid:
            prepared = self.model._import_prepare([dict(row.vals) for row in valid])
            for row, vals in zip(valid, prepared):
                if isinstance(vals, Exception):
                    row.outcome, row.reason = "rejected", str(vals)
                else:
                    row.vals = vals
            valid = [row for row in valid if not row.outcome]
            self._find_targets(valid)
            self._merge()
            self._write_existing()
            self._create_new()
            self._bind_xmlids()
        return self._result()

    def _convert(self) -> None:
        converter = Converter(self.model, self.options.tz)
        rows = self.table.rows
        for name, indexes in self.columns.items():
            converter.prepare(name, (row[i] for row in rows for i in indexes))
        headers = self.table.headers
        required = [(name, indexes) for name, indexes in self.columns.items()
                    if self.fields[name].required]
        for position, (cells, line) in enumerate(zip(rows, self.table.lines)):
            vals: dict[str, Any] = {}
            errors: list[str] = []
            for name, indexes in self.columns.items():
                try:
                    vals[name] = self._cell_value(converter, name, [cells[i] for i in indexes])
                except CellError as exc:
                    columns = ", ".join(headers[i] for i in indexes)
                    errors.append(f"{columns}: {exc}")
            for name, indexes in required:
                if name in vals and is_empty_value(vals[name]):
                    errors.append(_("%(columns)s: a value is required (%(field)s).",
                                    columns=", ".join(headers[i] for i in indexes),
                                    field=self.fields[name].label))
            row = _Row(position, line, vals)
            if self.key_index is not None and not is_empty(cells[self.key_index]):
                row.xmlid = xmlid_name(self.prefix, as_text(cells[self.key_index]))
            if errors:
                row.outcome, row.reason = "rejected", " ".join(errors)
            self.rows.append(row)

    def _cell_value(self, converter: Converter, name: str, cells: list[Any]) -> Any:
        if len(cells) == 1:
            return converter.convert(name, cells[0])
        if self.fields[name].type in JOINABLE_TYPES:
            return converter.convert(name, " ".join(as_text(c) for c in cells
                                                    if not is_empty(c)))
        raise CellError(_("only text fields can take several columns"))

    def _find_targets(self, rows: list[_Row]) -> None:
        """Each row's record: its own (external id), a duplicate, or a new one."""
        bound = self.bound
        pending = [row for row in rows if not (row.xmlid in bound and not bound[row.xmlid][1])]
        matches = dict(zip((row.index for row in pending),
                           self.model._import_match([row.vals for row in pending])
                           if pending else []))
        keys = self.model._import_duplicate_keys([row.vals for row in rows])
        by_record: dict[int, _Target] = {}
        by_key: dict[Hashable, _Target] = {}
        by_xmlid: dict[str, _Target] = {}

        def existing(record_id: int) -> _Target:
            if record_id not in by_record:
                by_record[record_id] = _Target(record_id)
                self.targets.append(by_record[record_id])
            return by_record[record_id]

        for row, row_keys in zip(rows, keys):
            record_id, noupdate = bound.get(row.xmlid, (None, False))
            if record_id and not noupdate:
                target = existing(record_id)
            elif row.xmlid and row.xmlid in by_xmlid:
                target = by_xmlid[row.xmlid]
            else:
                duplicate_id = record_id or matches.get(row.index)
                target = existing(duplicate_id) if duplicate_id else next(
                    (by_key[k] for k in row_keys if k in by_key), None)
                if target is not None:
                    row.own, row.same = False, target
                    row.same_as = self._describe(target)
                    if self.options.policy(row.line) == "create":
                        row.own, target = True, None     # a record of its own anyway
                if target is None:
                    target = _Target()
                    self.targets.append(target)
            row.target = target
            target.rows.append(row)
            if row.xmlid:
                by_xmlid.setdefault(row.xmlid, target)
            for key in row_keys:
                by_key.setdefault(key, target)
        if by_record:
            self._label_existing(by_record)

    def _existing_xmlids(self, names: list[str]) -> dict[str, tuple[int, bool]]:
        """``{name: (res_id, noupdate)}`` of the rows' external ids that name an existing
        record of the model; one naming another model's record rejects its row."""
        self.xmlid_rows: dict[str, int] = {}
        if not names:
            return {}
        data = self.env["ir.model.data"].sudo().search_read(
            [("module", "=", IMPORT_MODULE), ("name", "in", sorted(set(names)))],
            ["name", "model", "res_id", "noupdate"])
        alive = set(self.model.sudo().with_context(active_test=False).browse(
            [d["res_id"] for d in data if d["model"] == self.model._name]).exists().ids)
        found = {}
        for item in data:
            if item["model"] != self.model._name:
                for row in self.rows:
                    if row.xmlid == item["name"] and not row.outcome:
                        row.outcome = "rejected"
                        row.reason = _("The key “%(key)s” already names a %(model)s record.",
                                       key=item["name"], model=item["model"])
            elif item["res_id"] in alive:
                found[item["name"]] = (item["res_id"], bool(item["noupdate"]))
        self.xmlid_rows = {d["name"]: d["id"] for d in data}
        return found

    def _label_existing(self, by_record: dict[int, _Target]) -> None:
        names = dict(self.model.sudo().browse(sorted(by_record)).name_get())
        for record_id, target in by_record.items():
            target.label = f"#{record_id} {names.get(record_id, '')}".strip()
        for row in self.rows:
            if row.same_as == "?" and row.same is not None:
                row.same_as = row.same.label

    def _describe(self, target: _Target) -> str:
        if target.record_id:
            return "?"       # named once every existing target is known (one query)
        return _("line %(line)s", line=target.first_line)

    def _merge(self) -> None:
        """The values of each record: its rows' in file order (duplicates merged by the
        ``update`` policy bring only their non-empty values); skipped rows bring none."""
        for target in self.targets:
            for row in target.rows:
                if row.outcome:
                    continue
                if not row.own and self.options.policy(row.line) == "skip":
                    row.outcome = "skipped"
                    continue
                if row.own:
                    target.vals.update(row.vals)
                else:
                    target.vals.update({k: v for k, v in row.vals.items()
                                        if not is_empty_value(v)})

    # -- writing ------------------------------------------------------------------------------
    def _write_existing(self) -> None:
        targets = [t for t in self.targets if t.record_id and any(
            not r.outcome for r in t.rows)]
        if not targets:
            return
        names = sorted({n for t in targets for n in t.vals})
        model = self.model.with_context(active_test=False)
        readable = set(model.search([("id", "in", [t.record_id for t in targets])]).ids)
        current = {row["id"]: row for row in model.browse(sorted(readable)).read(
            names, load="_classic_write")} if names and readable else {}
        changes: dict[tuple, list[_Target]] = {}
        for target in targets:
            if target.record_id not in readable:
                self._reject(target, _("You may not read or change this existing record."))
                continue
            diff = {name: value for name, value in target.vals.items()
                    if not same_value(self.model, name, current[target.record_id][name], value)}
            live = [r for r in target.rows if not r.outcome]
            if not diff:
                for row in live:
                    row.outcome = "unchanged"
                continue
            key = tuple(sorted((name, freeze(value)) for name, value in diff.items()))
            changes.setdefault(key, []).append(target)
            target.vals = diff
        for group in changes.values():
            self._apply(group, lambda batch: model.browse(
                [t.record_id for t in batch]).write(dict(batch[0].vals)), "updated")

    def _create_new(self) -> None:
        targets = [t for t in self.targets if not t.record_id and any(
            not r.outcome for r in t.rows)]
        missing = self._required_missing()
        ready = []
        for target in targets:
            empty = [label for name, label in missing if is_empty_value(
                target.vals.get(name, False))]
            if empty:
                self._reject(target, _("Required value missing: %(fields)s.",
                                       fields=", ".join(empty)))
            else:
                ready.append(target)

        def create(batch: list[_Target]) -> None:
            records = self.model.create([dict(t.vals) for t in batch])
            for target, record_id in zip(batch, records.ids):
                target.record_id = record_id

        self._apply(ready, create, "created")
        for target in ready:
            if target.record_id:
                for row in target.rows[1:]:
                    if row.outcome == "created":
                        row.outcome = "updated"

    def _required_missing(self) -> list[tuple[str, str]]:
        context = self.env.context
        return [(name, info.label) for name, info in self.fields.items()
                if info.required and f"default_{name}" not in context]

    def _apply(self, targets: list[_Target], operation: Callable[[list[_Target]], None],
               action: str) -> None:
        """Run ``operation`` on the batch in a savepoint; when refused, on each half."""
        if not targets:
            return
        try:
            with self.env.savepoint():
                operation(targets)
        except UserError as exc:
            if len(targets) == 1:
                self._reject(targets[0], str(exc))
                return
            middle = len(targets) // 2
            self._apply(targets[:middle], operation, action)
            self._apply(targets[middle:], operation, action)
            return
        for target in targets:
            for row in target.rows:
                if not row.outcome:
                    row.outcome = action

    def _reject(self, target: _Target, reason: str) -> None:
        """Reject the rows that make the target: a row skipped as a duplicate of a record
        that will not exist is rejected with it, one of an existing record stays skipped."""
        first: _Row | None = None
        for row in target.rows:
            if row.outcome == "rejected" or row.outcome and target.record_id:
                continue
            if row.outcome not in ("", "skipped"):
                continue
            row.outcome = "rejected"
            if first is None:
                first, row.reason = row, reason
            else:
                row.reason = _("Same record as line %(line)s, which was rejected: "
                               "%(reason)s", line=first.line, reason=reason)

    def _bind_xmlids(self) -> None:
        """External ids for the rows that have a key: the record they created or
        updated, or (``noupdate``) the record they were recognised as."""
        imd = self.env["ir.model.data"].sudo()
        new: dict[str, dict[str, Any]] = {}
        rebind: dict[int, dict[str, Any]] = {}
        for row in self.rows:
            if not row.xmlid or row.outcome == "rejected" or row.target is None \
                    or not row.target.record_id:
                continue
            res_id, noupdate = row.target.record_id, not row.own
            known = self.bound.get(row.xmlid)
            if known == (res_id, noupdate) or (known and known[0] == res_id and
                                               not known[1]):
                continue
            if row.xmlid in self.xmlid_rows:
                rebind[self.xmlid_rows[row.xmlid]] = {"res_id": res_id, "noupdate": noupdate,
                                                      "model": self.model._name}
            elif row.xmlid not in new:
                new[row.xmlid] = {"module": IMPORT_MODULE, "name": row.xmlid,
                                  "model": self.model._name, "res_id": res_id,
                                  "noupdate": noupdate}
        if new:
            imd.create(list(new.values()))
        for data_id, values in rebind.items():
            imd.browse(data_id).write(values)
        if new or rebind:
            imd._forget_xmlids()

    # -- the result ---------------------------------------------------------------------------
    def _result(self) -> ImportResult:
        table = self.table
        result = ImportResult(self.model._name, table.filename, list(table.headers),
                              kind=table.kind, delimiter=table.delimiter or ",")
        for row in self.rows:
            record_id = row.target.record_id if row.target is not None else None
            result.outcomes.append(RowOutcome(
                row.line, row.outcome or "unchanged",
                record_id if row.outcome != "rejected" else None, row.reason, row.same_as))
            if row.outcome == "rejected":
                result.rejected_cells[row.line] = list(table.rows[row.index])
        result.duplicates = self._possible_duplicates()
        return result

    def _possible_duplicates(self) -> list[PossibleDuplicate]:
        created = [t for t in self.targets if t.record_id and any(
            r.outcome == "created" for r in t.rows)]
        if not created:
            return []
        records = self.model.browse([t.record_id for t in created])
        flagged = self.model._import_flag_duplicates(records) or {}
        if not flagged:
            return []
        others = sorted({i for ids in flagged.values() for i in ids} | set(flagged))
        names = dict(self.model.sudo().browse(others).exists().name_get())
        line_of = {t.record_id: t.first_line for t in created}
        return [PossibleDuplicate(line_of.get(record_id, 0), record_id,
                                  names.get(record_id, ""),
                                  [(i, names.get(i, "")) for i in ids])
                for record_id, ids in flagged.items() if ids]
