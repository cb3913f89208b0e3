"""Test addon: a contact model overriding every import hook."""
