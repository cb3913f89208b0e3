"""Models of crm_base, one module per concept (imported for their registration)."""
