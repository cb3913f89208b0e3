"""The geometry of a workflow diagram: states in a row (in sequence order), transitions as
arcs, forward ones above the row and backward ones below, "from any state" ones as
dashed arrows dropping onto their state from the top, where they are named. Pure computation: the web client draws it as SVG next to a
table saying the same in text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

NODE_W, NODE_H, GAP, MARGIN = 150, 52, 70, 24
ARC_STEP, ARC_BASE = 26, 34


@dataclass
class Node:
    id: int
    label: str
    kind: str
    initial: bool
    fold: bool
    x: float = 0
    y: float = 0
    w: float = NODE_W
    h: float = NODE_H

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


@dataclass
class Edge:
    id: int
    label: str
    source: str
    target: str
    path: str = ""
    label_x: float = 0
    label_y: float = 0
    anywhere: bool = False


@dataclass
class Diagram:
    width: float
    height: float
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def layout(states: Iterable[dict[str, Any]], transitions: Iterable[dict[str, Any]],
           any_label: str = "any state") -> Diagram:
    """``states``: dicts with id, label, kind, initial, fold (in order); ``transitions``:
    dicts with id, label, from_id (None: from any state), to_id."""
    nodes = [Node(s["id"], s["label"], s.get("kind") or "open", bool(s.get("initial")),
                  bool(s.get("fold"))) for s in states]
    index = {n.id: i for i, n in enumerate(nodes)}
    edges_in = [t for t in transitions if t["to_id"] in index and (
        t.get("from_id") is None or t["from_id"] in index)]
    spans_up = [index[t["to_id"]] - index[t["from_id"]] for t in edges_in
                if t.get("from_id") is not None and index[t["to_id"]] > index[t["from_id"]]]
    spans_down = [index[t["from_id"]] - index[t["to_id"]] for t in edges_in
                  if t.get("from_id") is not None and index[t["to_id"]] < index[t["from_id"]]]
    has_any = any(t.get("from_id") is None for t in edges_in)
    top = MARGIN + _lift(max(spans_up, default=0)) + (30 if has_any else 0) + 18
    bottom = _lift(max(spans_down, default=0)) + MARGIN + 18
    for i, node in enumerate(nodes):
        node.x, node.y = MARGIN + i * (NODE_W + GAP), top
    width = MARGIN * 2 + max(len(nodes), 1) * NODE_W + max(len(nodes) - 1, 0) * GAP
    diagram = Diagram(width, top + NODE_H + bottom, nodes)
    by_pair: dict[tuple[Any, int], int] = {}
    for t in edges_in:
        target = nodes[index[t["to_id"]]]
        source_id = t.get("from_id")
        label = t.get("label") or ""
        pair = (source_id, t["to_id"])
        nth = by_pair[pair] = by_pair.get(pair, -1) + 1
        if source_id is None:
            # from any state: a dashed arrow dropping onto the state, named at the top
            tx = target.cx + 14 * nth
            path = f"M {tx:.0f} {MARGIN + 18:.0f} L {tx:.0f} {target.y:.0f}"
            edge = Edge(t["id"], f"{label} ({any_label})" if label else any_label,
                        any_label, target.label, path, tx, MARGIN + 10, anywhere=True)
        else:
            source = nodes[index[source_id]]
            span = index[t["to_id"]] - index[source_id]
            offset = 14 * nth
            if span > 0:
                sx, tx, y = source.cx + 20, target.cx - 20, source.y
                apex = y - _lift(span) - offset
            else:
                sx, tx, y = source.cx - 20, target.cx + 20, source.y + NODE_H
                apex = y + _lift(-span) + offset
            path = f"M {sx:.0f} {y:.0f} C {sx:.0f} {apex:.0f}, {tx:.0f} {apex:.0f}, " \
                   f"{tx:.0f} {y:.0f}"
            label_y = (y + 3 * apex) / 4 + (-6 if span > 0 else 14)
            edge = Edge(t["id"], label, source.label, target.label, path, (sx + tx) / 2,
                        label_y)
        diagram.edges.append(edge)
    return diagram


def _lift(span: int) -> float:
    return ARC_BASE + ARC_STEP * max(span - 1, 0) if span else 0
