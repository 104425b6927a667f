from django.urls import path

from pilotage.calendars import views

app_name = "calendars"

urlpatterns = [
    path("agenda/abonnement/", views.subscription, name="subscription"),
    path("agenda/abonnement/desactiver/", views.revoke, name="revoke"),
    path("agenda/<str:key>.ics", views.feed, name="feed"),
]
