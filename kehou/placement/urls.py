app_name = "placement"
urlpatterns: list = []
