"""Bounces counted on partners: the incoming gateway records them on the recipient."""
from __future__ import annotations

from core import Model, fields


class ResPartnerBounce(Model):
    _inherit = "res.partner"

    message_bounce = fields.Integer("Bounces", default=0, copy=False,
                                    help="How many e-mails to this address bounced.")
