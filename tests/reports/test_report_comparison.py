"""The summary's comparisons in words: the previous comparable period, and a site's quarter among
the others (never their names)."""

import datetime

from atc.periods import parse_period
from evaluation.reports.comparison import placement, previous_period

D = datetime.date


def test_the_previous_period_has_the_same_length_just_before():
    assert previous_period(parse_period("2021")).label == "2020"
    assert previous_period(parse_period("T1 2021")).label == "2020-T4"
    assert previous_period(parse_period("S2 2021")).label == "2021-S1"
    typed = previous_period(parse_period("01/03/2021..10/03/2021"))
    assert (typed.start, typed.end) == (D(2021, 2, 19), D(2021, 2, 28))


def test_a_site_is_placed_by_quarter_in_words():
    others = [0, 1, 2, 3, 4, 5, 6, 7]

    assert placement(9, others) == "dans le quart supérieur"
    assert placement(-1, others) == "dans le quart inférieur"
    assert placement(3, others) == "dans le deuxième quart (sous la médiane)"
    assert placement(5, others) == "dans le troisième quart (au-dessus de la médiane)"
    assert placement(2, [2, 2, 2]) == "au même niveau que les autres sites"
    assert placement(2, []) == "seul site avec une valeur"
    assert placement(None, others) == "—"
