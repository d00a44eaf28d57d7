from django.urls import path

from kehou.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.read_all, name="read_all"),
    path("channels/", views.channel_choice, name="channels"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/read/", views.read, name="read"),
    path("<int:pk>/open/", views.follow, name="follow"),
]
