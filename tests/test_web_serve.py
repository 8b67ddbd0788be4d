"""`ctgxl serve` as a person starts it: a real process on 127.0.0.1, the page answered, the
secret key kept (owner-only) in the data folder, a previous run's checks cleared, a port
already taken refused in French, Ctrl+C or SIGTERM stopping it cleanly."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(port: int, data: Path) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "ctgxl", "serve", "--port", str(port), "--data", str(data)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stderr.readline()
    assert "est ouvert sur" in line, line + process.stderr.read()
    return process


def test_serve_answers_and_keeps_nothing_of_a_previous_run(tmp_path):
    data = tmp_path / "donnees"
    stale = data / "controles" / ("A" * 32)
    stale.mkdir(parents=True)
    (stale / "1.xlsx").write_bytes(b"ancien")
    port = free_port()
    process = start(port, data)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
            page = response.read().decode("utf-8")
            assert response.status == 200
            assert response.headers["X-Frame-Options"] == "DENY"
        assert "Contrôler des classeurs" in page
        assert not stale.exists()
        key = data / "cle-secrete"
        assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_text()) >= 50

        second = subprocess.run([sys.executable, "-m", "ctgxl", "serve", "--port", str(port), "--data", str(data)],
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 2
        assert f"Erreur : Le port {port} est déjà utilisé : choisissez-en un autre avec --port." in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            _, errors = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0
    assert "ctgxl est arrêté." in errors and "Traceback" not in errors


def test_serve_help_is_french():
    result = subprocess.run([sys.executable, "-m", "ctgxl", "serve", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "--host" in result.stdout and "127.0.0.1" in result.stdout and "8000" in result.stdout
