"""Synthetic data for the benchmark: the 15 real sites (demo data), then 1,600 sites with ~100 or
~1,500 meetings each. Bulk inserts only (PostgreSQL COPY, SQLite executemany); the dashboards'
pre-aggregates are rebuilt at the end, as after any bulk load."""

import datetime
import io
import random
from decimal import Decimal

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from evaluation.figures.aggregates import rebuild_all_stats
from evaluation.models import LogbookEntry
from pilotage.models import Action, Meeting
from sites.models import (
    FacilitatorAssignment,
    Network,
    OrganisationCategory,
    PartnerOrganisation,
    Site,
)

SITES = 1600
FIRST_DAY = datetime.date(2019, 10, 1)
DAYS = 3 * 365
PARTNERS_PER_SITE = 10
ACTIONS_PER_SITE = 20
KINDS = ["partners_workshop", "residents_workshop", "working_group", "bilateral", "public_event"]
REGIONS = [
    ("59", "Nord", "Hauts-de-France", 50.6, 3.1),
    ("13", "Bouches-du-Rhône", "Provence-Alpes-Côte d'Azur", 43.3, 5.4),
    ("69", "Rhône", "Auvergne-Rhône-Alpes", 45.75, 4.85),
    ("75", "Paris", "Île-de-France", 48.86, 2.35),
    ("67", "Bas-Rhin", "Grand Est", 48.58, 7.75),
    ("33", "Gironde", "Nouvelle-Aquitaine", 44.84, -0.58),
    ("31", "Haute-Garonne", "Occitanie", 43.6, 1.44),
    ("44", "Loire-Atlantique", "Pays de la Loire", 47.22, -1.55),
    ("972", "Martinique", "Martinique", 14.6, -61.07),
    ("974", "La Réunion", "La Réunion", -20.9, 55.5),
]


def _bulk_rows(table: str, columns: list[str], rows) -> None:
    if connection.vendor == "postgresql":
        # COPY in chunks of tab-separated text (psycopg2's copy_expert); values never hold tabs.
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with connection.cursor() as cursor:
            buffer = io.StringIO()
            for count, row in enumerate(rows, 1):
                buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
                if count % 200000 == 0:
                    buffer.seek(0)
                    cursor.cursor.copy_expert(sql, buffer)
                    buffer = io.StringIO()
            buffer.seek(0)
            cursor.cursor.copy_expert(sql, buffer)
    else:
        marks = ", ".join("?" for _c in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        batch = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append(row)
                if len(batch) >= 20000:
                    cursor.executemany(sql.replace("?", "%s"), batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql.replace("?", "%s"), batch)


def _reset_sequence(model) -> None:
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1)) FROM {table}"
            )


def demo() -> None:
    call_command("load_demo", verbosity=0)
    rebuild_all_stats()


