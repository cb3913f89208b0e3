"""Test addon: a model with the chatter (``mail.thread``), tracked fields, a subtype bound
to a field, a workflow, and record rules, for the mail addon's tests."""
