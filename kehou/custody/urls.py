from django.urls import path

from kehou.custody import views

app_name = "custody"
urlpatterns = [
    path("gate/", views.gate, name="gate"),
    path("gate/on-site/", views.gate_on_site, name="gate_on_site"),
    path("gate/children/<int:student_pk>/", views.gate_child, name="gate_child"),
    path("gate/dismiss/", views.gate_dismiss, name="gate_dismiss"),
    path("board/", views.board, name="board"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("handover/", views.handover, name="handover"),
    path("duty/", views.duty, name="duty"),
    path("rules/", views.rules, name="rules"),
    path("visitors/", views.visits, name="visits"),
    path("visitors/<int:pk>/left/", views.visit_leave, name="visit_leave"),
]
