"""The external APIs: REST + OpenAPI under ``/api/v1``, and Odoo's XML-RPC / JSON-RPC.

Both run every call through the ORM with the caller's environment (access rights, record
rules and field groups apply), in the request's one transaction, rolled back on error.

* :mod:`.credentials` — who calls: API keys, passwords (throttled like the login page),
  sessions with their CSRF token, the database name RPC clients pass;
* :mod:`.methods` — which model methods are callable remotely, and Odoo's signatures;
* :mod:`.values` — what comes in (checked before the database sees it) and goes out;
* :mod:`.rest`, :mod:`.schema` and :mod:`.openapi` — the REST API and its document;
* :mod:`.rpc`, :mod:`.rpc_services` and :mod:`.rpc_wire` — the Odoo-compatible API.
"""
