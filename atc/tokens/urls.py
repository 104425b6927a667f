from django.urls import path

from atc.tokens import views

app_name = "tokens"

urlpatterns = [
    path("compte/jetons-api/", views.token_list, name="token_list"),
    path("compte/jetons-api/<int:pk>/revoquer/", views.token_revoke, name="token_revoke"),
]
