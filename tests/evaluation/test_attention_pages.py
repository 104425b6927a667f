"""Where the attention signals show: the thresholds page, a site's history, the site tables
(column, sort, « À suivre » filter, export), the site home and dashboard; and the seams: a meeting
written by the form, the import or the admin clears the signal with no call of its own."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from evaluation.attention.tasks import refresh_attention_signals
from evaluation.figures import aggregates
from evaluation.figures.attention import signals_refresh
from evaluation.models import AttentionSignal, AttentionThreshold
from pilotage.imports import services as imports
from pilotage.models import Meeting
from sites.models import Site
from tests.conftest import _clear_cache
from tests.pilotage.factories import MeetingFactory
from tests.pilotage.test_imports import MEETING_HEADER, csv_bytes
from tests.pilotage.test_meetings import meeting_data

pytestmark = pytest.mark.django_db

NO_STEERING = "Pas d&#x27;instance de pilotage récente"  # as the HTML escapes it


def today():
    return timezone.localdate()


@pytest.fixture
def quiet_sites(db):
    """Every site starts next month (nothing is owed yet), but Marseille, started in 2020, which
    has never held a steering meeting: it alone has signals."""
    Site.objects.update(start_date=today() + datetime.timedelta(days=40))
    Site.objects.filter(slug="marseille").update(start_date=datetime.date(2020, 1, 6))
    aggregates.refresh_all_stale()
    return Site.objects.get(slug="marseille")


def open_rules(site):
    return set(AttentionSignal.objects.open().filter(site=site).values_list("rule", flat=True))


def text(response):
    return response.content.decode()


# --- Thresholds page -------------------------------------------------------------------------------


def test_everyone_signed_in_reads_the_rules_and_thresholds(client, prefet_delegate):
    client.force_login(prefet_delegate)
    page = text(client.get(reverse("attention:thresholds")))
    assert NO_STEERING in page and "Mois sans réunion de pilotage : <strong>6</strong>" in page
    assert "Modifier les seuils" not in page
    assert client.get(reverse("attention:thresholds_edit")).status_code == 403
    response = client.post(reverse("attention:thresholds_edit"), {"no_steering__months": "3"})
    assert response.status_code == 403
    assert not AttentionThreshold.objects.exists()


def test_the_national_team_changes_a_threshold_and_every_site_is_refreshed(
    client, national_team, quiet_sites, tourcoing, django_capture_on_commit_callbacks
):
    Site.objects.filter(pk=tourcoing.pk).update(start_date=datetime.date(2020, 1, 6))
    MeetingFactory(site=tourcoing, steering=True, date=today() - datetime.timedelta(days=120))
    aggregates.refresh_all_stale()
    assert "no_steering" not in open_rules(tourcoing)
    client.force_login(national_team)
    form = client.get(reverse("attention:thresholds_edit")).context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data["no_steering__months"] = "3"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("attention:thresholds_edit"), data, follow=True)
    page = text(response)
    assert "Seuils enregistrés" in page
    assert "Mois sans réunion de pilotage : <strong>3</strong>" in page and "(par défaut : 6)" in page
    threshold = AttentionThreshold.objects.get()
    assert (threshold.rule, threshold.parameter, threshold.value, threshold.updated_by) == (
        "no_steering",
        "months",
        3,
        national_team,
    )
    assert str(national_team) in page  # the change's author, in « Dernières modifications »
    assert "no_steering" in open_rules(tourcoing)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Indiquez une valeur (6 par défaut)."),
        ("six", "Saisissez un nombre entier, sans décimale ni unité."),
        ("2.5", "Saisissez un nombre entier, sans décimale ni unité."),
        ("0", "La valeur doit être au moins 1."),
        ("37", "La valeur doit être au plus 36."),
        ("99999999999999999999", "La valeur doit être au plus 36."),
        ("<script>alert(1)</script>", "Saisissez un nombre entier, sans décimale ni unité."),
    ],
)
def test_a_bad_threshold_is_refused_in_french_and_nothing_is_saved(client, national_team, value, message):
    client.force_login(national_team)
    form = client.get(reverse("attention:thresholds_edit")).context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data["no_steering__months"] = value
    data["minutes__days"] = "45"  # a good change beside the bad one is not saved either
    response = client.post(reverse("attention:thresholds_edit"), data)
    assert response.status_code == 200
    page = text(response)
    assert message in page and "Les seuils ne sont pas enregistrés" in page
    assert "<script>alert" not in page
    assert not AttentionThreshold.objects.exists()


# --- A site's history ------------------------------------------------------------------------------


def test_the_history_shows_raised_and_cleared_signals_of_that_site_only(
    client, facilitator, quiet_sites, grenoble
):
    marseille = quiet_sites
    AttentionSignal.objects.create(site=grenoble, rule="no_steering", reason="Motif de Grenoble.")
    MeetingFactory(site=marseille, steering=True, date=today() - datetime.timedelta(days=2))
    aggregates.refresh_all_stale()
    client.force_login(facilitator)
    page = text(client.get(reverse("attention:site_history", args=["marseille"])))
    assert NO_STEERING in page and "Aucune réunion de pilotage enregistrée depuis le début du site" in page
    cleared = AttentionSignal.objects.get(site=marseille, rule="no_steering")
    assert cleared.cleared_at is not None
    assert f"{timezone.localtime(cleared.cleared_at):%d/%m/%Y %H:%M}" in page
    assert "Motif de Grenoble" not in page
    assert client.get(reverse("attention:site_history", args=["grenoble"])).status_code == 404


def test_the_history_keeps_a_constant_number_of_queries(
    client, facilitator, quiet_sites, django_assert_max_num_queries
):
    marseille = quiet_sites
    client.force_login(facilitator)
    url = reverse("attention:site_history", args=["marseille"])
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    now = timezone.now()
    AttentionSignal.objects.bulk_create(
        [
            AttentionSignal(site=marseille, rule="minutes", reason=f"n° {n}", raised_at=now, cleared_at=now)
            for n in range(80)
        ]
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- The site tables ---------------------------------------------------------------------------


def test_the_national_table_counts_filters_and_sorts_by_signals(client, national_team, quiet_sites):
    client.force_login(national_team)
    page = text(client.get(reverse("dashboards:national")))
    assert "Points d&#x27;attention" in page
    history = reverse("attention:site_history", args=["marseille"])
    count = len(open_rules(quiet_sites))
    assert count >= 2  # no steering meeting, reporting missing
    assert f'<a href="{history}">{count}<span class="visually-hidden">' in page
    following = text(client.get(reverse("dashboards:national"), {"a_suivre": "1"}))
    assert "1 site</h2>" in following and "Marseille" in following and "Tourcoing" not in following
    first = text(client.get(reverse("dashboards:national"), {"tri": "-attention"}))
    last = text(client.get(reverse("dashboards:national"), {"tri": "attention"}))
    assert first.index("Marseille") < first.index("Tourcoing")
    assert last.index("Marseille") > last.index("Villefranche")
    assert 'aria-sort="descending"' in first


def test_the_delegates_table_explains_its_ratio_columns(client, prefet_delegate, quiet_sites):
    client.force_login(prefet_delegate)
    page = text(client.get(reverse("dashboards:my_sites")))
    assert "trimestres renseignés sur trimestres attendus depuis le démarrage du site" in page
    assert '<abbr title="0 trimestres sur 0 attendus">0/0</abbr>' in page
    assert "Marseille" not in page  # not the delegate's


def test_the_export_has_the_signal_column(client, national_team, quiet_sites):
    client.force_login(national_team)
    response = client.get(reverse("dashboards:national_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    column = rows[0].index("Points d'attention en cours")
    by_site = {row[0].split(" ")[0]: row[column] for row in rows[1:]}
    assert by_site["Marseille"] == len(open_rules(quiet_sites))
    assert by_site["Tourcoing"] == 0


def test_the_table_costs_the_same_queries_with_signals_on_one_site_or_all(
    client, national_team, quiet_sites, django_assert_max_num_queries
):
    client.force_login(national_team)
    url = reverse("dashboards:national") + "?tri=-attention&a_suivre=1"
    client.get(url)
    _clear_cache()
    with django_assert_max_num_queries(60) as one:
        client.get(url)
    Site.objects.update(start_date=datetime.date(2020, 1, 6))
    aggregates.refresh_all_stale()
    assert all(open_rules(site) for site in Site.objects.all())
    _clear_cache()
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


# --- Site home and dashboard ---------------------------------------------------------------------


def test_the_site_home_lists_signals_and_only_the_minutes_the_rule_counts(client, facilitator, quiet_sites):
    marseille = quiet_sites
    MeetingFactory(
        site=marseille,
        kind=Meeting.Kind.BILATERAL,
        title="Rencontre bilatérale",
        date=today() - datetime.timedelta(days=60),
    )
    MeetingFactory(site=marseille, steering=True, title="COPIL de 2019", date=datetime.date(2019, 3, 1))
    MeetingFactory(
        site=marseille, steering=True, title="COPIL du printemps", date=today() - datetime.timedelta(days=45)
    )
    client.force_login(facilitator)
    home = text(client.get(reverse("sites:site_home", args=["marseille"])))
    page = home[home.index('id="due-title"') : home.index('id="activity-title"')]  # « À faire »
    assert "Compte rendu à valider" in page and "COPIL du printemps" in page
    assert "Rencontre bilatérale" not in page and "COPIL de 2019" not in page
    assert "Comptes rendus non validés" in page  # the signal, with its reason
    assert "1 compte rendu de pilotage ou de groupe de travail non validé 30 jours après" in page
    assert reverse("attention:site_history", args=["marseille"]) in page


def test_the_dashboard_top_shows_each_signal_with_a_link_to_fix_it(client, facilitator, quiet_sites):
    client.force_login(facilitator)
    page = text(client.get(reverse("dashboards:site", args=["marseille"])))
    top = page[page.index('id="points-attention"') : page.index('id="commentaires"')]
    assert NO_STEERING in top
    assert reverse("pilotage:meeting_create", args=["marseille"]) in top
    assert reverse("evaluation:logbook_list", args=["marseille"]) in top


# --- Seams: every write path clears the signal ---------------------------------------------------


def test_a_steering_meeting_recorded_through_the_form_clears_the_signal(client, facilitator, quiet_sites):
    client.force_login(facilitator)
    assert NO_STEERING in text(client.get(reverse("dashboards:site", args=["marseille"])))
    data = meeting_data(kind="steering", date=today().isoformat(), title="COPIL de relance")
    assert client.post(reverse("pilotage:meeting_create", args=["marseille"]), data).status_code == 302
    page = text(client.get(reverse("dashboards:site", args=["marseille"])))
    assert NO_STEERING not in page[: page.index('id="commentaires"')]
    assert "no_steering" not in open_rules(quiet_sites)


def test_a_steering_meeting_imported_clears_the_signal(client, facilitator, quiet_sites):
    row = [
        today().strftime("%d/%m/%Y"),
        "Instance de pilotage",
        "COPIL importé",
        "Hybride",
        "",
        "",
        "",
        "",
        "3",
        "",
    ]
    report = imports.import_file(
        site=quiet_sites,
        kind=imports.KINDS["reunions"],
        data=csv_bytes([MEETING_HEADER, row]),
        user=facilitator,
    )
    assert report.ok, report.errors
    client.force_login(facilitator)
    text(client.get(reverse("sites:site_home", args=["marseille"])))
    assert "no_steering" not in open_rules(quiet_sites)


def test_a_steering_meeting_deleted_in_the_admin_raises_the_signal_again(client, quiet_sites, national_team):
    meeting = MeetingFactory(site=quiet_sites, steering=True, date=today() - datetime.timedelta(days=3))
    aggregates.refresh_all_stale()
    assert "no_steering" not in open_rules(quiet_sites)
    national_team.is_staff = national_team.is_superuser = True
    national_team.save()
    client.force_login(national_team)
    response = client.post(reverse("admin:pilotage_meeting_delete", args=[meeting.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Meeting.objects.filter(pk=meeting.pk).exists()
    page = text(client.get(reverse("dashboards:national")))
    assert "no_steering" in open_rules(quiet_sites)
    assert reverse("attention:site_history", args=["marseille"]) in page


def test_the_daily_task_refreshes_the_rules_that_turn_with_the_calendar(quiet_sites):
    AttentionSignal.objects.all().delete()
    assert refresh_attention_signals.delay().get() >= 2
    assert "no_steering" in open_rules(quiet_sites)
    assert signals_refresh() == []
