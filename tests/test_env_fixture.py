def test_env_has_test_addons_installed(env):
    assert env["test.order"].search_count([]) == 0
    assert env.ref("test_kernel.stage_new").name == "New"
    assert env["ir.config_parameter"].get_param("test_kernel.installed_by_hook") == "test_kernel"
    order = env["test.order"].create({"name": "o1"})
    assert order.note == "created through test_kernel_ext"
    assert order.origin == "ext"
    assert order.mixin_method() == "ext+mixin"
