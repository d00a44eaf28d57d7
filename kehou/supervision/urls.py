from django.urls import path

from kehou.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("overview/", views.overview, name="overview"),
    path("sheets/", views.sheets, name="sheets"),
    path("sheets/<int:pk>/", views.sheet, name="sheet"),
    path("schools/<int:school_pk>/", views.school, name="school"),
    path("schools/<int:school_pk>/record/<str:kind>/", views.record, name="record"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("reviews/<int:pk>/finalise/", views.finalise, name="finalise"),
    path("findings/<int:pk>/rectify/", views.rectify, name="rectify"),
    path("rectifications/<int:pk>/decide/", views.decide, name="decide"),
    path("manage/cases/", views.cases_manage, name="cases_manage"),
    path("manage/cases/<int:pk>/", views.case_manage, name="case_manage"),
    path("manage/cases/<int:pk>/publish/", views.case_publish, name="case_publish"),
    path("manage/cases/<int:pk>/withdraw/", views.case_withdraw, name="case_withdraw"),
    path("cases/", views.cases, name="cases"),
    path("cases/<int:pk>/", views.case, name="case"),
]
