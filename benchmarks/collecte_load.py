"""Load and fault test of the collection portal against a real `ctgxl serve` on 127.0.0.1.

    python -m benchmarks.collecte_load [--contributeurs 50] [--lignes 200] [--port 8020]

1. 50 contributors of one campaign each upload their workbook at the same moment (one thread
   per contributor, released together): every answer must be the report's redirect, every
   version stored exactly once (one row, one file under its hash), and the server's log must
   hold no « database is locked ».
2. The server is killed (SIGKILL) while uploads are in flight, then restarted: every version
   row still has its file, no half-written file is left, and uploads work again.

Bounded: every request has a timeout, the whole run a few minutes at most. Prints the figures
that benchmarks/README.md quotes."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

TIMEOUT = 120


def _setup(data: Path, files: list[Path]) -> list[str]:
    """The coordinator, the campaign and one private link per file (in a child process, as an admin script would)."""
    script = f"""
import json, os
os.environ["CTGXL_DATA"] = {str(data)!r}
from ctgxl.web.server import prepare
prepare()
from django.contrib.auth import get_user_model
from ctgxl.web.collecte.models import Campagne, Contributeur
owner = get_user_model().objects.create_user("charge@caf.fr", "charge@caf.fr", "une phrase de passe longue")
campagne = Campagne.objects.create(coordinateur=owner, territoire="Communauté de test", type_territoire="EPCI",
                                   code="200067205", caf="Caf de test", debut=2023, fin=2027)
tokens = []
for index in range({len(files)}):
    contributeur = Contributeur(campagne=campagne, nom=f"Service {{index + 1:02d}}")
    tokens.append(contributeur.new_link())
    contributeur.save()
print(json.dumps(tokens))
"""
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=TIMEOUT)
    return json.loads(output.stdout.strip().splitlines()[-1])


def _serve(data: Path, port: int, log) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "ctgxl", "serve", "--port", str(port), "--data", str(data)],
                              stdout=log, stderr=log, env={**os.environ, "CTGXL_DEPOTS_PAR_HEURE": "1000"})
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("le serveur s'est arrêté au démarrage")
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("le serveur ne répond pas")


def _upload(port: int, token: str, path: Path) -> tuple[int, float]:
    """GET the page (CSRF cookie and token), then POST the file; returns (status, seconds of the POST)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    connection.request("GET", f"/depot/{token}/")
    page = connection.getresponse()
    body = page.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie", "")).group(1)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    boundary = uuid.uuid4().hex
    content = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{csrf}\r\n"
               f"--{boundary}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"{path.name}\"\r\n"
               "Content-Type: application/octet-stream\r\n\r\n").encode() + path.read_bytes() + \
        f"\r\n--{boundary}--\r\n".encode()
    started = time.perf_counter()
    connection.request("POST", f"/depot/{token}/", body=content, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": f"csrftoken={cookie}",
        "Referer": f"http://127.0.0.1:{port}/depot/{token}/"})
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer.status, time.perf_counter() - started


