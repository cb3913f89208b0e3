"""Test addon: every field type and ORM feature on small models."""
from core import hookimpl


@hookimpl
def comptoir_post_install(env, addon):
    env["ir.config_parameter"].set_param("test_kernel.installed_by_hook", addon)


from core import route  # noqa: E402


@route("/test/ping", auth="public")
def ping(request):
    return f"pong {request.env['test.stage'].sudo().search_count([])}"


@route("/test/boom", auth="public")
def boom(request):
    raise RuntimeError("secret internal detail")


@route("/test/forbidden", auth="public")
def forbidden(request):
    return str(request.env["test.order"].search_count([]))


@hookimpl
def comptoir_routes():
    return [ping, boom, forbidden]
