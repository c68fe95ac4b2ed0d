app_name = "ponctuels"

urlpatterns = []
