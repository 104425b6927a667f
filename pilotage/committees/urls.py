from django.urls import path

from pilotage.committees import views

app_name = "committees"

site = "sites/<slug:slug>/instances/"

urlpatterns = [
    path(site, views.committee_list, name="committee_list"),
    path(f"{site}nouvelle/", views.committee_create, name="committee_create"),
    path(f"{site}<int:pk>/", views.committee_detail, name="committee_detail"),
    path(f"{site}<int:pk>/modifier/", views.committee_edit, name="committee_edit"),
    path(f"{site}<int:pk>/sieges/nouveau/", views.seat_create, name="seat_create"),
    path(f"{site}<int:pk>/sieges/<int:seat_pk>/modifier/", views.seat_edit, name="seat_edit"),
    path(f"{site}<int:pk>/sieges/<int:seat_pk>/fin/", views.seat_end_view, name="seat_end"),
]
