"""Review comment threads as people use them: a delegate comments, the site team answers and marks
the comment « traité », the delegate sees it closed; other sites' teams never see the thread."""

import pytest
from django.urls import reverse

from atc.models import Role
from sites.comments.services import comment_create, comment_handle, comment_reply
from sites.models import ReviewComment, ReviewReply, Site
from tests.atc.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

# The site dashboard with its figures already rendered, whatever the number of threads: the
# session, the reader, the site, the site's versions (read once: a staleness check for its open
# attention signals, then the key of its kept comments and figures), then the signals' rows. The
# comments are kept with the site's data; who may reply or mark « traité » is worked out per reader.
DASHBOARD_QUERIES = 5
QUESTION = "Le comité de pilotage de mars a-t-il associé le conseil citoyen ?"


@pytest.fixture
def roubaix(db):
    return Site.objects.get(slug="roubaix")


@pytest.fixture
def roubaix_facilitator(roubaix):
    user = UserFactory(email="animatrice-roubaix@example.org", first_name="Nadia", last_name="Roubaix")
    RoleFactory(user=user, kind=Role.Kind.FACILITATOR, sites=[roubaix])
    return user


def _dashboard(client, slug):
    return client.get(reverse("dashboards:site", args=[slug])).content.decode()


def _reply_data(comment, body):
    return {f"reponse-{comment.pk}-body": body}


def test_delegate_comments_facilitator_replies_and_handles_and_the_open_count_drops(
    client, prefet_delegate, roubaix_facilitator, roubaix
):
    client.force_login(prefet_delegate)
    client.post(reverse("dashboards:site_comment", args=["roubaix"]), {"body": QUESTION})
    comment = ReviewComment.objects.get(site=roubaix)
    mine = client.get(reverse("comments:mine"))
    assert [t.comment for t in mine.context["open_threads"]] == [comment]
    assert "en attente d'être traités : 1" in mine.content.decode()
    assert "Mes commentaires ouverts : 1" in client.get(reverse("dashboards:my_sites")).content.decode()

    client.force_login(roubaix_facilitator)
    page = _dashboard(client, "roubaix")
    assert QUESTION.replace("'", "&#x27;") in page and "Ouvert" in page
    reply_url = reverse("comments:reply", args=["roubaix", comment.pk])
    response = client.post(
        reply_url, _reply_data(comment, "Oui, deux membres étaient présents."), follow=True
    )
    assert "Votre réponse est enregistrée." in response.content.decode()
    assert "Oui, deux membres étaient présents." in response.content.decode()
    response = client.post(reverse("comments:handle", args=["roubaix", comment.pk]), follow=True)
    page = response.content.decode()
    assert "Le commentaire est marqué comme traité." in page
    assert "Traité par Nadia Roubaix le" in page

    client.force_login(prefet_delegate)
    mine = client.get(reverse("comments:mine"))
    assert mine.context["open_threads"] == []
    assert [t.comment for t in mine.context["handled_threads"]] == [comment]
    assert "en attente d'être traités : 0" in mine.content.decode()
    assert "Mes commentaires ouverts : 0" in client.get(reverse("dashboards:my_sites")).content.decode()
    assert "Oui, deux membres étaient présents." in mine.content.decode()


def test_the_author_reopens_a_handled_comment(client, prefet_delegate, tourcoing, national_team):
    comment = comment_create(site=tourcoing, author=prefet_delegate, body=QUESTION)
    comment_handle(comment=comment, user=national_team)
    client.force_login(prefet_delegate)
    response = client.post(reverse("comments:reopen", args=["tourcoing", comment.pk]), follow=True)
    assert "Le commentaire est rouvert." in response.content.decode()
    comment.refresh_from_db()
    assert comment.is_open and comment.handled_by is None


def test_open_threads_come_first_above_the_figures(client, prefet_delegate, tourcoing, national_team):
    handled = comment_create(site=tourcoing, author=prefet_delegate, body="Premier point, réglé.")
    comment_handle(comment=handled, user=national_team)
    comment_create(site=tourcoing, author=prefet_delegate, body="Second point, en attente.")
    client.force_login(prefet_delegate)
    page = _dashboard(client, "tourcoing")
    assert page.index("Second point, en attente.") < page.index("Premier point, réglé.")
    assert page.index('id="commentaires"') < page.index('id="animation-title"')


