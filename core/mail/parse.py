"""Reading received e-mails robustly: headers, addresses, body and attachments.

Real mail is often broken (unknown charsets, bad encoded words, missing boundaries,
8-bit headers): every accessor here falls back instead of raising, so the gateway can
always route or refuse a message with a reason.
"""
from __future__ import annotations

import email
import hashlib
import email.policy
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses
from html import escape

MSGID = re.compile(r"<[^<>\s]+>")


def _decode_words(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except (LookupError, ValueError, UnicodeError, AssertionError):
        return value


def header(msg: Message, name: str) -> str:
    """A header's decoded text (empty when missing or unreadable)."""
    try:
        value = msg.get(name)
    except (LookupError, ValueError, IndexError, TypeError, AttributeError):
        raw = msg.get_all(name, failobj=None) if hasattr(msg, "get_all") else None
        value = raw[0] if raw else None
    if value is None:
        return ""
    text = str(value)
    if "=?" in text:
        text = _decode_words(text)
    return " ".join(text.split())


def addresses(msg: Message, *names: str) -> list[tuple[str, str]]:
    """``(name, lower-case address)`` pairs of these headers."""
    values = [header(msg, name) for name in names]
    try:
        pairs = getaddresses([v for v in values if v])
    except (ValueError, IndexError, TypeError):
        pairs = []
    return [(n, a.strip().lower()) for n, a in pairs if a and "@" in a]


def message_ids(value: str) -> list[str]:
    return MSGID.findall(value or "")


def _text_of(part: Message) -> str:
    try:
        return str(part.get_content())
    except (LookupError, ValueError, KeyError, AttributeError, AssertionError, TypeError):
        payload = part.get_payload(decode=True) or b""
        if isinstance(payload, str):
            return payload
        charset = part.get_content_charset() or "utf-8"
        for candidate in (charset, "utf-8", "latin-1"):
            try:
                return payload.decode(candidate, "replace")
            except LookupError:
                continue
        return payload.decode("latin-1", "replace")


def _bytes_of(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, AssertionError, TypeError):
        data = None
    if data is None:
        payload = part.get_payload()
        if isinstance(payload, list):  # message/rfc822: the whole message as bytes
            try:
                return payload[0].as_bytes() if payload else b""
            except (ValueError, LookupError, UnicodeError, TypeError):
                return str(payload[0]).encode("utf-8", "replace") if payload else b""
        return str(payload or "").encode("utf-8", "replace")
    return data


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except (LookupError, ValueError, TypeError, AttributeError):
        name = None
    return _decode_words(str(name)).strip() if name else ""


@dataclass
class Parsed:
    """What the gateway needs of one e-mail."""

    message: Message
    message_id: str
    subject: str
    author: tuple[str, str]
    to: list[tuple[str, str]]
    references: list[str]
    body_html: str
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    content_type: str = ""
    report_type: str = ""


def parse(data: bytes) -> Parsed:
    """Parse raw RFC 822 bytes (never raises on malformed input)."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    authors = addresses(msg, "From") or addresses(msg, "Sender", "Return-Path")
    refs = message_ids(header(msg, "References"))
    for parent in reversed(message_ids(header(msg, "In-Reply-To"))):
        if parent not in refs:
            refs.append(parent)
    try:
        content_type = msg.get_content_type()
        report_type = (msg.get_param("report-type") or "").lower() \
            if content_type == "multipart/report" else ""
    except (ValueError, TypeError, AttributeError):
        content_type, report_type = "", ""
    ids = message_ids(header(msg, "Message-Id"))
    if not ids:  # a stable id all the same: the same e-mail delivered twice is one
        ids = [f"<{hashlib.sha256(data).hexdigest()[:32]}@no-message-id.invalid>"]
    parsed = Parsed(msg, ids[0], header(msg, "Subject"),
                    authors[0] if authors else ("", ""),
                    addresses(msg, "To", "Cc", "Delivered-To", "X-Original-To"),
                    refs, "", content_type=content_type, report_type=str(report_type))
    parsed.body_html, parsed.attachments = _body_and_files(msg)
    return parsed


def _body_and_files(msg: Message) -> tuple[str, list[tuple[str, bytes]]]:
    html_part = plain_part = None
    files: list[tuple[str, bytes]] = []
    try:
        parts = list(msg.walk())
    except (ValueError, TypeError, AttributeError):
        parts = [msg]
    for index, part in enumerate(parts):
        try:
            ctype = part.get_content_type()
            disposition = (part.get_content_disposition() or "").lower()
        except (ValueError, TypeError, AttributeError):
            continue
        if part.is_multipart() and ctype != "message/rfc822":
            continue
        name = _filename(part)
        if ctype == "message/rfc822" and index:
            files.append((name or "message.eml", _bytes_of(part)))
            continue
        if disposition == "attachment" or (name and not ctype.startswith("text/")) or (
                not ctype.startswith("text/") and ctype != "message/rfc822"):
            if _inside_rfc822(parts, part):
                continue
            files.append((name or f"part-{index}.{ctype.split('/')[-1]}", _bytes_of(part)))
        elif ctype == "text/html" and html_part is None and not _inside_rfc822(parts, part):
            html_part = part
        elif ctype.startswith("text/") and plain_part is None and \
                not _inside_rfc822(parts, part):
            plain_part = part
    if html_part is not None:
        body = _text_of(html_part)
    elif plain_part is not None:
        body = "<pre>" + escape(_text_of(plain_part).strip()) + "</pre>"
    else:
        body = ""
    return body, files


def _inside_rfc822(parts: list[Message], part: Message) -> bool:
    """Parts of an attached message belong to that message (kept as a .eml file)."""
    for candidate in parts:
        if candidate is part:
            return False
        try:
            if candidate.get_content_type() == "message/rfc822":
                inner = candidate.get_payload()
                if isinstance(inner, list) and any(p is part for m in inner for p in m.walk()):
                    return True
        except (ValueError, TypeError, AttributeError):
            continue
    return False
