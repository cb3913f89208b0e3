"""@mentions and the text of messages.

The composer sends plain text and the partners the user picked from the @ autocomplete;
:func:`text_to_html` escapes the text, keeps its paragraphs and line breaks, and turns each
``@Name`` of a picked partner into a link to that contact (the message's ``partner_ids``
then notify them). :func:`html_to_text` gives the plain text of a message (SMS, previews).
"""
from __future__ import annotations

import html
import re
from typing import Iterable

from markupsafe import Markup, escape

_TAG = re.compile(r"<[^>]+>")
_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6])\s*/?>", re.IGNORECASE)


def mention_link(partner_id: int, name: str) -> Markup:
    return Markup('<a href="/mail/open/res.partner/{id}">@{name}</a>').format(
        id=int(partner_id), name=name)


def text_to_html(text: str, mentions: Iterable[tuple[int, str]] = ()) -> str:
    """HTML paragraphs for ``text``; ``@Name`` of each ``(partner id, name)`` becomes
    a link (longest names first, so "@Anne Marie" wins over "@Anne")."""
    pairs = sorted(((pid, name) for pid, name in mentions if name),
                   key=lambda pair: -len(pair[1]))
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", (text or "").strip())]
    result = []
    for paragraph in paragraphs:
        if not paragraph:
            continue
        chunk = str(escape(paragraph))
        for partner_id, name in pairs:
            token = str(escape(f"@{name}"))
            if token in chunk:
                chunk = chunk.replace(token, f"\0{partner_id}\0")
        for partner_id, name in pairs:
            chunk = chunk.replace(f"\0{partner_id}\0", str(mention_link(partner_id, name)))
        result.append("<p>" + chunk.replace("\n", "<br>") + "</p>")
    return "".join(result)


def mentioned(text: str, names: dict[int, str]) -> list[int]:
    """The partners of ``names`` (``{id: name}``) whose ``@Name`` is in ``text``."""
    return [pid for pid, name in names.items() if name and f"@{name}" in (text or "")]


def html_to_text(value: str) -> str:
    """The readable text of sanitised HTML: tags removed, breaks kept, entities decoded."""
    text = _BREAKS.sub("\n", value or "")
    text = html.unescape(_TAG.sub("", text))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
