"""The pages each persona of the load test visits, resolved against the loaded database.

Run inside the load environment (`python -m loadtest.plan --out plan.json`): it reads the demo
accounts' sites and a sample of meetings, actions and logbook entries, and writes, per persona,
the URLs to read (with a page family used as the request's name in the figures) and what to write.
A URL name that does not exist in this checkout is left out and listed under "skipped", so the
scenario follows the pages as they land.
"""

import argparse
import json
import random
import sys
from pathlib import Path

import django

# Pages each persona reads, by URL name and what fills its arguments: "site" (a site the persona
# may read), "network" (the persona's network), "meeting"/"action"/"logbook" (an object on one of
# those sites) or nothing. Weights say how often the page is picked relative to the others.
READS = {
    "facilitator": [
        ("home", None, 2),
        ("sites:site_home", "site", 4),
        ("pilotage:meeting_list", "site", 3),
        ("pilotage:meeting_detail", "meeting", 4),
        ("pilotage:action_board", "site", 3),
        ("pilotage:action_list", "site", 1),
        ("pilotage:action_detail", "action", 3),
        ("diagnostics:finding_list", "site", 1),
        ("diagnostics:coverage", "site", 1),
        ("evaluation:logbook_list", "site", 1),
        ("evaluation:logbook_detail", "logbook", 1),
        ("partners:partner_list", "site", 1),
        ("dashboards:site", "site", 2),
    ],
    "delegate": [
        ("home", None, 1),
        ("sites:site_home", "site", 2),
        ("dashboards:site", "site", 4),
        ("dashboards:my_sites", None, 2),
        ("pilotage:meeting_list", "site", 2),
        ("pilotage:meeting_detail", "meeting", 2),
        ("pilotage:action_board", "site", 1),
    ],
    "network": [
        ("home", None, 1),
        ("dashboards:network", "network", 4),
        ("dashboards:cooperation", "site", 1),
        ("dashboards:site", "site", 2),
        ("sites:site_home", "site", 2),
        ("pilotage:meeting_list", "site", 1),
    ],
    "national": [
        ("dashboards:national", None, 4),
        ("dashboards:network", "network", 2),
        ("dashboards:site", "site", 3),
        ("sites:site_home", "site", 3),
        ("pilotage:meeting_list", "site", 2),
        ("pilotage:action_board", "site", 1),
        ("reports:report_list", None, 1),
    ],
}

EMAILS = {
    "facilitator": "facilitator@example.org",
    "delegate": "delegate@example.org",
    "network": "network@example.org",
    "national": "national@example.org",
}

# How many sites (and objects per kind) a persona's URLs are drawn from: enough that a national
# user's pages do not all hit the same few rows.
SAMPLE_SITES = 120
SAMPLE_OBJECTS = 60


def _sample(queryset, size, rng):
    ids = list(queryset.values_list("pk", flat=True))
    return rng.sample(ids, min(size, len(ids)))


def build(seed: int = 7) -> dict:
    from django.urls import NoReverseMatch, reverse

    from atc.models import User
    from evaluation.models import LogbookEntry
    from pilotage.models import Action, Meeting
    from sites.models import Network, Site

    rng = random.Random(seed)
    plan = {"personas": {}, "skipped": [], "sites": Site.objects.count()}
    for persona, reads in READS.items():
        user = User.objects.get(email=EMAILS[persona])
        sites = list(Site.objects.for_user(user).order_by("pk").values_list("pk", "slug"))
        if len(sites) > SAMPLE_SITES:
            sites = rng.sample(sites, SAMPLE_SITES)
        slug_of = dict(sites)
        site_ids = list(slug_of)
        objects = {
            "meeting": Meeting.objects.filter(site_id__in=site_ids),
            "action": Action.objects.filter(site_id__in=site_ids),
            "logbook": LogbookEntry.objects.filter(site_id__in=site_ids),
        }
        role_networks = user.roles.current().exclude(network=None).values_list("network", flat=True)
        networks = list(Network.objects.filter(pk__in=role_networks).values_list("code", flat=True)) or list(
            Network.objects.values_list("code", flat=True)
        )
        pages = []
        for name, fill, weight in reads:
            if fill in objects:
                rows = objects[fill].filter(pk__in=_sample(objects[fill], SAMPLE_OBJECTS, rng))
                arg_sets = [(slug_of[site_id], pk) for pk, site_id in rows.values_list("pk", "site")]
            elif fill == "site":
                arg_sets = [(slug,) for slug in slug_of.values()]
            elif fill == "network":
                arg_sets = [(slug,) for slug in networks]
            else:
                arg_sets = [()]
            try:
                urls = [reverse(name, args=args) for args in arg_sets]
            except NoReverseMatch:
                plan["skipped"].append(f"{persona}: {name} (no such URL in this checkout)")
                continue
            if not urls:
                plan["skipped"].append(f"{persona}: {name} (no {fill} to show)")
                continue
            pages.append({"name": name.split(":")[-1], "weight": weight, "urls": urls})
        entry = {"email": user.email, "pages": pages}
        if persona == "facilitator":
            entry["meeting_create"] = reverse("pilotage:meeting_create", args=[sites[0][1]])
        plan["personas"][persona] = entry
    return plan


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    django.setup()
    args.out.write_text(json.dumps(build(), indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
