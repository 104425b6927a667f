from django.urls import path

from evaluation.showcase import views

app_name = "showcase"

urlpatterns = [
    path("robots.txt", views.robots, name="robots"),
    path("vitrine/", views.programme, name="programme"),
    path("vitrine/sites/<slug:slug>/", views.site, name="site"),
    path("vitrine/sites/<slug:slug>/fichiers/<int:pk>/", views.public_file, name="file"),
    path("vitrine/fiches/", views.sheets, name="sheets"),
    path("vitrine/fiches/<int:pk>/", views.sheet, name="sheet"),
    path("sites/<slug:slug>/page-publique/", views.manage, name="manage"),
    path("sites/<slug:slug>/page-publique/modifier/", views.edit, name="edit"),
    path("sites/<slug:slug>/page-publique/fichiers/ajouter/", views.file_add, name="file_add"),
    path("sites/<slug:slug>/page-publique/fichiers/<int:pk>/retirer/", views.file_remove, name="file_remove"),
    path("sites/<slug:slug>/page-publique/publier/", views.publish, name="publish"),
    path("sites/<slug:slug>/page-publique/retirer/", views.unpublish, name="unpublish"),
]
