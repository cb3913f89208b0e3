"""Models of the kernel addon ``mail``."""
