"""The kernel addon ``base``: always installed first, shaped like any other addon."""
