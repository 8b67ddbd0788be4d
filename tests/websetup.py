"""Django set up once for the tests of the web application, its data folder a temporary one."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile


def set_up_django() -> None:
    import django
    from django.conf import settings

    if settings.configured:
        return
    if "CTGXL_DATA" not in os.environ:
        folder = tempfile.mkdtemp(prefix="ctgxl-donnees-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ["CTGXL_DATA"] = folder
    os.environ["DJANGO_SETTINGS_MODULE"] = "ctgxl.web.settings"
    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
