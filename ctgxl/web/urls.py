from django.urls import include, path

urlpatterns = [
    path("", include("ctgxl.web.verification.urls")),
    path("", include("ctgxl.web.collecte.urls")),
]
