"""``product.video``: links to a product's videos (demonstrations, tutorials).

Only web addresses (``http``/``https`` with a host) are accepted: a link shown to sales
reps and customers must never run a script (``javascript:``) or open a local file.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from core import Model, ValidationError, _, api, fields


class ProductVideo(Model):
    _name = "product.video"
    _description = "Product Video"
    _order = "product_id, sequence, id"

    product_id = fields.Many2one("product.product", "Product", required=True,
                                 ondelete="cascade", index=True)
    sequence = fields.Integer("Sequence", default=10)
    name = fields.Char("Title", required=True)
    url = fields.Char("Link", required=True, help="A web address (https://...).")

    @api.constrains("url")
    def _check_url(self) -> None:
        for video in self:
            url = (video.url or "").strip()
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
                raise ValidationError(_("'%(url)s' is not a web address: a video link starts "
                                        "with https:// (or http://) and names a site.",
                                        url=url), field="url")
