app_name = "bareme_api"

urlpatterns = []
