"""View inheritance: applying an extension arch to its parent's arch (Odoo's xpath specs).

An extension holds one spec, or several inside ``<data>``. A spec locates a node of the
parent either with ``<xpath expr="...">`` or by example (``<field name="x">`` matches
the first ``field`` whose attributes equal the spec's, ``position`` aside), then applies
its ``position``:

``inside`` (default)
    append the spec's children to the node;
``before`` / ``after``
    insert them as the node's previous / next siblings;
``replace``
    put them in place of the node (no children: remove it);
``attributes``
    ``<attribute name="x">value</attribute>`` sets (empty: removes) an attribute;
    ``<attribute name="class" add="a b" remove="c"/>`` edits a list of values
    (separator ``separator``, default a space for ``class``, else a comma).

Among the children, ``<field name="b" position="move"/>`` (or an xpath with
``position="move"``) takes node ``b`` from where it is instead of inserting a copy.
"""
from __future__ import annotations

import copy
from typing import Iterable

from lxml import etree

from ..exceptions import ValidationError
from ..i18n.translate import _

POSITIONS = ("inside", "before", "after", "replace", "attributes")
_IGNORED_ATTRIBUTES = ("position", "version")


def specs_of(spec_arch: etree._Element) -> list[etree._Element]:
    """The specs of an extension arch: its root, or the children of a ``<data>`` root."""
    if spec_arch.tag == "data":
        return [node for node in spec_arch if isinstance(node.tag, str)]
    return [spec_arch]


def describe(spec: etree._Element) -> str:
    if spec.tag == "xpath":
        return f"xpath {spec.get('expr')!r}"
    attributes = " ".join(f'{k}="{v}"' for k, v in spec.attrib.items()
                          if k not in _IGNORED_ATTRIBUTES)
    return f"<{spec.tag}{' ' if attributes else ''}{attributes}>"


def locate(arch: etree._Element, spec: etree._Element) -> etree._Element | None:
    """The node of ``arch`` a spec designates, or None."""
    if spec.tag == "xpath":
        try:
            found = arch.getroottree().xpath(spec.get("expr") or "")
        except etree.XPathError:
            return None
        nodes = [node for node in found if isinstance(node, etree._Element)] \
            if isinstance(found, list) else []
        return nodes[0] if nodes else None
    wanted = {k: v for k, v in spec.attrib.items() if k not in _IGNORED_ATTRIBUTES}
    for node in arch.iter(spec.tag):
        if all(node.get(k) == v for k, v in wanted.items()):
            return node
    return None


def apply_inheritance(arch: etree._Element, spec_arch: etree._Element, view: str
                      ) -> etree._Element:
    """Apply every spec of ``spec_arch`` to ``arch`` (modified in place) and return the
    resulting root (a new one when a spec replaced the root). ``view`` names the
    extension in error messages."""
    for spec in specs_of(spec_arch):
        arch = _apply_spec(arch, spec, view)
    return arch


def _apply_spec(arch: etree._Element, spec: etree._Element, view: str) -> etree._Element:
    position = spec.get("position", "inside")
    if position not in POSITIONS:
        raise ValidationError(_("View %(view)s: %(spec)s has an invalid position "
                                "'%(position)s' (valid: %(valid)s).", view=view,
                                spec=describe(spec), position=position,
                                valid=", ".join(POSITIONS)), field="arch")
    node = locate(arch, spec)
    if node is None:
        raise ValidationError(_("View %(view)s: %(spec)s matches nothing in the parent view.",
                                view=view, spec=describe(spec)), field="arch")
    if position == "attributes":
        _set_attributes(node, spec, view)
        return arch
    content = _content(arch, spec, view)
    if position == "inside":
        if spec.text and spec.text.strip():
            _append_text(node, spec.text)
        node.extend(content)
    elif position == "after":
        anchor = node
        for new in content:
            anchor.addnext(new)
            anchor = new
    elif position == "before":
        for new in content:
            node.addprevious(new)
    else:  # replace
        parent = node.getparent()
        if parent is None:
            elements = [n for n in content if isinstance(n.tag, str)]
            if len(elements) != 1:
                raise ValidationError(_("View %(view)s: replacing the root needs exactly one "
                                        "element.", view=view), field="arch")
            return elements[0]
        for new in content:
            node.addprevious(new)
        _detach(node)
    return arch


def _content(arch: etree._Element, spec: etree._Element, view: str) -> list[etree._Element]:
    """Copies of the spec's children; ``position="move"`` ones are taken from ``arch``."""
    result = []
    for child in spec:
        if not isinstance(child.tag, str):
            continue
        if child.get("position") == "move":
            moved = locate(arch, child)
            if moved is None:
                raise ValidationError(_("View %(view)s: %(spec)s (to move) matches nothing in "
                                        "the parent view.", view=view, spec=describe(child)),
                                      field="arch")
            _detach(moved)
            result.append(moved)
        else:
            new = copy.deepcopy(child)
            result.append(new)
    return result


def _detach(node: etree._Element) -> None:
    """Remove ``node`` from its parent, keeping the text that followed it."""
    parent = node.getparent()
    if parent is None:
        return
    if node.tail and node.tail.strip():
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    node.tail = None
    parent.remove(node)


def _append_text(node: etree._Element, text: str) -> None:
    if len(node):
        node[-1].tail = (node[-1].tail or "") + text
    else:
        node.text = (node.text or "") + text


def _set_attributes(node: etree._Element, spec: etree._Element, view: str) -> None:
    for attribute in spec:
        if not isinstance(attribute.tag, str):
            continue
        name = attribute.get("name")
        if attribute.tag != "attribute" or not name:
            raise ValidationError(_("View %(view)s: position=\"attributes\" only takes "
                                    "<attribute name=\"...\"> children.", view=view),
                                  field="arch")
        if attribute.get("add") is not None or attribute.get("remove") is not None:
            separator = attribute.get("separator", " " if name == "class" else ",")
            values = _split(node.get(name, ""), separator)
            removed = set(_split(attribute.get("remove", ""), separator))
            values = [v for v in values if v not in removed]
            values += [v for v in _split(attribute.get("add", ""), separator)
                       if v not in values]
            joined = (separator if separator.strip() else " ").join(values)
            _set(node, name, joined)
        else:
            _set(node, name, (attribute.text or "").strip())


def _split(text: str, separator: str) -> list[str]:
    parts: Iterable[str] = text.split(separator) if separator.strip() else text.split()
    return [p.strip() for p in parts if p.strip()]


def _set(node: etree._Element, name: str, value: str) -> None:
    if value:
        node.set(name, value)
    elif name in node.attrib:
        del node.attrib[name]
