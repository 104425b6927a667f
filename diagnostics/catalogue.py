"""The national catalogues: themes and the 1–10 territory-reading items."""

THEMES = [
    ("civic-engagement", "Engagement citoyen"),
    ("food-solidarity", "Solidarité alimentaire"),
    ("living-environment", "Cadre de vie"),
    ("educational-success", "Réussite éducative"),
    ("women-public-space", "Place des femmes dans l'espace public"),
    ("youth", "Jeunesse"),
    ("health", "Santé"),
    ("environment", "Environnement"),
    ("intergenerational", "Liens intergénérationnels"),
    ("employment", "Emploi et insertion"),
    ("associative-life", "Vie associative"),
]

ASSESSMENT_ITEMS = [
    ("institutional-cooperation", "Coopération entre acteurs institutionnels"),
    ("associative-cooperation", "Coopération entre associations"),
    ("institutions-associations", "Relations entre institutions et associations"),
    ("residents-participation", "Participation des habitant·es"),
    ("residents-heard", "Prise en compte de la parole des habitant·es"),
    ("associative-dynamism", "Dynamisme de la vie associative"),
    ("trust", "Confiance entre les acteurs du quartier"),
    ("shared-vision", "Vision partagée des enjeux du quartier"),
]
