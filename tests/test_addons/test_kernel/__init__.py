"""Test addon: every field type and ORM feature on small models."""
from core import hookimpl


@hookimpl
def comptoir_post_install(env, addon):
    env["ir.config_parameter"].set_param("test_kernel.installed_by_hook", addon)
