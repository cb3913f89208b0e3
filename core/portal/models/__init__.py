"""Models of the kernel addon ``portal``."""
