"""Who may open the search page: every signed-in person; the results follow each one's scope
(tests/evaluation/test_search.py checks what each persona finds)."""

from tests.access import AUTHENTICATED, Rule

RULES = {"search:results": Rule(AUTHENTICATED)}
