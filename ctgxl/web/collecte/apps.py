from django.apps import AppConfig


class CollecteConfig(AppConfig):
    name = "ctgxl.web.collecte"
    label = "collecte"
    verbose_name = "Collecte des classeurs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ctgxl.web.collecte import database, storage

        database.connect_signal()
        storage.remove_orphan_temporaries()
