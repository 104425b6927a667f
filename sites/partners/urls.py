from django.urls import path

from sites.partners import views

app_name = "partners"

urlpatterns = [
    path("sites/<slug:slug>/partenaires/", views.partner_list, name="partner_list"),
    path("sites/<slug:slug>/partenaires/ajouter/", views.partner_create, name="partner_create"),
    path("sites/<slug:slug>/partenaires/<int:pk>/", views.partner_detail, name="partner_detail"),
    path(
        "sites/<slug:slug>/partenaires/<int:pk>/modifier/",
        views.partner_update,
        name="partner_update",
    ),
]
