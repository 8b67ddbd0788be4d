from django.urls import include, path

urlpatterns = [
    path("", include("ctgxl.web.verification.urls")),
]
