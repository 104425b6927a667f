"""Reference data of the experiment: the 3 networks, the 15 sites and their QPV.

Public facts come from `sites/data/atc_sites.csv` (a copy of the team's sourced research, with a
confidence per row). Used by the data migration and by tests; importable without Django models.
"""

import csv
from pathlib import Path

from django.utils.text import slugify

DATA_FILE = Path(__file__).resolve().parent / "data" / "atc_sites.csv"

NETWORKS = [
    ("fcsf", "FCSF", "Fédération des centres sociaux et socioculturels de France"),
    ("cnlrq", "CNLRQ", "Comité national de liaison des régies de quartier"),
    ("bbz", "BBZ", "Bleu Blanc Zèbre"),
]

PRIORITY_MODELS = [
    ("residents-participation", "Participation des habitant·es"),
    ("inter-institutional", "Animation inter-institutionnelle"),
    ("associations-coordination", "Coordination des associations"),
    ("associative-revival", "Redynamisation de la vie associative"),
]

SCHEMES = [
    ("npnru", "NPNRU (renouvellement urbain)"),
    ("paqt", "PAQT (pacte avec les quartiers pour toutes les entreprises)"),
    ("zrr", "ZRR (zone de revitalisation rurale)"),
    ("cite-educative", "Cité éducative"),
    ("contrat-de-ville", "Contrat de ville"),
    ("gup", "Gestion urbaine de proximité"),
    ("pre", "Programme de réussite éducative"),
]

# Per city: the site's usage label (as the experiment names it: never a doubt marker, the doubt is
# `data_confidence` and CONFIDENCE_NOTES) and the official QPV names, in the
# order of the codes in the CSV. Names follow the 2015 list; see atc_sites.md for the 2024 splits.
SITE_LABELS = {
    "Marseille": ("Frais Vallon", ["Frais Vallon – Le Clos La Rose"]),
    "Aubenas": ("Quartiers d'avenir", ["Quartiers d'avenir"]),
    "Saint-Gilles": ("Sabatot – Centre ancien", ["Sabatot – Centre ancien"]),
    "Hombourg-Haut": ("Les Chênes", ["Les Chênes"]),
    "Tourcoing": ("La Bourgogne", ["La Bourgogne"]),
    "Grenoble": ("Villeneuve – Village Olympique", ["Villeneuve – Village Olympique"]),
    "Grande-Synthe": ("Albeck – Europe – Moulin", ["Albeck – Europe – Moulin"]),
    "Avignon": (
        "Monclar Champfleury",
        ["Monclar – Champfleury – Rocade Sud – Barbière – Croix des Oiseaux"],
    ),
    "Fort-de-France": ("Quartiers Ouest", ["Quartiers Ouest"]),
    "Saint-Denis": ("Floréal – Saussaie – Allende", ["Floréal – Saussaie – Allende"]),
    "Les Mureaux": ("Cinq Quartiers", ["Cinq Quartiers"]),
    "Grigny": ("La Grande Borne", ["La Grande Borne – Le Plateau"]),
    "Roubaix": ("Nouveau Roubaix", ["Nouveau Roubaix"]),
    "Strasbourg": ("Hautepierre – Cronenbourg", ["Hautepierre", "Cronenbourg"]),
    "Villefranche-sur-Saône": ("Belleroche", ["Belleroche"]),
}

# What atc_sites.md says is uncertain, kept visible to administrators.
CONFIDENCE_NOTES = {
    "Marseille": "Coordonnées : centroïde de la commune, à environ 4 km de Frais Vallon. "
    "Le QPV 2015 a été scindé en 2024 (Frais Vallon QN01344M, Le Clos La Rose QN01345M).",
    "Fort-de-France": "Quartiers Ouest retenu d'après la page de la ville (Trénelle-Citron, "
    "Terres Sainville, Pont de Chaînes) ; Ermitage non confirmé. Le code QN est celui de la "
    "liste outre-mer 2025.",
    "Saint-Denis": "Aucun quartier nommé par la source : QPV déduit du siège de la régie de "
    "quartiers de Saint-Denis (93) ; Saint-Denis de La Réunion écarté. À confirmer avec le CNLRQ.",
    "Roubaix": "Aucun QPV nommé par la source : Nouveau Roubaix déduit d'une mention tronquée de "
    "l'Épeule. À confirmer avec BBZ.",
    "Grigny": "Le QPV 2015 s'étendait sur Grigny et Viry-Châtillon ; en 2024 seule La Grande "
    "Borne (Grigny, QN09125M) est retenue.",
}


def confidence_level(text: str) -> str:
    """'high (codes); …' → 'high'."""
    for level in ("high", "medium", "low"):
        if text.strip().lower().startswith(level):
            return level
    raise ValueError(f"Unknown confidence: {text!r}")


def site_slug(city: str) -> str:
    return slugify(city)


def read_sites() -> list[dict]:
    """The 15 sites as dicts, codes split into lists."""
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    sites = []
    for row in rows:
        label, qpv_names = SITE_LABELS[row["city"]]
        codes_2015 = row["qpv_code_2015"].split(";")
        codes_2024 = row["qpv_code_2024"].split(";")
        sites.append(
            {
                "network": row["network"],
                "city": row["city"],
                "name": f"{row['city']} – {label}",
                "slug": site_slug(row["city"]),
                "neighbourhood_label": label,
                "neighbourhoods": list(zip(qpv_names, codes_2015, codes_2024, strict=True)),
                "insee_code": row["insee_commune"],
                "departement_code": row["departement_code"],
                "departement_name": row["departement_name"],
                "region": row["region"],
                "latitude": row["lat"],
                "longitude": row["lon"],
                "confidence": confidence_level(row["confidence"]),
                "confidence_text": row["confidence"],
                "notes": CONFIDENCE_NOTES.get(row["city"], ""),
                "sources": row["source"],
            }
        )
    return sites
