from django.urls import include, path

urlpatterns = [
    path("api/", include("kehu.api.urls")),
    path("", include("kehu.web.urls")),
]
