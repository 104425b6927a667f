from django.urls import path

from evaluation.sheets import views

app_name = "sheets"

site = "sites/<slug:slug>/"

urlpatterns = [
    path("fiches-experience/", views.library, name="library"),
    path(f"{site}actions/<int:pk>/fiche-experience/", views.create, name="create"),
    path(f"{site}fiches-experience/<int:pk>/", views.detail, name="detail"),
    path(f"{site}fiches-experience/<int:pk>/modifier/", views.edit, name="edit"),
    path(f"{site}fiches-experience/<int:pk>/fiche.pdf", views.pdf, name="pdf"),
    path(f"{site}fiches-experience/<int:pk>/relecture/", views.submit, name="submit"),
    path(f"{site}fiches-experience/<int:pk>/relue/", views.review, name="review"),
    path(f"{site}fiches-experience/<int:pk>/publier/", views.publish, name="publish"),
    path(f"{site}fiches-experience/<int:pk>/depublier/", views.unpublish, name="unpublish"),
]