def test_a_delegate_may_not_mark_another_persons_comment_handled(
    client, prefet_delegate, tourcoing, national_team
):
    comment = comment_create(site=tourcoing, author=national_team, body="Question de l'équipe nationale.")
    client.force_login(prefet_delegate)
    response = client.post(reverse("comments:handle", args=["tourcoing", comment.pk]))
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()
    comment.refresh_from_db()
    assert comment.is_open
    # …but answers it, and sees no « Marquer comme traité » button for it.
    page = _dashboard(client, "tourcoing")
    assert "Répondre" in page and "Marquer comme traité" not in page


def test_a_network_coordinator_reads_the_thread_without_buttons(
    client, network_coordinator, facilitator, marseille
):
    comment_create(site=marseille, author=facilitator, body="Note de l'équipe.")
    client.force_login(network_coordinator)
    page = _dashboard(client, "marseille")
    assert "Note de l&#x27;équipe." in page
    assert "Répondre" not in page and "Marquer comme traité" not in page
    comment = ReviewComment.objects.get()
    response = client.post(
        reverse("comments:reply", args=["marseille", comment.pk]), _reply_data(comment, "Vu")
    )
    assert response.status_code == 403
    assert not ReviewReply.objects.exists()


def test_grenobles_comments_are_never_shown_to_marseilles_team(
    client, facilitator, host_director, national_team, grenoble
):
    comment = comment_create(site=grenoble, author=national_team, body="Confidentiel Grenoble")
    comment_reply(comment=comment, user=national_team, body="Réponse confidentielle Grenoble")
    for person in (facilitator, host_director):
        client.force_login(person)
        assert "Grenoble" not in _dashboard(client, "marseille")
        assert client.get(reverse("dashboards:site", args=["grenoble"])).status_code == 404
        # The comment's id under Marseille's address is not found either.
        for name in ("comments:reply", "comments:handle", "comments:reopen"):
            for slug in ("grenoble", "marseille"):
                url = reverse(name, args=[slug, comment.pk])
                assert client.post(url, _reply_data(comment, "Intrusion")).status_code == 404
        assert "Confidentiel" not in client.get(reverse("comments:mine")).content.decode()
    assert ReviewReply.objects.count() == 1
    assert ReviewComment.objects.get().is_open


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "Écrivez votre réponse avant de l&#x27;enregistrer."),
        ("x" * 5001, "5000 caractères"),
    ],
)
def test_a_refused_reply_saves_nothing_and_keeps_the_text(
    client, facilitator, marseille, national_team, body, message
):
    comment = comment_create(site=marseille, author=national_team, body="Où en est le diagnostic ?")
    client.force_login(facilitator)
    response = client.post(
        reverse("comments:reply", args=["marseille", comment.pk]), _reply_data(comment, body)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert body.strip()[:100] in page
    assert not ReviewReply.objects.exists()


def test_markup_in_a_reply_is_shown_as_text(client, facilitator, marseille, national_team):
    comment = comment_create(site=marseille, author=national_team, body="Où en est le diagnostic ?")
    client.force_login(facilitator)
    client.post(
        reverse("comments:reply", args=["marseille", comment.pk]),
        _reply_data(comment, "<script>alert(1)</script> presque fini"),
    )
    page = _dashboard(client, "marseille")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; presque fini" in page
    assert "<script>alert(1)" not in page


def test_the_dashboards_queries_do_not_grow_with_the_threads(
    client, facilitator, marseille, national_team, django_assert_max_num_queries
):
    def add_threads(n):
        for i in range(n):
            comment = comment_create(site=marseille, author=national_team, body=f"Point {i}")
            comment_reply(comment=comment, user=facilitator, body=f"Réponse {i}")
            if i % 2:
                comment_handle(comment=comment, user=facilitator)

    client.force_login(facilitator)
    add_threads(1)
    _dashboard(client, "marseille")  # the figures are rendered once and kept
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        _dashboard(client, "marseille")
    add_threads(6)
    _dashboard(client, "marseille")
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        assert _dashboard(client, "marseille").count('class="card review-comment') == 7


def test_my_comments_page_queries_do_not_grow(
    client, prefet_delegate, national_team, django_assert_max_num_queries
):
    client.force_login(prefet_delegate)
    for slug in ("tourcoing", "roubaix", "grande-synthe"):
        comment = comment_create(
            site=Site.objects.get(slug=slug), author=prefet_delegate, body=f"Point {slug}"
        )
        comment_reply(comment=comment, user=national_team, body="Vu")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("comments:mine"))
    assert len(response.context["open_threads"]) == 3
