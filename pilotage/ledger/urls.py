from django.urls import path

from pilotage.ledger import views

app_name = "ledger"

site = "sites/<slug:slug>/"

urlpatterns = [
    path(f"{site}actions/<int:pk>/couts-evites/nouveau/", views.claim_create, name="claim_create"),
    path(f"{site}couts-evites/<int:pk>/modifier/", views.claim_edit, name="claim_edit"),
    path(f"{site}couts-evites/<int:pk>/supprimer/", views.claim_delete, name="claim_delete"),
    path(f"{site}couts-evites/<int:pk>/verifier/", views.claim_verify, name="claim_verify"),
]
