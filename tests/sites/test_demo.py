"""`manage.py load_demo`: the demo shows the figures of the interim evaluation and can be re-run."""

import datetime
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from django.urls import reverse

from atc.models import User
from evaluation.figures.charts import chart_quarters
from evaluation.figures.site import site_dashboard
from evaluation.models import Campaign, LogbookEntry
from pilotage.models import Action, AvoidedCostClaim, Committee, Meeting
from sites.demo import ACCOUNTS, DEFAULT_PASSWORD, REFERENCE_DATE, SURVEY_TITLE
from sites.models import Site
from sites.team.facilitation import site_configuration

pytestmark = pytest.mark.django_db

EMAILS = [account[0] for account in ACCOUNTS]


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the demo once for the module, and roll it back so that other modules start clean (the
    public page's photo and document are stored in a folder of the test's own)."""
    media_root = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root), transaction.atomic():
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def _row_counts():
    labels = ("atc", "sites", "pilotage", "diagnostics", "evaluation")
    counted = [m for label in labels for m in apps.get_app_config(label).get_models()]
    through = [
        f.remote_field.through
        for m in counted
        for f in m._meta.local_many_to_many
        if f.remote_field.through._meta.auto_created
    ]
    return {m._meta.label: m.objects.count() for m in [*counted, *through, EmailAddress]}


def test_it_prints_a_french_summary(demo_output):
    assert "Données de démonstration chargées" in demo_output
    assert "Réunions :" in demo_output


def test_it_loads_every_row_the_data_files_plan(demo_output):
    # The counts of the demo as it was written in Python, before its data moved to JSON files
    # (5726), and issue 18's 15 rows: 6 avoided costs, a sheet and its action, Marseille's public
    # page, its 2 achievements, 2 attachments and their 2 public copies.
    assert "5741 lignes créées" in demo_output
    for line in (
        "Sites : 15",
        "Animateur·rices (affectations) : 25",
        "Organisations partenaires : 186",
        "Instances et groupes : 25",
        "Réunions : 349",
        "Décisions : 250",
        "Actions : 91",
        "Constats : 85",
        "Appréciations du territoire : 560",
        "Entrées du carnet de bord : 115",
        "Valeurs d'indicateur : 134",
        "Destinataires d'enquête : 30",
    ):
        assert f"  {line}\n" in demo_output


def test_the_data_files_text_reads_as_written(demo_output):
    marseille = Site.objects.get(slug="marseille")
    assert marseille.partners.filter(name="Épicerie solidaire Le Panier du Vallon").exists()
    assert Action.objects.filter(
        site__slug="saint-gilles", title="Exposition « Confiné·es » par cinq associations"
    )
    national = Committee.objects.get(kind=Committee.Kind.NATIONAL)
    assert national.name == "Comité de suivi national de l'ATC"
    atelier = Meeting.objects.get(kind=Meeting.Kind.NATIONAL_EVENT, date=datetime.date(2021, 1, 29))
    assert atelier.minutes.count("\n\n") == 5
    assert atelier.minutes.endswith("les institutions et les élus doivent l'entendre. »")


def test_the_six_accounts_can_sign_in_with_the_default_password(demo_output, client):
    for email in EMAILS:
        response = client.post(reverse("account_login"), {"login": email, "password": DEFAULT_PASSWORD})
        assert response.status_code == 302, email
        user = User.objects.get(email=email)
        assert client.session["_auth_user_id"] == str(user.pk)
        assert user.first_name and user.last_name
        client.logout()
    admin = User.objects.get(email="admin@example.org")
    assert admin.is_staff and admin.is_superuser


def test_the_delegate_follows_the_three_nord_sites(demo_output):
    delegate = User.objects.get(email="delegate@example.org")
    slugs = set(delegate.roles.get().sites.values_list("slug", flat=True))
    assert slugs == {"tourcoing", "grande-synthe", "roubaix"}


def test_facilitation_time_ranges_from_0_4_to_1_5_fte_with_a_mean_of_0_8(demo_output):
    per_site = {
        site.slug: sum((a.fte for a in site.facilitators.current(REFERENCE_DATE)), Decimal(0))
        for site in Site.objects.all()
    }
    assert len(per_site) == 15
    assert min(per_site.values()) == Decimal("0.4")
    assert max(per_site.values()) == Decimal("1.5")
    assert round(sum(per_site.values()) / 15, 1) == Decimal("0.8")


def test_configurations_and_contract_starts_follow_the_evaluation(demo_output):
    # Derived from the people recorded at the reference date (no override in the demo).
    derived = {
        site.slug: site_configuration(site, list(site.facilitators.all()), REFERENCE_DATE)
        for site in Site.objects.prefetch_related("facilitators")
    }
    assert not any(c.overridden for c in derived.values())
    configurations = Counter(c.value for c in derived.values())
    assert configurations == {"single": 8, "with_support": 3, "shared": 4}
    shared = {slug for slug, c in derived.items() if c.value == "shared"}
    assert shared == {"hombourg-haut", "roubaix", "strasbourg", "tourcoing"}
    for slug in shared:
        assert Site.objects.get(slug=slug).facilitators.count() >= 2
    starts = [site.start_date for site in Site.objects.all()]
    assert sum(datetime.date(2019, 10, 1) <= d <= datetime.date(2019, 12, 31) for d in starts) == 6
    assert sum(datetime.date(2020, 1, 1) <= d <= datetime.date(2020, 3, 31) for d in starts) == 4


def test_some_sites_lost_a_facilitator_and_recruited_another(demo_output):
    ended = Site.objects.filter(facilitators__end_date__isnull=False).distinct()
    assert 1 <= ended.count() <= 2
    for site in ended:
        assert site.facilitators.current(datetime.date(2021, 12, 1)).exists()


def test_steering_meetings_by_september_2020_range_from_0_to_8_with_a_mean_of_3(demo_output):
    counts = [
        Meeting.objects.steering().filter(site=site, date__lte=REFERENCE_DATE).count()
        for site in Site.objects.all()
    ]
    assert min(counts) == 0
    assert max(counts) == 8
    assert sum(counts) / len(counts) == 3
    later = Meeting.objects.steering().filter(date__gt=REFERENCE_DATE).count()
    assert later > sum(counts)


def test_meetings_during_lockdowns_are_held_by_video(demo_output):
    first_lockdown = Meeting.objects.filter(
        date__range=(datetime.date(2020, 3, 17), datetime.date(2020, 5, 11))
    )
    assert first_lockdown.exists()
    assert set(first_lockdown.values_list("format", flat=True)) == {Meeting.Format.VIDEO}


def test_the_flash_survey_had_30_recipients_and_17_answers_on_10_sites(demo_output):
    survey = Campaign.objects.get(title=SURVEY_TITLE)
    recipients = survey.recipients.all()
    assert recipients.count() == 30
    assert recipients.values("site").distinct().count() == 14
    assert Counter(recipients.values_list("function", flat=True)) == {
        "prefet_delegate": 14,
        "city_referent": 9,
        "interco_referent": 7,
    }
    answered = recipients.exclude(answered_on=None)
    assert answered.count() == 17
    assert answered.values("site").distinct().count() == 10


def test_every_action_status_is_present_and_matches_its_history(demo_output):
    assert set(Action.objects.values_list("status", flat=True)) == set(Action.Status.values)
    for action in Action.objects.prefetch_related("status_changes"):
        changes = list(action.status_changes.all())
        assert changes[0].from_status == ""
        assert changes[-1].to_status == action.status
    assert (
        Action.objects.filter(title="Stock alimentaire partagé en commun")
        .get()
        .partners.filter(category="association")
        .count()
        == 6
    )


def test_the_national_committee_and_the_grand_atelier(demo_output):
    committee = Committee.objects.get(kind=Committee.Kind.NATIONAL)
    assert committee.site is None
    assert 4 <= committee.meetings.count() <= 6
    atelier = Meeting.objects.get(kind=Meeting.Kind.NATIONAL_EVENT, date=datetime.date(2021, 1, 29))
    assert 90 <= atelier.total_attendees <= 110
    assert atelier.minutes_status == Meeting.MinutesStatus.VALIDATED
    assert "huit groupes" in atelier.minutes


def test_logbooks_start_with_each_site_and_miss_a_few_quarters(demo_output):
    for site in Site.objects.all():
        first = LogbookEntry.objects.filter(site=site, kind="periodic").order_by("period_start")[0]
        assert first.period_start == site.start_date
    quarters_expected = sum(
        (2021 - s.start_date.year) * 4 + 4 - (s.start_date.month - 1) // 3 for s in Site.objects.all()
    )
    assert LogbookEntry.objects.filter(kind="periodic").count() < quarters_expected


def test_the_dashboards_pre_aggregates_hold_the_demo_meetings(demo_output):
    from pilotage.models import Meeting
    from sites.models import SiteQuarterStats

    marseille = Site.objects.get(slug="marseille")
    counted = SiteQuarterStats.objects.filter(site=marseille).aggregate(total=Sum("meetings"))["total"]
    assert counted == Meeting.objects.filter(site=marseille).count() > 0


def test_demo_actions_are_dated_within_the_experiment_so_charts_show_2019_to_2021(demo_output):
    assert not Action.objects.filter(created_at__year__gt=2021).exists()
    tourcoing = Site.objects.get(slug="tourcoing")
    dashboard = site_dashboard(site=tourcoing, today=datetime.date(2026, 11, 22))
    shown = chart_quarters(dashboard.quarters, dashboard.today)
    assert shown[-1].quarter.year == 2021
    assert sum(q.steering_meetings for q in shown) > 0


def test_running_it_twice_changes_no_row_count(demo_output):
    before = _row_counts()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert _row_counts() == before
    assert "rien à créer" in out.getvalue()
    user = User.objects.get(email="facilitator@example.org")
    assert user.check_password(DEFAULT_PASSWORD)


def test_the_password_option_changes_every_demo_password(demo_output):
    call_command("load_demo", password="un-autre-mot-de-passe-2021", stdout=StringIO())
    for email in EMAILS:
        user = User.objects.get(email=email)
        assert user.check_password("un-autre-mot-de-passe-2021")
        assert not user.check_password(DEFAULT_PASSWORD)


def test_a_weak_password_is_refused_and_nothing_changes(demo_output):
    with pytest.raises(CommandError, match="Mot de passe refusé"):
        call_command("load_demo", password="azerty", stdout=StringIO())
    assert User.objects.get(email="host@example.org").check_password(DEFAULT_PASSWORD)


def test_check_figures_finds_no_difference_on_the_demo_data(demo_output):
    out = StringIO()
    call_command("check_figures", stdout=out)
    assert "Aucune différence" in out.getvalue()


def test_the_demo_shows_avoided_costs_a_published_sheet_and_a_public_page(demo_output, client):
    """Issue 18 in the demo: claims at each level on two sites, Grenoble's published sheet and
    Marseille's public page with two achievements, a photo and a document, read without an account."""
    levels = Counter(AvoidedCostClaim.objects.values_list("site__slug", "confidence"))
    for slug in ("marseille", "grenoble"):
        for level in AvoidedCostClaim.Confidence:
            assert levels[(slug, level)] >= 1, (slug, level)
    assert AvoidedCostClaim.objects.filter(confidence="verified", verified_by__isnull=True).count() == 0
    sheets = client.get(reverse("showcase:sheets")).content.decode()
    assert "Un chantier éducatif porté par la régie de quartier" in sheets
    page = client.get(reverse("showcase:site", args=["marseille"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("<h3>") == 2
    assert (
        'alt="Des habitant·es installent les stands de la fête de quartier sur la place du Vallon."' in text
    )
    assert "Le bilan d&#x27;une année du guichet commun (une page)." in text
