"""View architectures: parse, RelaxNG-validate, inherit (xpath), compile per user.

The ``ir.ui.view`` model (in ``base``) stores archs and calls in here; so do the web
client (:func:`get_view`) and ``comptoir check`` (:mod:`core.views.checks`).
"""
from __future__ import annotations

from .compile import CompiledView, clear_cache, combined_arch, get_view, rows_of
from .inherit import apply_inheritance
from .literal import eval_literal, today
from .validate import VIEW_TYPES, arch_problems, parse_arch, validate_arch

__all__ = ["CompiledView", "VIEW_TYPES", "apply_inheritance", "arch_problems", "clear_cache",
           "combined_arch", "eval_literal", "get_view", "parse_arch", "rows_of", "today",
           "validate_arch"]
