"""Optimistic locking of records several people edit (README, "Two people editing the same record").

Each such model has a `version` number, raised by one on every save made through a form. The form
carries the version its page was built from (`VersionedFormMixin`, a hidden field); the service
saving it claims that version in the same transaction (`claim_version`). When someone else saved
in between, the save is refused with a message naming what they changed, who and when (read from
django-simple-history), the person's input stays in the form, and the form now carries the current
version: sending it again is a deliberate choice to replace the other person's changes.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Fields that change on every save and tell the reader nothing.
UNLISTED_FIELDS = {"version", "updated_at", "created_at", "created_by"}
# A long text is shown by its start only.
VALUE_PREVIEW_CHARS = 80


def version_field():
    return models.PositiveIntegerField(gettext_lazy("version"), default=1, editable=False)


class StaleVersion(ValidationError):
    """Someone else saved the record after the page the person sent was built."""

    def __init__(self, message: str, *, current_version: int):
        super().__init__(message, code="stale_version")
        self.current_version = current_version


def claim_version(instance, version: int | None) -> None:
    """Take the next version of `instance` if its stored version is still `version` (None: no
    version was sent, take the next one); otherwise raise StaleVersion with what changed.

    Call inside the saving transaction, before saving: the conditional UPDATE makes two
    simultaneous saves of one version take turns, and the second finds the version taken."""
    if instance.pk is None:
        return
    model = type(instance)
    if version is None:
        # A request the platform's pages did not build (they all carry the version): nothing to
        # compare, but forms already open elsewhere must still see this save.
        model.objects.filter(pk=instance.pk).update(version=F("version") + 1)
        instance.version = model.objects.values_list("version", flat=True).get(pk=instance.pk)
        return
    if not model.objects.filter(pk=instance.pk, version=version).update(version=F("version") + 1):
        current = model.objects.get(pk=instance.pk)
        raise StaleVersion(conflict_message(current, version), current_version=current.version)
    instance.version = version + 1


def conflict_message(current, version: int | None) -> str:
    """« Modifié par X le … à … pendant que vous le modifiiez : Intitulé : « … » ; … »."""
    history = current.history.select_related("history_user")
    latest = history.first()
    loaded = history.filter(version=version).first() if version is not None else None
    who = (
        (latest.history_user.get_full_name() or latest.history_user.email)
        if latest and latest.history_user
        else ""
    )
    when = timezone.localtime(latest.history_date) if latest else None
    changes = _changes(current, loaded, latest)
    intro = _("Enregistrement refusé : quelqu'un d'autre a modifié cette fiche pendant que vous la modifiiez")
    if who and when:
        intro = _(
            "Enregistrement refusé : %(who)s a modifié cette fiche le %(date)s à %(time)s, pendant que "
            "vous la modifiiez"
        ) % {
            "who": who,
            "date": formats.date_format(when, "SHORT_DATE_FORMAT"),
            "time": formats.time_format(when, "H:i"),
        }
    parts = [intro + "."]
    if changes:
        parts.append(_("Ses changements : %(changes)s.") % {"changes": " ; ".join(changes)})
    parts.append(
        _(
            "Vos saisies sont conservées ci-dessous, rien n'a été enregistré. Vérifiez-les, puis "
            "enregistrez à nouveau pour remplacer sa version par la vôtre."
        )
    )
    return " ".join(parts)


def _changes(current, loaded, latest) -> list[str]:
    if loaded is None or latest is None:
        return []
    delta = latest.diff_against(loaded)
    lines = []
    for change in delta.changes:
        if change.field in UNLISTED_FIELDS:
            continue
        field = type(current)._meta.get_field(change.field)
        lines.append(
            _("%(label)s : « %(value)s »")
            % {"label": str(field.verbose_name).capitalize(), "value": _display(field, change.new)}
        )
    return lines


def _display(field, value) -> str:
    if value in (None, ""):
        return _("vide")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation and field.many_to_one:
        related = field.related_model.objects.filter(pk=value).first()
        return str(related) if related else _("supprimé")
    if field.many_to_many:
        return ", ".join(str(item) for item in value) if value else _("vide")
    text = formats.localize(value)
    if len(text) > VALUE_PREVIEW_CHARS:
        text = text[: VALUE_PREVIEW_CHARS - 1] + "…"
    return text


class VersionedFormMixin(forms.Form):
    """A hidden `version` field: the version of the record the page was built from."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is not None:
            self.fields["version"].initial = instance.version

    def refuse_stale(self, error: StaleVersion) -> None:
        """Show the conflict on the form and carry the current version, so that sending the form
        again (the person's input is kept) replaces the other person's save deliberately."""
        self.add_error(None, error)
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = str(error.current_version)
