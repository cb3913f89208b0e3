"""Mail templates: sandboxed jinja2 against a record, per-language rendering, errors
naming the template and the line."""
from __future__ import annotations

import pytest

from core.exceptions import ValidationError


@pytest.fixture
def record(env):
    partner = env["res.partner"].create({"name": "Zoé <Client>", "email": "zoe@example.com",
                                         "lang": "fr_FR"})
    return env["test.mail.record"].create({"name": "Deal & co", "partner_id": partner.id,
                                           "amount": 1234.5})


def make(env, **values):
    return env["mail.template"].create({"name": "Offer", "model": "test.mail.record",
                                        **values})


def test_render_fields_escaped_and_helpers(env, record):
    template = make(env, subject="About {{ object.name }}",
                    body_html="<p>Dear {{ object.partner_id.name }},</p>"
                              "<p>{{ format_amount(object.amount, 2, '€') }}"
                              " {{ object.name|upper }} {{ object.name.lower() }}</p>",
                    partner_to="{{ object.partner_id.id }}", email_to="x@example.com, ",
                    lang="{{ object.partner_id.lang }}")
    out = template.render_for(record)
    assert out["subject"] == "About Deal & co"  # text: not escaped
    assert "Dear Zoé &lt;Client&gt;," in out["body_html"]  # HTML: escaped
    assert "1 234.50 €" in out["body_html"] and "DEAL &amp; CO" in out["body_html"]
    assert "deal &amp; co" in out["body_html"]
    assert template.render_recipients(record) == ([record.partner_id.id], ["x@example.com"])
    assert template.render_lang(record) == "fr_FR"


def test_custom_fields_are_plain_attributes(env, record):
    from core.modules.custom_fields import reload_env
    env["ir.model.fields"].create({"model": "test.mail.record", "name": "x_reference",
                                   "field_description": "Reference", "ttype": "char"})
    env2 = reload_env(env)
    record = env2["test.mail.record"].browse(record.id)
    record.write({"x_reference": "REF-42"})
    template = make(env2, subject="{{ object.x_reference }}")
    assert template.render_for(record)["subject"] == "REF-42"


@pytest.mark.parametrize("source", [
    "{{ object._name }}", "{{ object.env }}", "{{ object.sudo() }}",
    "{{ object.write({'name': 'x'}) }}", "{{ object.partner_id.unlink() }}",
    "{{ ''.__class__ }}", "{{ object['env'] }}", "{{ user.env.cr }}",
    "{{ object.name.__len__() }}", "{% for x in object.browse([1]) %}{% endfor %}",
    "{{ '{0.__class__}'.format(object.name) }}", "{{ object|attr('env') }}",
    "{{ format_date.__globals__ }}", "{{ object.create_uid.sudo() }}",
])
def test_sandbox_refuses_private_attributes_and_methods(env, record, source):
    template = make(env, subject=source)
    with pytest.raises(ValidationError) as info:
        template.render_for(record)
    assert "Offer" in str(info.value) and "line 1" in str(info.value)
    assert env["test.mail.record"].browse(record.id).name == "Deal & co"


def test_errors_name_template_and_line(env, record):
    bad = make(env, name="Broken", body_html="<p>ok</p>\n<p>{{ object.nope }}</p>")
    with pytest.raises(ValidationError) as info:
        bad.render_for(record)
    message = str(info.value)
    assert "Broken" in message and "line 2" in message and "nope" in message
    with pytest.raises(ValidationError) as info:  # refused on save
        make(env, name="Syntax", body_html="<p>\n\n{% if %}</p>")
    assert "Syntax" in str(info.value) and "line 3" in str(info.value)
    assert info.value.field == "body_html"
    template = make(env, name="Later")
    with pytest.raises(ValidationError):
        template.with_context(lang="fr_FR").write({"subject": "{{ object.name"})
    wrong_model = make(env, model="res.partner", name="Partners")
    with pytest.raises(ValidationError):
        wrong_model.render_for(record)
    with pytest.raises(ValidationError):
        make(env, model="no.such.model")


def test_rendered_in_each_language(env, record):
    template = make(env, subject="Your offer {{ object.name }}", body_html="<p>Hello</p>")
    template.with_context(lang="fr_FR").write({"subject": "Votre offre {{ object.name }}",
                                               "body_html": "<p>Bonjour</p>"})
    assert template.render_for(record, "fr_FR") == {"subject": "Votre offre Deal & co",
                                                    "body_html": "<p>Bonjour</p>"}
    assert template.render_for(record, "en_US")["subject"] == "Your offer Deal & co"


def test_field_groups_apply_as_the_sending_user(env, record):
    user = env["res.users"].create({"name": "Agent", "login": "tpl_agent",
                                    "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    record.write({"margin": 12.0, "user_id": user.id})
    template = make(env, subject="{{ object.margin }}")
    assert template.render_for(record)["subject"] == "12.0"
    with pytest.raises(ValidationError):
        template.with_env(env(uid=user.id, su=False)).render_for(
            record.with_env(env(uid=user.id, su=False)))
