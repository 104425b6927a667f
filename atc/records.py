"""Validated data onto a model instance: the part of a ModelForm's save that services need, so a
service takes data (a form's `cleaned_data`, an imported row) and never the form itself.

Typical use, inside the service's transaction:

    many = assign(meeting, data)
    meeting.save()
    set_many(meeting, many, created=is_new)
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import FieldDoesNotExist
from django.db import models


def assign(instance: models.Model, data: Mapping) -> dict[str, Iterable]:
    """Set on `instance` each editable field of its model that `data` names; return the
    many-to-many values, which need the saved row (`set_many`).

    Keys that name no editable field (a form's `version`, a quick-add name) are the caller's to
    read: they are not errors, as a form's cleaned data always carries some."""
    many = {}
    for name, value in data.items():
        try:
            field = instance._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not field.editable or field.primary_key or field.auto_created:
            continue
        if field.many_to_many:
            many[name] = value
        elif field.concrete:
            setattr(instance, name, value)
    return many


def set_many(instance: models.Model, many: Mapping[str, Iterable], *, created: bool) -> None:
    """Replace the many-to-many values `assign` returned; a new row with none needs no query."""
    for name, values in many.items():
        values = list(values)
        if values or not created:
            getattr(instance, name).set(values)
