"""``ir.sequence``: references such as ``TCK/2026/00042``.

``standard`` sequences never block concurrent transactions (a native PostgreSQL sequence;
numbers lost in rolled-back transactions leave gaps); ``no_gap`` sequences lock their row
until the transaction ends, so every number is used exactly once.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from core import Model, _, fields
from core.exceptions import UserError, ValidationError

_DATE_PARTS = {
    "year": "%Y", "y": "%y", "month": "%m", "day": "%d", "doy": "%j", "woy": "%W",
    "weekday": "%w", "h24": "%H", "h12": "%I", "min": "%M", "sec": "%S",
}


class IrSequence(Model):
    _name = "ir.sequence"
    _description = "Sequence"
    _order = "name"

    name = fields.Char("Name", required=True)
    code = fields.Char("Sequence Code", index=True)
    implementation = fields.Selection(
        [("standard", "Standard"), ("no_gap", "No gap")], "Implementation",
        default="standard", required=True)
    prefix = fields.Char("Prefix", help="Date parts: %(year)s %(y)s %(month)s %(day)s ...")
    suffix = fields.Char("Suffix")
    padding = fields.Integer("Sequence Size", default=5)
    number_next = fields.Integer("Next Number", default=1)
    number_increment = fields.Integer("Step", default=1)
    active = fields.Boolean("Active", default=True)

    @staticmethod
    def _interpolate(text: str | None, when: dt.datetime) -> str:
        if not text:
            return ""
        values = {key: when.strftime(fmt) for key, fmt in _DATE_PARTS.items()}
        try:
            return text % values
        except (KeyError, ValueError) as exc:
            raise ValidationError(_("Invalid prefix or suffix '%(text)s': %(error)s",
                                    text=text, error=exc)) from None

    def _pg_sequence_name(self) -> str:
        return f"ir_sequence_{self.id:03d}"

    def _next_number(self) -> int:
        self.ensure_one()
        table = self._sa_table
        env = self.env
        if env.dialect == "postgresql" and self.implementation == "standard":
            name = self._pg_sequence_name()
            env.conn.exec_driver_sql(
                f"CREATE SEQUENCE IF NOT EXISTS {name} INCREMENT BY {int(self.number_increment)}"
                f" START WITH {int(self.number_next)}")
            return int(env.conn.exec_driver_sql(f"SELECT nextval('{name}')").scalar_one())
        statement = table.update().where(table.c.id == self.id).values(
            number_next=table.c.number_next + table.c.number_increment,
            version=table.c.version + 1,
        ).returning(table.c.number_next - table.c.number_increment)
        number = env.execute(statement).scalar_one()
        env.cache.invalidate([(self._name, "number_next"), (self._name, "version")], [self.id])
        return int(number)

    def next_by_id(self, when: dt.datetime | None = None) -> str:
        self.ensure_one()
        when = when or dt.datetime.now()
        number = self.sudo()._next_number()
        return (self._interpolate(self.prefix, when) + f"{number:0{self.padding}d}"
                + self._interpolate(self.suffix, when))

    def next_by_code(self, code: str, when: dt.datetime | None = None) -> str:
        """The next reference of the active sequence with this code."""
        sequence = self.sudo().search([("code", "=", code)], limit=1)
        if not sequence:
            raise UserError(_("No sequence has the code '%(code)s'.", code=code))
        return sequence.next_by_id(when)

    def write(self, vals: dict[str, Any]) -> bool:
        result = super().write(vals)
        if self.env.dialect == "postgresql" and ("number_next" in vals or
                                                 "number_increment" in vals):
            for sequence in self:
                self.env.conn.exec_driver_sql(
                    f"DROP SEQUENCE IF EXISTS {sequence._pg_sequence_name()}")
        return result

    def unlink(self) -> bool:
        names = [s._pg_sequence_name() for s in self] if self.env.dialect == "postgresql" else []
        result = super().unlink()
        for name in names:
            self.env.conn.exec_driver_sql(f"DROP SEQUENCE IF EXISTS {name}")
        return result

