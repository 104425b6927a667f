"""Who may read the « Définitions » page: every signed-in person (it says how figures are
counted, never what they are)."""

from tests.access import AUTHENTICATED, Rule

RULES = {"definitions:index": Rule(AUTHENTICATED)}