def _all_at_once(port: int, tokens: list[str], files: list[Path], answered: threading.Event | None = None):
    barrier = threading.Barrier(len(tokens))
    results: list = [None] * len(tokens)

    def one(index: int) -> None:
        barrier.wait()
        try:
            results[index] = _upload(port, tokens[index], files[index])
        except Exception as error:  # noqa: BLE001 - reported, counted as a failure
            results[index] = (repr(error), 0.0)
        if answered is not None:
            answered.set()

    threads = [threading.Thread(target=one, args=(index,)) for index in range(len(tokens))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    return results, time.perf_counter() - started


def _store_state(data: Path) -> dict:
    database = sqlite3.connect(data / "collecte.sqlite3")
    rows = database.execute("SELECT contributeur_id, sha256 FROM collecte_version").fetchall()
    database.close()
    stored = {path.name for path in (data / "fichiers").glob("??/*")}
    in_progress = list((data / "fichiers" / ".en-cours").glob("*")) if (data / "fichiers" / ".en-cours").exists() else []
    return {"versions": len(rows), "contributeurs": len({row[0] for row in rows}),
            "sans_fichier": sum(1 for row in rows if row[1] not in stored),
            "fichiers": len(stored), "en_cours": len(in_progress)}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contributeurs", type=int, default=50)
    parser.add_argument("--lignes", type=int, default=200, help="Lignes de données par classeur.")
    parser.add_argument("--port", type=int, default=8020)
    options = parser.parse_args(argv)
    from benchmarks.generator import generate

    with tempfile.TemporaryDirectory(prefix="ctgxl-charge-") as folder:
        folder = Path(folder)
        files = generate(folder / "classeurs", options.contributeurs, options.lignes, 0, 0.5, None)
        data = folder / "donnees"
        tokens = _setup(data, files)
        log_path = folder / "serveur.log"
        failures = []
        with open(log_path, "ab") as log:
            server = _serve(data, options.port, log)
            try:
                results, wall = _all_at_once(options.port, tokens, files)
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(TIMEOUT)
            state = _store_state(data)
            latencies = [seconds for status, seconds in results if status == 302]
            if len(latencies) != len(tokens):
                failures.append(f"réponses autres que 302 : {[status for status, _ in results if status != 302]}")
            if (state["versions"], state["contributeurs"], state["fichiers"], state["sans_fichier"]) != \
                    (len(tokens), len(tokens), len(tokens), 0):
                failures.append(f"stockage incohérent : {state}")
            # Fault: kill the server (SIGKILL) as soon as the first of 10 new uploads is answered,
            # the others being in flight; restart, check, upload again.
            server = _serve(data, options.port, log)
            answered = threading.Event()
            killer = threading.Thread(target=lambda: answered.wait(TIMEOUT) and server.kill())
            killer.start()
            _all_at_once(options.port, tokens[:10], list(reversed(files))[:10], answered)
            killer.join()
            server.wait(TIMEOUT)
            after_kill = _store_state(data)
            server = _serve(data, options.port, log)
            try:
                again = _upload(options.port, tokens[0], files[-1])
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(TIMEOUT)
            restarted = _store_state(data)
        server_log = log_path.read_text(errors="replace")
        if "database is locked" in server_log:
            failures.append("« database is locked » dans le journal du serveur")
        if after_kill["sans_fichier"] or restarted["sans_fichier"] or restarted["en_cours"]:
            failures.append(f"après l'arrêt brutal : {after_kill} ; au redémarrage : {restarted}")
        if again[0] != 302:
            failures.append(f"dépôt après redémarrage : {again[0]}")
        size = sum(path.stat().st_size for path in files) / len(files)
        print(f"{len(tokens)} dépôts simultanés de classeurs de {options.lignes} lignes ({size / 1000:.0f} ko) : "
              f"tous servis en {wall:.1f} s ; par dépôt (envoi, contrôle, enregistrement) : médiane "
              f"{statistics.median(latencies):.2f} s, p95 {_percentile(latencies, 0.95):.2f} s, "
              f"max {max(latencies):.2f} s" if latencies else "aucun dépôt réussi")
        print(f"Stockage après la charge : {state['versions']} versions, {state['contributeurs']} contributeurs, "
              f"{state['fichiers']} fichiers, {state['sans_fichier']} version sans fichier ; « database is locked » : "
              f"{server_log.count('database is locked')}")
        print(f"Serveur tué pendant 10 dépôts : {after_kill['versions'] - state['versions']} version(s) enregistrée(s) "
              f"entières, {after_kill['sans_fichier']} sans fichier, {after_kill['en_cours']} fichier(s) à moitié écrit(s) ; "
              f"au redémarrage : {restarted['en_cours']} fichier à moitié écrit, dépôt suivant : {again[0]}")
        for failure in failures:
            print("ÉCHEC :", failure)
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
