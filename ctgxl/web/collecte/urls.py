from django.contrib.auth import views as auth_views
from django.urls import path

from ctgxl.web.collecte import views

app_name = "collecte"

urlpatterns = [
    path("collecte/connexion/", views.Connexion.as_view(), name="connexion"),
    path("collecte/deconnexion/", auth_views.LogoutView.as_view(next_page="collecte:connexion"), name="deconnexion"),
    path("collecte/", views.campagnes, name="campagnes"),
    path("collecte/nouvelle/", views.campagne_nouvelle, name="campagne_nouvelle"),
    path("collecte/<int:campagne_id>/", views.tableau, name="tableau"),
    path("collecte/<int:campagne_id>/consolide/", views.consolide, name="consolide"),
    path("collecte/<int:campagne_id>/supprimer/", views.supprimer, name="supprimer"),
    path("collecte/<int:campagne_id>/liens/", views.liens, name="liens"),
    path("collecte/<int:campagne_id>/contributeurs/", views.contributeur_ajout, name="contributeur_ajout"),
    path("collecte/<int:campagne_id>/contributeurs/<int:contributeur_id>/", views.historique, name="historique"),
    path("collecte/<int:campagne_id>/contributeurs/<int:contributeur_id>/lien/", views.nouveau_lien,
         name="nouveau_lien"),
    path("collecte/<int:campagne_id>/contributeurs/<int:contributeur_id>/revoquer/", views.revoquer,
         name="revoquer"),
    path("collecte/<int:campagne_id>/contributeurs/<int:contributeur_id>/difference/", views.difference,
         name="difference"),
    path("collecte/<int:campagne_id>/versions/<int:version_id>/", views.rapport, name="rapport"),
    path("collecte/<int:campagne_id>/versions/<int:version_id>/fichier/", views.fichier, name="fichier"),
    path("depot/<str:token>/", views.depot, name="depot"),
    path("depot/<str:token>/modele/", views.depot_modele, name="depot_modele"),
    path("depot/<str:token>/versions/<int:version_id>/", views.depot_rapport, name="depot_rapport"),
    path("depot/<str:token>/versions/<int:version_id>/fichier/", views.depot_fichier, name="depot_fichier"),
]
