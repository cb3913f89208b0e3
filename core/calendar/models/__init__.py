"""Models of the kernel addon ``calendar``."""
