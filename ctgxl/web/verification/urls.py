from django.urls import path

from ctgxl.web.verification import views

app_name = "verification"
urlpatterns = [
    path("", views.index, name="index"),
]
