"""`ctgxl serve`: the application in waitress, a production WSGI server written in pure Python
(it runs the same on a coordinator's Windows laptop and on a Linux server, with no compiler
and no extra process to manage; gunicorn is Unix-only). Hosted for many users, the same
application runs under gunicorn or waitress behind a reverse proxy (see the README)."""

from __future__ import annotations

import os


def prepare() -> None:
    """Django set up and the database schema up to date (the data folder's, or DATABASE_URL's)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctgxl.web.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def run(host: str, port: int, threads: int, announce=print) -> None:
    prepare()
    from django.conf import settings

    from ctgxl.web.collecte.storage import start_up
    from ctgxl.web.verification.storage import clear_all

    clear_all()  # a check left by a previous run is never served again
    start_up()
    warm_up()
    from waitress import create_server

    from ctgxl.web.wsgi import application

    server = create_server(application, host=host, port=port, threads=threads, ident="ctgxl",
                           max_request_body_size=settings.CTGXL_MAX_UPLOAD_BYTES + 1_000_000,
                           clear_untrusted_proxy_headers=True)
    shown = f"[{host}]" if ":" in host else host
    announce(f"ctgxl est ouvert sur http://{shown}:{port}/ (dossier de données : {settings.DATA_DIR}). "
             "Ctrl+C pour arrêter.")
    try:
        server.run()  # returns on Ctrl+C or SIGTERM (waitress stops its threads itself)
        announce("ctgxl est arrêté.")
    finally:
        server.close()
        from ctgxl.web.verification.workers import shutdown

        shutdown()


def warm_up() -> None:
    """Check one blank template before the first visitor: the reader workers start and the
    checks' imports and lookups are loaded once, not during someone's upload."""
    import tempfile
    from pathlib import Path

    from ctgxl.checking.check import check_books
    from ctgxl.web.verification.workers import read_books
    from ctgxl.writing.template import Prefill, write_template

    with tempfile.TemporaryDirectory(prefix="ctgxl-") as folder:
        path = Path(folder) / "modele.xlsx"
        write_template(path, "complet", Prefill())
        check_books(read_books([(path, path.name)] * 2))
