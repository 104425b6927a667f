"""Import of past meetings and actions: good files, bad lines, encodings, size and formulas."""

import datetime
import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from atc import spreadsheets
from pilotage.imports import services as imports
from pilotage.imports import sheet_reader, templates
from pilotage.imports.reading import ImportFileError
from pilotage.models import Action, ActionStatusChange, Meeting
from sites.models import PartnerOrganisation
from tests.pilotage.factories import ActionFactory, CommitteeFactory, MeetingFactory
from tests.sites.factories import PartnerOrganisationFactory

pytestmark = pytest.mark.django_db

MEETINGS = imports.KINDS["reunions"]
ACTIONS = imports.KINDS["actions"]
MEETING_HEADER = [
    "date",
    "type",
    "intitulé",
    "format",
    "instance",
    "ordre du jour",
    "état du compte rendu",
    "compte rendu",
    "participant·es Association",
    "participant·es Habitant·es / collectif d'habitant·es",
]


def csv_bytes(rows, delimiter=";", encoding="utf-8-sig"):
    lines = [delimiter.join(cells) for cells in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows):
    workbook = Workbook()
    for cells in rows:
        workbook.active.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def meeting_row(n, day="12/03/2021", kind="Atelier partenarial"):
    return [day, kind, f"Atelier n° {n}", "En visioconférence", "", "Tour de table", "", "", "4", "7"]


def test_good_csv_creates_meetings(marseille, facilitator):
    CommitteeFactory(name="COPIL Frais Vallon")
    data = csv_bytes(
        [
            MEETING_HEADER,
            meeting_row(1),
            [
                "02/04/2021",
                "Instance de pilotage",
                "Premier COPIL",
                "Hybride",
                "copil frais vallon",
                "Lancement",
                "Validé",
                "Décisions : fête de quartier",
                "3",
                "",
            ],
        ]
    )
    report = imports.import_file(site=marseille, kind=MEETINGS, data=data, user=facilitator)
    assert report.ok, report.errors
    atelier, copil = Meeting.objects.filter(site=marseille).order_by("date")
    assert (atelier.date, atelier.kind, atelier.format) == (
        datetime.date(2021, 3, 12),
        Meeting.Kind.PARTNERS_WORKSHOP,
        Meeting.Format.VIDEO,
    )
    assert (atelier.attendees_association, atelier.attendees_residents) == (4, 7)
    assert atelier.minutes_status == Meeting.MinutesStatus.NONE
    assert copil.committee.name == "COPIL Frais Vallon"
    assert copil.minutes_status == Meeting.MinutesStatus.VALIDATED
    assert copil.created_by == facilitator
    assert copil.history.count() == 1


def test_comma_separated_csv_without_bom_is_read(marseille, facilitator):
    data = csv_bytes([MEETING_HEADER, meeting_row(1)], delimiter=",", encoding="utf-8")
    assert imports.import_file(site=marseille, kind=MEETINGS, data=data, user=facilitator).ok
    assert Meeting.objects.count() == 1


def test_windows_1252_csv_keeps_its_accents(marseille, facilitator):
    row = meeting_row(1)
    row[2] = "Réunion d'été à l'école"
    data = csv_bytes([MEETING_HEADER, row], encoding="cp1252")
    assert imports.import_file(site=marseille, kind=MEETINGS, data=data, user=facilitator).ok
    assert Meeting.objects.get().title == "Réunion d'été à l'école"


def test_good_xlsx_with_real_dates_and_numbers(marseille, facilitator):
    row = meeting_row(1)
    row[0] = datetime.datetime(2021, 3, 12)
    row[8] = 4
    data = xlsx_bytes([MEETING_HEADER, row])
    assert imports.import_file(site=marseille, kind=MEETINGS, data=data, user=facilitator).ok
    meeting = Meeting.objects.get()
    assert (meeting.date, meeting.attendees_association) == (datetime.date(2021, 3, 12), 4)


def test_one_bad_line_among_many_saves_nothing_and_is_reported(marseille, facilitator):
    rows = [MEETING_HEADER] + [meeting_row(n) for n in range(1, 60)]
    rows[6][0] = "31/02/2021"
    data = csv_bytes(rows)
    report = imports.import_file(site=marseille, kind=MEETINGS, data=data, user=facilitator)
    assert not report.ok
    assert report.errors == [
        "Ligne 7, colonne « date » : « 31/02/2021 » n'est pas une date valide (JJ/MM/AAAA)."
    ]
    assert not Meeting.objects.exists()


def test_each_bad_cell_is_named_with_its_reason(marseille, facilitator):
    rows = [
        MEETING_HEADER,
        ["12/03/2021", "Goûter", "", "", "Comité inconnu", "", "Validé", "", "-2", "beaucoup"],
    ]
    report = imports.check_file(site=marseille, kind=MEETINGS, data=csv_bytes(rows))
    messages = "\n".join(report.errors)
    assert "Ligne 2, colonne « type » : « Goûter » n'est pas une valeur possible" in messages
    assert "Ligne 2, colonne « intitulé » : valeur obligatoire manquante" in messages
    assert "Ligne 2, colonne « instance » : « Comité inconnu » n'est pas une instance" in messages
    assert "« -2 » : Indiquez un nombre entier entre 0 et 100 000." in messages
    assert "« beaucoup » n'est pas un nombre entier" in messages


