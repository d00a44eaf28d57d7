from django.urls import path

from kehou.roster import views

app_name = "roster"
urlpatterns = [
    path("import/", views.import_view, name="import"),
    path("template/", views.template_view, name="template"),
    path("export/", views.export_view, name="export"),
    path("guardian-codes/", views.guardian_codes_view, name="guardian_codes"),
    path("link/", views.guardian_link_view, name="guardian_link"),
]
