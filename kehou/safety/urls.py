from django.urls import path

from kehou.safety import views

app_name = "safety"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("region/", views.region, name="region"),
    path("schools/<int:school_pk>/", views.school, name="school"),
    path("schools/<int:school_pk>/incidents/", views.incidents, name="incidents"),
    path("schools/<int:school_pk>/incidents/new/", views.incident_new, name="incident_new"),
    path("incidents/<int:pk>/", views.incident, name="incident"),
    path("incidents/<int:pk>/edit/", views.incident_edit, name="incident_edit"),
    path("incidents/<int:pk>/close/", views.incident_close, name="incident_close"),
    path("schools/<int:school_pk>/inspections/", views.inspections, name="inspections"),
    path("schools/<int:school_pk>/inspections/new/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
    path("schools/<int:school_pk>/defects/", views.defects, name="defects"),
    path("defects/<int:pk>/", views.defect, name="defect"),
    path("defects/<int:pk>/rectify/", views.defect_rectify, name="defect_rectify"),
    path("defects/<int:pk>/close/", views.defect_close, name="defect_close"),
    path("schools/<int:school_pk>/checklist/", views.checklist, name="checklist"),
    path("checklist/<int:pk>/retire/", views.checklist_retire, name="checklist_retire"),
    path("schools/<int:school_pk>/drills/", views.drills, name="drills"),
    path("schools/<int:school_pk>/drills/new/", views.drill_new, name="drill_new"),
    path("schools/<int:school_pk>/insurance/", views.insurance, name="insurance"),
    path("schools/<int:school_pk>/insurance.xlsx", views.insurance_xlsx, name="insurance_xlsx"),
]
