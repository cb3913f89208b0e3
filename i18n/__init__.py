"""The kernel's translation catalogues: ``comptoir.pot`` (extracted from ``core/`` and
``views/`` by ``comptoir i18n extract``) and one ``.po`` file per language (``fr.po``).

A data package: it holds no code, it exists so the catalogues ship with the kernel.
"""
