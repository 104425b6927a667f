"""Kept values carry the release in their key: after a deploy, no fragment rendered by the old
templates (or computed by the old code) is served."""

import pytest

from atc import cache as kept
from evaluation.figures.cache import site_cached


@pytest.fixture
def fresh_release():
    kept.release.cache_clear()
    yield
    kept.release.cache_clear()


def test_a_value_kept_by_one_release_is_not_served_by_the_next(settings, fresh_release, marseille, db):
    settings.ATC_RELEASE = "2026-11-28"
    old = "ancienne mise en page"
    assert site_cached(marseille.pk, ("fragment",), lambda: old) == old
    assert site_cached(marseille.pk, ("fragment",), lambda: "jamais calculé") == old

    settings.ATC_RELEASE = "2026-11-29"
    kept.release.cache_clear()  # a new process of the new release
    new = "nouvelle mise en page"
    assert site_cached(marseille.pk, ("fragment",), lambda: new) == new


def test_without_a_named_release_a_changed_template_or_module_changes_the_key(
    settings, fresh_release, tmp_path
):
    settings.ATC_RELEASE = ""
    settings.BASE_DIR = tmp_path
    (tmp_path / "templates").mkdir()
    (tmp_path / "atc").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>{{ site.name }}</p>")
    (tmp_path / "atc" / "views.py").write_text("ROWS = 50\n")
    first = kept.versioned_key("atc-site-figures", 1)

    kept.release.cache_clear()
    assert kept.versioned_key("atc-site-figures", 1) == first  # same sources, same key (every server)

    page.write_text("<p class='site'>{{ site.name }}</p>")
    kept.release.cache_clear()
    second = kept.versioned_key("atc-site-figures", 1)
    assert second != first

    (tmp_path / "atc" / "views.py").write_text("ROWS = 25\n")
    kept.release.cache_clear()
    assert kept.versioned_key("atc-site-figures", 1) not in {first, second}
