"""The import speaks the words people use in their own tables, and its templates carry one example
row that shows the formats and that the import skips."""

import csv
import io

import pytest
from openpyxl import load_workbook

from atc import spreadsheets
from pilotage.imports import resources, templates
from pilotage.imports import services as imports
from pilotage.models import Action, Meeting
from tests.pilotage.test_imports import MEETING_HEADER, csv_bytes, meeting_row, xlsx_bytes

pytestmark = pytest.mark.django_db

MEETINGS = imports.KINDS["reunions"]
ACTIONS = imports.KINDS["actions"]


def template_rows(kind) -> list[list[str]]:
    text = templates.template_csv(kind).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@pytest.mark.parametrize("kind", [MEETINGS, ACTIONS], ids=["reunions", "actions"])
def test_a_template_imported_as_downloaded_creates_nothing_and_says_the_example_was_skipped(
    kind, marseille, facilitator
):
    for data in (templates.template_csv(kind), templates.template_xlsx(kind)):
        report = imports.import_file(site=marseille, kind=kind, data=data, user=facilitator)
        assert report.rows == []
        assert report.warnings == ["Ligne 2 : ligne d'exemple du modèle, ignorée."]
        assert report.errors == ["Le fichier ne contient aucune ligne à importer sous l'en-tête."]
    assert not Meeting.objects.exists()
    assert not Action.objects.exists()


@pytest.mark.parametrize("kind", [MEETINGS, ACTIONS], ids=["reunions", "actions"])
def test_the_example_row_without_its_mark_is_a_valid_row(kind, marseille, facilitator):
    """The example shows formats the import accepts: remove the mark and it imports."""
    header, example = template_rows(kind)
    title = header.index("intitulé")
    example[title] = example[title].replace(resources.EXAMPLE_MARK, "").strip()
    report = imports.import_file(
        site=marseille, kind=kind, data=spreadsheets.csv_bytes(header, [example]), user=facilitator
    )
    assert report.errors == []
    assert [row["title"] for row in report.rows] == [example[title]]


def test_rows_filled_under_the_example_import_and_the_example_does_not(marseille, facilitator):
    workbook = load_workbook(io.BytesIO(templates.template_xlsx(MEETINGS)))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    row = dict.fromkeys(header, None) | {"date": "05/05/2021", "type": "COPIL", "intitulé": "Comité de mai"}
    sheet.append([row[name] for name in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = imports.import_file(site=marseille, kind=MEETINGS, data=buffer.getvalue(), user=facilitator)
    assert report.errors == []
    assert report.warnings == ["Ligne 2 : ligne d'exemple du modèle, ignorée."]
    assert list(Meeting.objects.values_list("title", "kind")) == [("Comité de mai", Meeting.Kind.STEERING)]


def test_a_title_that_only_mentions_an_example_is_imported(marseille, facilitator):
    row = meeting_row(1)
    row[2] = "Exemple de bonne pratique : la fête des voisins"
    report = imports.import_file(
        site=marseille, kind=MEETINGS, data=csv_bytes([MEETING_HEADER, row]), user=facilitator
    )
    assert report.errors == [] and report.warnings == []
    assert Meeting.objects.get().title == "Exemple de bonne pratique : la fête des voisins"


@pytest.mark.parametrize(
    ("kind", "word", "expected"),
    [
        ("Instance de pilotage", "Visio", Meeting.Format.VIDEO),
        ("Instance de pilotage", "visioconférence", Meeting.Format.VIDEO),
        ("Instance de pilotage", "DISTANCIEL", Meeting.Format.VIDEO),
        ("Instance de pilotage", "Présentiel", Meeting.Format.IN_PERSON),
        ("Instance de pilotage", "mixte", Meeting.Format.HYBRID),
    ],
)
def test_usual_words_for_a_meeting_format_are_accepted(marseille, facilitator, kind, word, expected):
    row = meeting_row(1, kind=kind)
    row[3] = word
    report = imports.import_file(
        site=marseille, kind=MEETINGS, data=csv_bytes([MEETING_HEADER, row]), user=facilitator
    )
    assert report.errors == []
    assert Meeting.objects.get().format == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("COPIL", Meeting.Kind.STEERING), ("GT", Meeting.Kind.WORKING_GROUP), ("RDV", Meeting.Kind.BILATERAL)],
)
def test_usual_words_for_a_meeting_kind_are_accepted(marseille, facilitator, word, expected):
    report = imports.import_file(
        site=marseille,
        kind=MEETINGS,
        data=xlsx_bytes([MEETING_HEADER, meeting_row(1, kind=word)]),
        user=facilitator,
    )
    assert report.errors == []
    assert Meeting.objects.get().kind == expected


def test_a_finished_action_written_terminee_is_done_at_full_progress(marseille, facilitator):
    data = csv_bytes([["intitulé", "état"], ["Jardin partagé", "Terminée"]])
    report = imports.import_file(site=marseille, kind=ACTIONS, data=data, user=facilitator)
    assert report.errors == []
    action = Action.objects.get()
    assert (action.status, action.progress) == (Action.Status.DONE, 100)


def test_an_unknown_word_is_still_refused_with_the_values_to_use(marseille, facilitator):
    row = meeting_row(1)
    row[3] = "Téléphone"
    report = imports.check_file(site=marseille, kind=MEETINGS, data=csv_bytes([MEETING_HEADER, row]))
    assert report.errors == [
        "Ligne 2, colonne « format » : « Téléphone » n'est pas une valeur possible (valeurs possibles : "
        "En présentiel, En visioconférence, Hybride)."
    ]


def test_no_usual_word_reads_as_another_value_than_a_label_written_the_same_way():
    for kind in (MEETINGS, ACTIONS):
        for column in kind.columns():
            widget = column.widget
            if not isinstance(widget, resources.Choice):
                continue
            said = {resources.normalise(k): value for value, label in widget.choices for k in (value, label)}
            for value, words in widget.synonyms.items():
                for word in words:
                    assert said.get(resources.normalise(word), value) == value, (column.key, word)
                    assert widget.lookup[resources.normalise(word)] == value


def test_the_help_sheet_and_the_import_page_list_the_other_words_accepted(client, marseille, facilitator):
    workbook = load_workbook(io.BytesIO(templates.template_xlsx(MEETINGS)))
    help_rows = {row[0]: row[2] for row in workbook["Aide"].iter_rows(values_only=True) if row and row[0]}
    assert "accepte aussi : Présentiel, Sur place, Physique, Visio" in help_rows["format"]
    client.force_login(facilitator)
    page = client.get(f"/sites/{marseille.slug}/import/").content.decode()
    assert "accepte aussi : Présentiel, Sur place, Physique, Visio" in page


def test_the_import_reads_the_same_action_state_rule_as_the_form(marseille, facilitator):
    rows = [["intitulé", "état", "avancement (%)", "fin"], ["Jardin", "Réalisée", "40", "01/01/2099"]]
    data = csv_bytes(rows)
    report = imports.check_file(site=marseille, kind=ACTIONS, data=data)
    assert report.errors == [
        "Ligne 2, colonne « avancement (%) » : Une action réalisée est à 100 % : passez l'avancement "
        "à 100 ou choisissez un autre état.",
        "Ligne 2, colonne « fin » : Une action réalisée ne peut pas finir après aujourd'hui : indiquez "
        "le jour où elle s'est terminée, ou choisissez « En cours ».",
    ]
