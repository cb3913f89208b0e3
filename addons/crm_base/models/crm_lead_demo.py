"""Demo data of the pipeline that depends on the day the demo is loaded: expected closing
dates, won and lost deals (through the real actions, so the chatter tells their story),
activities past and planned, meetings about opportunities (see ``demo/lead_demo.xml``)."""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from core import Model, api


class CrmLead(Model):
    _inherit = "crm.lead"

    @api.model
    def _demo_prepare(self, plan: list[list[Any]]) -> None:
        """``plan``: ``[lead xml id, closing in days, outcome, activities]`` where outcome
        is ``""``, ``"won"`` or a lost reason's xml id, and activities are
        ``[activity type xml id, due in days, summary]``; a ``meeting`` activity also puts
        a meeting about the opportunity in the salesperson's calendar."""
        now = dt.datetime.now(dt.timezone.utc)
        for xml_id, closing, outcome, activities in plan:
            lead = self.env.ref(xml_id)
            owner = lead.user_id or self.env.ref("base.user_admin")
            today = now.astimezone(ZoneInfo(owner.tz or "UTC")).date()  # the owner's day
            if closing is not None:
                lead.write({"date_deadline": today + dt.timedelta(days=closing)})
            for type_xml_id, due, summary in activities:
                lead.activity_schedule(type_xml_id, date_deadline=today + dt.timedelta(days=due),
                                       summary=summary, user_id=owner.id)
                if type_xml_id == "mail.activity_type_meeting" and "calendar.event" in self.env:
                    start = dt.datetime.combine(today + dt.timedelta(days=due), dt.time(8))
                    self.env["calendar.event"].create({
                        "name": summary, "start": start,
                        "stop": start + dt.timedelta(hours=1), "user_id": owner.id,
                        "opportunity_id": lead.id,
                        "partner_ids": [(6, 0, [owner.partner_id.id,
                                                *lead.partner_id.ids])]})
            if outcome == "won":
                lead.with_user(owner).action_set_won()
            elif outcome:
                lead.with_user(owner).action_set_lost(
                    lost_reason_id=self.env.ref(outcome).id,
                    lost_feedback="Discussed with the customer on the phone.")
