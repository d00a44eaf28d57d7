from django.urls import path

from kehou.complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("follow/", views.follow, name="follow"),
    path("done/", views.done, name="done"),
    path("new/<str:school>/", views.public_new, name="public_new"),
    path("family/", views.family, name="family"),
    path("family/new/", views.family_new, name="family_new"),
    path("schools/<int:school_pk>/", views.school, name="school"),
    path("region/", views.region, name="region"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/handle/", views.handle, name="handle"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/close/", views.close, name="close"),
]
