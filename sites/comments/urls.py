from django.urls import path

from sites.comments import views

app_name = "comments"

urlpatterns = [
    path("sites/<slug:slug>/commentaires/<int:pk>/repondre/", views.comment_reply, name="reply"),
    path("sites/<slug:slug>/commentaires/<int:pk>/traiter/", views.comment_handle, name="handle"),
    path("sites/<slug:slug>/commentaires/<int:pk>/rouvrir/", views.comment_reopen, name="reopen"),
    path("tableaux/mes-commentaires/", views.my_comments, name="mine"),
]
