"""Test addon extending another addon's model."""
