"""The project's URLs plus one view that fails, to see the 500 page a person would get."""

from django.urls import path

from atc.urls import urlpatterns as project_urlpatterns


def failing_view(request):
    raise RuntimeError("secret-internal-detail: boom in a view")


urlpatterns = [*project_urlpatterns, path("test-erreur/", failing_view)]
