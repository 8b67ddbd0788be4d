from django.urls import path

from ctgxl.web.verification import views

app_name = "verification"
urlpatterns = [
    path("", views.index, name="index"),
    path("controle/<str:token>/", views.result, name="result"),
    path("controle/<str:token>/rapport.html", views.report, name="report"),
    path("controle/<str:token>/copies-annotees.zip", views.annotated, name="annotated"),
    path("controle/<str:token>/classeur-consolide.xlsx", views.consolidated, name="consolidated"),
]
