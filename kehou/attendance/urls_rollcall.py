from django.urls import path

from kehou.attendance import views_rollcall as views

urlpatterns = [
    path("today/", views.today, name="today"),
    path("sittings/<int:pk>/", views.rollcall, name="rollcall"),
    path("sittings/<int:pk>/close/", views.roll_close, name="roll_close"),
    path("sittings/<int:pk>/sync/", views.sync, name="sync"),
    path("leave/", views.leave_list, name="leave_list"),
    path("leave/new/", views.leave_new, name="leave_new"),
    path("leave/<int:pk>/withdraw/", views.leave_withdraw, name="leave_withdraw"),
]
