from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "ctgxl.web.verification"
    label = "verification"
    verbose_name = "Contrôle des classeurs"
