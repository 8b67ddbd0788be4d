"""Load on the check page: `ctgxl serve` on 127.0.0.1, then
1. one service workbook checked N times in a row: the server's own time (Server-Timing);
2. 20 clients at once, each uploading 5 workbooks and opening its report: latency p50/p95,
   and every answer checked (nothing lost).

    python -m benchmarks.web_load [--clients 20] [--port 8016] [--repeat 30]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONE = ROOT / "samples" / "dugny" / "dugny-petite-enfance.xlsx"
FIVE = sorted((ROOT / "samples" / "boulogne-billancourt").glob("*.xlsx"))


def multipart(fields: dict[str, str], files: list[Path]) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for path in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="fichiers"; filename="{path.name}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode() + path.read_bytes() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Client:
    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.connection.request("GET", "/")
        response = self.connection.getresponse()
        page = response.read().decode()
        self.cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie")).group(1)
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def check(self, files: list[Path]) -> tuple[float, tuple[float, float], str]:
        """(seconds for upload + report page, (server milliseconds of the check, of them
        CPU milliseconds of the request's thread), report page)."""
        body, kind = multipart({"csrfmiddlewaretoken": self.token}, files)
        started = time.perf_counter()
        self.connection.request("POST", "/", body, {"Content-Type": kind, "Cookie": f"csrftoken={self.cookie}",
                                                    "Referer": f"http://127.0.0.1:{self.port}/"})
        response = self.connection.getresponse()
        response.read()
        if response.status != 302:
            raise RuntimeError(f"envoi refusé : {response.status}")
        timing = response.getheader("Server-Timing")
        server = (float(re.search(r"controle;dur=([\d.]+)", timing).group(1)),
                  float(re.search(r"cpu;dur=([\d.]+)", timing).group(1)))
        self.connection.request("GET", response.getheader("Location"))
        report = self.connection.getresponse()
        page = report.read().decode()
        if report.status != 200:
            raise RuntimeError(f"rapport : {report.status}")
        return time.perf_counter() - started, server, page


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def start_server(port: int, data: Path) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "ctgxl", "serve", "--port", str(port), "--data", str(data)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = server.stderr.readline()
        if "est ouvert sur" in line:
            return server
        if server.poll() is not None:
            raise RuntimeError("le serveur ne démarre pas : " + line + server.stderr.read())
    raise RuntimeError("le serveur ne démarre pas")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--port", type=int, default=8016)
    parser.add_argument("--repeat", type=int, default=30)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ctgxl-charge-") as data:
        server = start_server(options.port, Path(data))
        try:
            client = Client(options.port)
            client.check([ONE])  # the first request after start-up
            timings = [client.check([ONE])[1] for _ in range(options.repeat)]
            server_ms = [wall for wall, _cpu in timings]
            cpu_ms = [cpu for _wall, cpu in timings]
            print(f"Un classeur de service ({ONE.name}), {options.repeat} contrôles à la suite : temps serveur "
                  f"médian {statistics.median(server_ms):.0f} ms (min {min(server_ms):.0f}, "
                  f"max {max(server_ms):.0f}), dont CPU du fil de la requête {statistics.median(cpu_ms):.0f} ms "
                  f"(la lecture, dans un processus de lecture, n'y est pas) ; charge de la machine "
                  f"{os.getloadavg()[0]:.1f} pour {os.cpu_count()} cœurs.")

            clients = [Client(options.port) for _ in range(options.clients)]
            barrier = threading.Barrier(options.clients)
            results: list[tuple[float, float, str] | Exception] = [None] * options.clients  # type: ignore[list-item]

            def run(index: int) -> None:
                barrier.wait()
                try:
                    results[index] = clients[index].check(FIVE)
                except Exception as error:  # reported below, counted as lost
                    results[index] = error

            started = time.perf_counter()
            threads = [threading.Thread(target=run, args=(index,)) for index in range(options.clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            total = time.perf_counter() - started
            failures = [result for result in results if isinstance(result, Exception)]
            complete = [result for result in results if not isinstance(result, Exception)
                        and all(path.name in result[2] for path in FIVE)]
            latencies = [result[0] for result in complete]
            print(f"{options.clients} clients à la fois, {len(FIVE)} classeurs chacun : {len(complete)} rapports "
                  f"complets sur {options.clients}, {len(failures)} échecs ; latence p50 {percentile(latencies, .5):.2f} s, "
                  f"p95 {percentile(latencies, .95):.2f} s, max {max(latencies):.2f} s ; tout en {total:.1f} s.")
            for failure in failures:
                print(f"  échec : {failure}")
            return 0 if len(complete) == options.clients else 1
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
