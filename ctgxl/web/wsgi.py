"""WSGI entry point for a hosted server: `gunicorn ctgxl.web.wsgi` (settings from the environment)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctgxl.web.settings")
application = get_wsgi_application()
