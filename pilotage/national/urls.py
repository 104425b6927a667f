from django.urls import path

from pilotage.national import views

app_name = "national"

urlpatterns = [
    path("national/", views.national_home, name="national_home"),
    path("national/membres/nouveau/", views.national_member_create, name="national_member_create"),
    path("national/reunions/nouvelle/", views.national_meeting_create, name="national_meeting_create"),
    path("national/reunions/<int:pk>/", views.national_meeting_detail, name="national_meeting_detail"),
    path("national/reunions/<int:pk>/modifier/", views.national_meeting_edit, name="national_meeting_edit"),
]
