"""Server-side rendering with jinja2: the kernel's templates live in ``views/`` at the top
of the project; an addon's ``templates/`` folder can add or override pages.

Templates are autoescaped; ``_()`` translates in the request's language; every page gets
``request``, ``user``, ``csrf_token`` and the static URL helper.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import jinja2
from werkzeug.wrappers import Response

from ..i18n.translate import _

if TYPE_CHECKING:
    from .http import Request

KERNEL_VIEWS = Path(__file__).resolve().parents[2] / "views"
#: functions every template may call, registered by the modules that own them (for
#: example ``attachment_panel`` by :mod:`core.web.client.attachments`)
GLOBALS: dict[str, Any] = {}


class Templates:
    """One jinja2 environment per application."""

    def __init__(self, extra_dirs: Iterable[Path] = (), auto_reload: bool = False) -> None:
        folders = [str(p) for p in extra_dirs if Path(p).is_dir()] + [str(KERNEL_VIEWS)]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folders), autoescape=True,
            auto_reload=auto_reload, undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True)

    def render(self, request: "Request", template: str, **values: Any) -> str:
        lang = request.lang

        def translate(message: str, **params: Any) -> str:
            return _(message, lang=lang, **params)

        context = {"request": request, "user": request.user, "csrf_token": request.csrf,
                   "_": translate, "lang": lang, "html_lang": lang.split("_")[0],
                   "static": lambda path: f"/web/static/{path}", **GLOBALS}
        context.update(values)
        return self.env.get_template(template).render(context)

    def response(self, request: "Request", template: str, status: int = 200,
                 **values: Any) -> Response:
        return Response(self.render(request, template, **values), status=status,
                        mimetype="text/html")
