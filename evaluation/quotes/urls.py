from django.urls import path

from evaluation.quotes import views

app_name = "quotes"

urlpatterns = [
    path("sites/<slug:slug>/paroles/", views.quote_list, name="quote_list"),
    path("sites/<slug:slug>/paroles/nouvelle/", views.quote_create, name="quote_create"),
    path("sites/<slug:slug>/paroles/<int:pk>/modifier/", views.quote_edit, name="quote_edit"),
]
