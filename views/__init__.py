"""Kernel jinja2 templates (a data-only package, so installed copies ship them)."""
