"""The open data are public: the documentation page and the files, without an account."""

from tests.access import PUBLIC, Rule

RULES = {
    "opendata:index": Rule(PUBLIC),
    "opendata:file": Rule(PUBLIC, lambda o: {"name": "datapackage.json"}),
}
