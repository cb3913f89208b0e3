"""``rating.rating``: a customer's rating of a record, 1 to 5 with a comment.

Any record can be rated (a ticket's resolution, a return's handling): the record is
named by ``res_model`` + ``res_id``, like messages. A customer has one rating per record:
rating it again replaces his rating. Each rating is also posted on the record's chatter
(when it has one) as a message of the customer, so the team sees it where they work.
Addons decide when a record may be rated (see ``core.portal.PortalPage.can_rate``);
:meth:`RatingRating.rate` only checks that the customer may read the record.

Access: staff read ratings (they are figures about the service), administrators manage
them; customers read their own; ratings are made through :meth:`RatingRating.rate`.
"""
from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from core import Model, _, api, fields
from core.exceptions import AccessError, ValidationError

MIN_RATING, MAX_RATING = 1, 5
FEEDBACK_MAX = 2000


class RatingRating(Model):
    _name = "rating.rating"
    _description = "Rating"
    _order = "write_date desc, id desc"
    _rec_name = "res_name"

    res_model = fields.Char("Document Model", required=True, index=True, readonly=True)
    res_id = fields.Integer("Document ID", required=True, index=True, readonly=True)
    res_name = fields.Char("Document", readonly=True,
                           help="The record's name when it was rated.")
    partner_id = fields.Many2one("res.partner", "Customer", required=True, index=True,
                                 ondelete="cascade")
    rating = fields.Integer("Rating", required=True, help="From 1 (bad) to 5 (excellent).")
    feedback = fields.Text("Comment")
    message_id = fields.Many2one("mail.message", "Message", ondelete="set null",
                                 readonly=True, help="The rating as posted on the record.")

    _sql_constraints = [("rating_record_partner_unique", "unique(res_model, res_id, "
                         "partner_id)", "A customer rates a record once (again replaces "
                                        "his rating).")]

    @api.constrains("rating")
    def _check_rating(self) -> None:
        for rating in self:
            if not MIN_RATING <= (rating.rating or 0) <= MAX_RATING:
                raise ValidationError(_("A rating is a whole number from %(low)s to "
                                        "%(high)s.", low=MIN_RATING, high=MAX_RATING),
                                      field="rating")

    # -- the API ---------------------------------------------------------------------------
    @api.private
    @api.model
    def rate(self, record: Any, rating: Any, feedback: str = "",
             partner: Any = None) -> "RatingRating":
        """Rate ``record`` as ``partner`` (default: the current user's contact; only the
        system rates for someone else): creates or replaces his rating, posts it on the
        record's chatter, returns it. The current user must be able to read ``record``."""
        record.ensure_one()
        env = self.env
        if partner is None:
            partner = env.user.partner_id
        elif not env.su and partner.id != env.user.partner_id.id:
            raise AccessError(_("You may only rate as yourself."))
        if not partner:
            raise ValidationError(_("Only a user with a contact can rate."))
        value = _rating_value(rating)
        feedback = (feedback or "").strip()
        if len(feedback) > FEEDBACK_MAX:
            raise ValidationError(_("At most %(count)s characters.", count=FEEDBACK_MAX),
                                  field="feedback")
        record = record.with_env(env)
        record.read(["display_name"])  # the rater must be able to read what he rates
        sudo = self.sudo()
        existing = sudo.search([("res_model", "=", record._name), ("res_id", "=", record.id),
                                ("partner_id", "=", partner.id)], limit=1)
        values = {"rating": value, "feedback": feedback or False,
                  "res_name": record.sudo().display_name}
        if existing:
            existing.write(values)
            result = existing
        else:
            result = sudo.create({**values, "res_model": record._name,
                                  "res_id": record.id, "partner_id": partner.id})
        if "message_ids" in record._fields:
            message = record.sudo().message_post(
                body=rating_body(value, feedback, partner.lang or env.lang),
                message_type="comment", subtype_xmlid="mail.mt_comment",
                author_id=partner.id)
            result.write({"message_id": message.id})
        return result.with_env(env)

    @api.private
    @api.model
    def of_record(self, record: Any, partner: Any = None) -> "RatingRating":
        """``partner``'s rating of ``record`` (default: the current user's), if any."""
        partner = partner if partner is not None else self.env.user.partner_id
        return self.sudo().search([("res_model", "=", record._name),
                                   ("res_id", "=", record.id),
                                   ("partner_id", "=", partner.id)], limit=1)

    @api.private
    @api.model
    def averages(self, records: Any) -> dict[int, float]:
        """``{record id: average rating}`` of the rated ones among ``records`` (one
        query)."""
        if not records:
            return {}
        rows = self._read_group_raw([("res_model", "=", records._name),
                                     ("res_id", "in", records.ids)], ["res_id"],
                                    ["rating:avg"])
        return {res_id: round(float(avg), 2) for res_id, avg in rows}


def _rating_value(rating: Any) -> int:
    try:
        value = int(str(rating).strip())
    except (TypeError, ValueError):
        value = 0
    if not MIN_RATING <= value <= MAX_RATING:
        raise ValidationError(_("Choose a rating from %(low)s to %(high)s stars.",
                                low=MIN_RATING, high=MAX_RATING), field="rating")
    return value


def rating_body(value: int, feedback: str, lang: str) -> str:
    """The chatter message announcing a rating: stars, words, the comment."""
    stars = "★" * value + "☆" * (MAX_RATING - value)
    text = _("Rated %(value)s out of %(max)s", value=value, max=MAX_RATING, lang=lang)
    body = Markup('<p><span aria-hidden="true">{stars}</span> {text}</p>').format(
        stars=stars, text=text)
    if feedback:
        body += Markup("<p>{}</p>").format(escape(feedback))
    return str(body)
