"""The people pages: account management by the national team."""

from django.urls import path

from sites.people import views

urlpatterns = [
    path("personnes/", views.people, name="people"),
    path("personnes/inviter/", views.person_invite, name="person_invite"),
    path("personnes/<int:pk>/", views.person_detail, name="person_detail"),
    path("personnes/<int:pk>/roles/ajouter/", views.person_role_add, name="person_role_add"),
    path("roles/<int:pk>/terminer/", views.role_end, name="role_end"),
]