def synthetic(meetings_per_site: int, log=print) -> None:
    """1,600 sites (the 15 real ones plus synthetic ones), each with partners, a facilitator,
    `meetings_per_site` meetings over three years, 20 actions and a logbook entry per quarter."""
    rng = random.Random(1600)
    networks = list(Network.objects.order_by("code"))
    now = timezone.now()
    with transaction.atomic():
        new_sites = []
        for index in range(SITES - Site.objects.count()):
            dep, dep_name, region, lat, lon = REGIONS[index % len(REGIONS)]
            spread = 0.05 if dep.startswith("97") else 0.6
            new_sites.append(
                Site(
                    name=f"Quartier synthétique {index:04d}",
                    slug=f"synthetique-{index:04d}",
                    city=f"Commune {index:04d}",
                    insee_code=f"{int(dep[:2]):02d}{index % 1000:03d}",
                    departement_code=dep,
                    departement_name=dep_name,
                    region=region,
                    latitude=Decimal(f"{lat + rng.uniform(-spread, spread):.5f}"),
                    longitude=Decimal(f"{lon + rng.uniform(-spread, spread):.5f}"),
                    network=networks[index % len(networks)],
                    start_date=FIRST_DAY + datetime.timedelta(days=rng.randint(0, 400)),
                )
            )
        Site.objects.bulk_create(new_sites, batch_size=500)
        sites = list(Site.objects.order_by("id").values_list("id", flat=True))
        categories = list(OrganisationCategory)
        PartnerOrganisation.objects.bulk_create(
            [
                PartnerOrganisation(
                    site_id=site_id, name=f"Partenaire {n}", category=categories[n % len(categories)]
                )
                for site_id in sites
                for n in range(PARTNERS_PER_SITE)
            ],
            batch_size=2000,
        )
        # Partners known since the experiment began (created_at is set to now by the insert), so
        # that reports over past periods count them.
        first_moment = timezone.make_aware(datetime.datetime.combine(FIRST_DAY, datetime.time(9)))
        PartnerOrganisation.objects.filter(site_id__in=sites, created_at__gte=now).update(
            created_at=first_moment
        )
        partners: dict[int, list[int]] = {}
        for pk, site_id in PartnerOrganisation.objects.values_list("id", "site_id"):
            partners.setdefault(site_id, []).append(pk)
        FacilitatorAssignment.objects.bulk_create(
            [
                FacilitatorAssignment(
                    site_id=site_id,
                    person_name=f"Animateur·rice {site_id}",
                    fte=Decimal(rng.choice(["0.4", "0.6", "0.8", "1.0", "1.5"])),
                    start_date=FIRST_DAY + datetime.timedelta(days=rng.randint(0, 200)),
                )
                for site_id in sites
            ],
            batch_size=2000,
        )
        log(f"  {len(sites)} sites, {PARTNERS_PER_SITE} partenaires chacun")

        first_meeting = (Meeting.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        columns = [
            "id", "site_id", "kind", "title", "date", "format", "location", "agenda", "minutes",
            "minutes_status", "attendees_state", "attendees_local_authority", "attendees_landlord",
            "attendees_association", "attendees_business", "attendees_residents",
            "attendees_citizens_council", "attendees_other", "created_at", "updated_at", "version",
        ]  # fmt: skip
        links = []

        def meetings():
            pk = first_meeting
            for site_id in sites:
                for n in range(meetings_per_site):
                    kind = "steering" if n % 25 == 0 else KINDS[n % len(KINDS)]
                    day = FIRST_DAY + datetime.timedelta(days=n * DAYS // meetings_per_site)
                    yield (
                        pk, site_id, kind, f"Réunion {n}", day, "in_person", "", "", "", "none",
                        n % 3, n % 4, n % 2, n % 7, 0, n % 9, n % 2, 0, now, now, 1,
                    )  # fmt: skip
                    site_partners = partners[site_id]
                    first = n % len(site_partners)
                    for step in range(1 + n % 3):
                        links.append((pk, site_partners[(first + step * 3) % len(site_partners)]))
                    pk += 1

        _bulk_rows(Meeting._meta.db_table, columns, meetings())
        _reset_sequence(Meeting)
        log(f"  {len(sites) * meetings_per_site} réunions")
        _bulk_rows(
            Meeting.organisations.through._meta.db_table, ["meeting_id", "partnerorganisation_id"], links
        )
        log(f"  {len(links)} présences d'organisations")
        links.clear()

        statuses = [s.value for s in Action.Status]
        Action.objects.bulk_create(
            [
                Action(
                    site_id=site_id,
                    title=f"Action {n}",
                    status=statuses[n % len(statuses)],
                    progress=(n * 17) % 101,
                    residents_reached=(n * 13) % 80,
                    start_date=FIRST_DAY + datetime.timedelta(days=n * DAYS // ACTIONS_PER_SITE),
                )
                for site_id in sites
                for n in range(ACTIONS_PER_SITE)
            ],
            batch_size=2000,
        )
        through = Action.partners.through
        action_links = []
        for pk, site_id in Action.objects.values_list("id", "site_id"):
            site_partners = partners[site_id]
            for step in range(2):
                action_links.append(
                    through(
                        action_id=pk,
                        partnerorganisation_id=site_partners[(pk + step * 4) % len(site_partners)],
                    )
                )
        through.objects.bulk_create(action_links, batch_size=5000, ignore_conflicts=True)
        entries = []
        for site_id in sites:
            quarter = FIRST_DAY
            for _n in range(12):
                end = datetime.date(quarter.year + (quarter.month == 10), (quarter.month + 2) % 12 + 1, 1)
                if rng.random() < 0.8:
                    entries.append(
                        LogbookEntry(
                            site_id=site_id,
                            period_start=quarter,
                            period_end=end - datetime.timedelta(days=1),
                            happened="Bilan du trimestre.",
                        )
                    )
                quarter = end
        LogbookEntry.objects.bulk_create(entries, batch_size=5000)
        log(f"  {len(sites) * ACTIONS_PER_SITE} actions, {len(entries)} entrées du carnet de bord")
    rebuild_all_stats()
    if connection.vendor == "postgresql":
        # The planner needs statistics on the freshly loaded tables (autovacuum would be late).
        # The figure triggers updated each site's version row once per loaded row: a bulk load
        # leaves that small table bloated (35 MB for 1,600 rows), which every page scans; day-to-day
        # writes are kept in check by its fillfactor and autovacuum settings (sites migration 0010).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM FULL sites_sitedataversion")
            cursor.execute("ANALYZE")
