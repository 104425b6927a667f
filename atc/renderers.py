"""The form renderer of the platform: Django's, with bound fields that keep ARIA attributes off
hidden inputs."""

from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates


class BoundFieldWithoutHiddenAria(BoundField):
    """Django 5.2 gives the hidden copy of a field's initial value (`show_hidden_initial`, set for
    a model field with a callable default such as the meeting date) the field's
    `aria-describedby`; HTML forbids any aria-* attribute on an `<input type="hidden">`."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if (widget or self.field.widget).is_hidden:
            attrs = {name: value for name, value in attrs.items() if not name.startswith("aria-")}
        return attrs


class FormRenderer(DjangoTemplates):
    bound_field_class = BoundFieldWithoutHiddenAria
