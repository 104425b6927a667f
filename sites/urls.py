from django.urls import path

from sites import views

app_name = "sites"

urlpatterns = [
    path("sites/<slug:slug>/", views.site_home, name="site_home"),
]
