"""Models of the kernel addon ``base``."""
