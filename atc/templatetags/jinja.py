"""`{% jinja "name.html" key=value … %}`: a Jinja2 template (templates/jinja2/, atc/jinja2.py)
included in a Django template, with the given values as its whole context.

Its output is inserted as rendered, like `{% include %}`'s: the Jinja2 engine escaped it already
(autoescape is on), so nothing is marked safe here.
"""

from django import template
from django.template import engines
from django.template.base import token_kwargs

register = template.Library()


class JinjaNode(template.Node):
    def __init__(self, name, values):
        self.name = name
        self.values = values

    def render(self, context) -> str:
        jinja = engines["jinja2"].get_template(self.name.resolve(context))
        return jinja.template.render({key: value.resolve(context) for key, value in self.values.items()})


@register.tag
def jinja(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError('{% jinja "template.html" key=value … %} needs a template name')
    values = token_kwargs(bits[2:], parser, support_legacy=False)
    if len(values) != len(bits) - 2:
        raise template.TemplateSyntaxError("{% jinja %} takes key=value pairs after the template name")
    return JinjaNode(parser.compile_filter(bits[1]), values)
