"""Roll call and leave (urls_rollcall) and the guardian's view of the day (urls_family)."""

from kehou.attendance import urls_family, urls_rollcall

app_name = "attendance"
urlpatterns = urls_rollcall.urlpatterns + urls_family.urlpatterns