def test_validated_minutes_need_text(marseille):
    row = meeting_row(1)
    row[6] = "Validé"
    report = imports.check_file(site=marseille, kind=MEETINGS, data=csv_bytes([MEETING_HEADER, row]))
    assert report.errors == [
        "Ligne 2, colonne « état du compte rendu » : « Validé » demande un compte rendu : "
        "remplissez la colonne « compte rendu » ou indiquez « Pas de compte rendu »."
    ]


def test_missing_column_and_unknown_column(marseille):
    header = ["date", "intitulé", "remarques"]
    report = imports.check_file(
        site=marseille, kind=MEETINGS, data=csv_bytes([header, ["12/03/2021", "X", "Y"]])
    )
    assert report.errors == ["Colonne « type » absente : ajoutez-la (reprenez le modèle à télécharger)."]
    assert report.warnings == ["Colonne « remarques » ignorée : elle ne fait pas partie du modèle."]


def test_a_file_without_separators_names_the_missing_columns(marseille):
    report = imports.check_file(site=marseille, kind=MEETINGS, data=b"une seule colonne\r\nvaleur\r\n")
    assert "Colonne « date » absente : ajoutez-la (reprenez le modèle à télécharger)." in (report.errors)


def test_headers_match_without_case_or_accents(marseille):
    header = ["DATE", "Type", "Intitule", "Participant.es Association"]
    data = csv_bytes([header, ["12/03/2021", "steering", "COPIL", "5"]])
    report = imports.check_file(site=marseille, kind=MEETINGS, data=data)
    assert report.ok, report.errors
    assert report.rows[0]["attendees_association"] == 5


