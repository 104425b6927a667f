"""Account management by the national team, and the audit trail of tracked objects."""

from django.urls import path

from atc import accounts, history

urlpatterns = [
    path("personnes/", accounts.people, name="people"),
    path("personnes/inviter/", accounts.person_invite, name="person_invite"),
    path("personnes/<int:pk>/", accounts.person_detail, name="person_detail"),
    path("personnes/<int:pk>/roles/ajouter/", accounts.person_role_add, name="person_role_add"),
    path("roles/<int:pk>/terminer/", accounts.role_end, name="role_end"),
    path("historique/<slug:model>/<int:pk>/", history.history, name="history"),
]
