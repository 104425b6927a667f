"""WeasyPrint reads our own static files and data: URIs, and nothing else."""

import pytest
from django.conf import settings

from evaluation.reports.pdf import make_fetcher, render_to_file, resolve_static

STATIC = f"{settings.SITE_URL}{settings.STATIC_URL}"


def test_our_static_files_are_served_by_path():
    assert resolve_static(f"{STATIC}css/report.css").name == "report.css"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/tracker.png",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        f"{STATIC}../../../../etc/passwd",
        f"{STATIC}%2e%2e/%2e%2e/atc/settings.py",
        f"{STATIC}css/missing.css",
        f"{settings.SITE_URL}/admin/",
    ],
)
def test_every_other_url_is_refused(url):
    assert resolve_static(url) is None
    with pytest.raises(ValueError, match="refusée"):
        make_fetcher().fetch(url)


def test_data_uris_are_read():
    response = make_fetcher().fetch("data:text/plain;base64,QVRD")
    assert response.read() == b"ATC"


def test_a_document_pointing_outside_renders_without_fetching_it(tmp_path):
    html = (
        '<html><head><link rel="stylesheet" href="file:///etc/passwd"></head><body>'
        '<img src="https://example.org/x.png" alt="externe"><p>Rapport</p></body></html>'
    )

    pages = render_to_file(html, tmp_path / "out.pdf")

    assert pages == 1
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")


def test_a_render_over_the_memory_ceiling_fails_with_a_reason_and_leaves_no_file(tmp_path):
    from evaluation.reports.pdf import RenderError

    output = tmp_path / "rapport.pdf"
    big = "<table>" + "<tr><td>Ligne de tableau très longue</td></tr>" * 20000 + "</table>"
    # Under the ceiling the failure surfaces where an allocation fails: a MemoryError (reported as
    # the ceiling), a C library's abort, or its error; in every case the render fails with a
    # reason and leaves no file behind.
    with pytest.raises(RenderError) as failure:
        render_to_file(f"<html><body>{big}</body></html>", output, memory_mb=64)
    assert str(failure.value).startswith("Le ")
    assert not output.exists()