def test_duplicates_of_existing_meetings_are_refused(marseille):
    MeetingFactory(date=datetime.date(2021, 3, 12), title="Atelier n° 1")
    report = imports.check_file(
        site=marseille, kind=MEETINGS, data=csv_bytes([MEETING_HEADER, meeting_row(1)])
    )
    assert report.errors == [
        "Ligne 2, colonne « intitulé » : la réunion « Atelier n° 1 » du 12/03/2021 existe déjà "
        "sur ce site : retirez la ligne pour ne pas la créer en double."
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Le fichier est vide"),
        (bytes(range(256)) * 40, "contenu binaire"),
        ("date;type".encode("utf-16"), "UTF-16"),
        (b"\xef\xbb\xbfdate;type\r\n\xe9t\xe9;x\r\n", "L'encodage du fichier n'est pas reconnu"),
        (b"\x81\x8d\x8f\x90date;type\r\n", "L'encodage du fichier n'est pas reconnu"),
        (b"PK\x03\x04not really a zip", "Le classeur n'a pas pu être lu"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "XLS (Excel 97-2003)"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(marseille, data, message):
    with pytest.raises(ImportFileError, match=re.escape(message)):
        imports.check_file(site=marseille, kind=MEETINGS, data=data)


def test_good_actions_with_partners_and_status_history(marseille, facilitator):
    PartnerOrganisationFactory(name="Centre social Frais Vallon")
    header = [
        "intitulé",
        "thématique",
        "état",
        "avancement (%)",
        "habitant·es touché·es",
        "début",
        "fin",
        "partenaires",
    ]
    rows = [
        header,
        [
            "Stock alimentaire partagé",
            "Solidarité alimentaire",
            "En cours",
            "40",
            "120",
            "01/09/2020",
            "30/06/2021",
            "centre social frais vallon; Banque alimentaire",
        ],
        ["Exposition collective", "cadre de vie", "Réalisée", "", "", "", "", ""],
    ]
    report = imports.import_file(site=marseille, kind=ACTIONS, data=xlsx_bytes(rows), user=facilitator)
    assert report.ok, report.errors
    assert report.new_partners == ["Banque alimentaire"]
    stock = Action.objects.get(title="Stock alimentaire partagé")
    assert stock.theme.code == "food-solidarity"
    assert (stock.status, stock.progress, stock.residents_reached) == ("running", 40, 120)
    assert sorted(p.name for p in stock.partners.all()) == [
        "Banque alimentaire",
        "Centre social Frais Vallon",
    ]
    assert PartnerOrganisation.objects.get(name="Banque alimentaire").category == "other"
    expo = Action.objects.get(title="Exposition collective")
    assert (expo.status, expo.progress) == ("done", 100)
    assert ActionStatusChange.objects.filter(action__site=marseille).count() == 2


def test_action_ending_before_it_starts_is_refused(marseille):
    rows = [["intitulé", "début", "fin"], ["Chantier", "01/09/2021", "01/06/2021"]]
    report = imports.check_file(site=marseille, kind=ACTIONS, data=csv_bytes(rows))
    assert report.errors == [
        "Ligne 2, colonne « fin » : « 01/06/2021 » est avant la date de début (01/09/2021) : "
        "corrigez l'une des deux."
    ]


def test_existing_action_title_is_refused(marseille):
    ActionFactory(title="Jardin partagé")
    report = imports.check_file(
        site=marseille, kind=ACTIONS, data=csv_bytes([["intitulé"], ["jardin partagé"]])
    )
    assert "existe déjà sur ce site" in report.errors[0]


def test_formula_text_is_stored_as_text(marseille, facilitator):
    rows = [
        ["intitulé", "description", "partenaires", "résultats"],
        ['=HYPERLINK("http://evil.example","clic")', "+33 6 12", "@SUM(A1)", "-1+1"],
    ]
    report = imports.import_file(site=marseille, kind=ACTIONS, data=csv_bytes(rows), user=facilitator)
    assert report.ok, report.errors
    action = Action.objects.get()
    assert action.title == '\'=HYPERLINK("http://evil.example","clic")'
    assert action.description == "'+33 6 12"
    assert action.outcomes == "'-1+1"
    assert action.partners.get().name == "'@SUM(A1)"


def test_xlsx_formulas_are_read_as_text_never_evaluated(marseille, facilitator):
    rows = [["intitulé", "habitant·es touché·es"], ["=1+1", "=2*3"]]
    report = imports.check_file(site=marseille, kind=ACTIONS, data=xlsx_bytes(rows))
    assert report.rows == [] or report.rows[0]["title"] == "'=1+1"
    assert (
        "Ligne 2, colonne « habitant·es touché·es » : « =2*3 » n'est pas un nombre entier"
        in (report.errors[0])
    )


def test_templates_have_french_headers_and_neutralised_cells():
    data = templates.template_csv(MEETINGS)
    assert data.startswith(b"\xef\xbb\xbf")
    header = data.decode("utf-8-sig").strip().split(";")
    assert header[:3] == ["date", "type", "intitulé"]
    assert "participant·es Conseil citoyen" in header
    workbook = load_workbook(io.BytesIO(templates.template_xlsx(ACTIONS)))
    assert [c.value for c in workbook.worksheets[0][1]][:3] == ["intitulé", "description", "thématique"]
    help_rows = list(workbook["Aide"].iter_rows(values_only=True))
    assert ("intitulé", "oui", "200 caractères au plus") in help_rows
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and value.startswith(spreadsheets.FORMULA_SIGNS))


def test_the_largest_file_accepted_imports_in_one_go_and_one_row_more_is_refused(marseille, facilitator):
    rows = [MEETING_HEADER] + [
        meeting_row(n, day=f"{1 + n % 28:02d}/{1 + n % 12:02d}/{2020 + n % 3}")
        for n in range(sheet_reader.MAX_ROWS)
    ]
    report = imports.import_file(site=marseille, kind=MEETINGS, data=csv_bytes(rows), user=facilitator)
    assert report.ok, report.errors[:3]
    assert Meeting.objects.filter(site=marseille).count() == 5_000

    rows.append(meeting_row(0))
    with pytest.raises(ImportFileError, match="Le fichier dépasse 5 000 lignes : découpez-le en plusieurs"):
        imports.check_file(site=marseille, kind=MEETINGS, data=csv_bytes(rows))
    assert Meeting.objects.filter(site=marseille).count() == 5_000


@pytest.mark.parametrize("day", ["31/12/9999", "01/01/0001", "31/12/1999", "01/01/2101"])
def test_a_date_outside_the_experiments_span_is_refused(marseille, facilitator, day):
    rows = [MEETING_HEADER, meeting_row(1)]
    rows[1][0] = day
    report = imports.import_file(site=marseille, kind=MEETINGS, data=csv_bytes(rows), user=facilitator)
    assert report.errors == [
        f"Ligne 2, colonne « date » : « {day} » : Indiquez une date entre le 01/01/2000 et le 31/12/2100."
    ]
    assert not Meeting.objects.exists()


def test_an_xlsx_date_outside_the_span_is_refused(marseille, facilitator):
    row = meeting_row(1)
    row[0] = datetime.datetime(9999, 12, 31)
    report = imports.check_file(site=marseille, kind=MEETINGS, data=xlsx_bytes([MEETING_HEADER, row]))
    assert "« 31/12/9999 » : Indiquez une date entre le 01/01/2000 et le 31/12/2100." in "\n".join(
        report.errors
    )


def test_two_huge_attendance_counts_are_refused(marseille, facilitator):
    row = meeting_row(1)
    row[8] = row[9] = "2000000000"
    report = imports.import_file(
        site=marseille, kind=MEETINGS, data=csv_bytes([MEETING_HEADER, row]), user=facilitator
    )
    assert "« 2000000000 » : Indiquez un nombre entier entre 0 et 100 000." in "\n".join(report.errors)
    assert not Meeting.objects.exists()
