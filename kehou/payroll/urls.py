from django.urls import path

from kehou.payroll import views

app_name = "payroll"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("mine/", views.own, name="own"),
    path("schools/<int:school_pk>/", views.school, name="school"),
    path("schools/<int:school_pk>/rates/", views.rates, name="rates"),
    path("schools/<int:school_pk>/compute/", views.compute, name="compute"),
    path("schools/<int:school_pk>/budget/", views.budget, name="budget"),
    path("budgets/", views.budgets, name="budgets"),
    path("sheets/<int:pk>/", views.sheet, name="sheet"),
    path("sheets/<int:pk>/finalise/", views.finalise, name="finalise"),
    path("sheets/<int:pk>/pay.xlsx", views.sheet_xlsx, name="sheet_xlsx"),
    path("lines/<int:pk>/", views.line, name="line"),
]
