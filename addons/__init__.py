"""Bundled addons (crm_base, helpdesk, ...): each folder is one addon package."""
