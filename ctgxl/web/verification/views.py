"""Views of the page « Contrôler des classeurs »: thin over the library (see controle.py)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ctgxl.limits import Limits
from ctgxl.web.verification import controle, storage
from ctgxl.web.verification.page import report_context

# The downloaded report is a self-contained page: its own inline style, nothing else.
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def _limits_text(limits: Limits) -> str:
    return (f"Jusqu'à {settings.DATA_UPLOAD_MAX_NUMBER_FILES} fichiers, {controle._megabytes(limits.max_file_bytes)} "
            f"par fichier, {controle._megabytes(settings.CTGXL_MAX_UPLOAD_BYTES)} en tout.")


def _form(request, error: str | None = None, status: int = 200):
    limits = Limits()
    return render(request, "verification/index.html",
                  {"nav": "verification", "error": error, "limits_text": _limits_text(limits),
                   "retention_minutes": _retention_minutes()}, status=status)


def _retention_minutes() -> int:
    return max(1, settings.CTGXL_RETENTION // 60)


def _result_context(token: str, meta: dict, query) -> dict:
    from ctgxl.html_report import render as render_report

    context = report_context(meta, query)
    context.update({"nav": "verification", "token": token, "retention_minutes": _retention_minutes(),
                    "report_size": len(render_report(meta["resume"]).encode("utf-8"))})
    return context


@require_http_methods(["GET", "POST"])
def index(request):
    if request.method == "GET":
        return _form(request)
    storage.clear_expired()
    limits = Limits()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.CTGXL_MAX_UPLOAD_BYTES:
        return _form(request, f"L'envoi dépasse la taille totale admise ({_limits_text(limits)}). "
                              "Envoyez les classeurs en plusieurs fois.", 413)
    try:
        uploads = request.FILES.getlist("fichiers")
    except TooManyFilesSent:
        return _form(request, f"Trop de fichiers en un envoi. {_limits_text(limits)}", 400)
    except RequestDataTooBig:
        return _form(request, f"L'envoi est trop gros. {_limits_text(limits)}", 413)
    if not uploads:
        return _form(request, "Choisissez au moins un classeur à contrôler.", 400)
    started, cpu = time.perf_counter(), time.thread_time()
    token, folder = storage.create()
    try:
        stored = controle.store(uploads, folder, limits)
        controle.check(stored, folder, limits)
    except controle.Refused as refusal:
        storage.remove(folder)
        return _form(request, refusal.message, refusal.status)
    except BaseException:
        storage.remove(folder)
        raise
    response = redirect("verification:result", token=token)
    # Time spent storing, reading and checking (benchmarks/web_load.py reads it).
    response["Server-Timing"] = (f"controle;dur={(time.perf_counter() - started) * 1000:.1f}, "
                                 f"cpu;dur={(time.thread_time() - cpu) * 1000:.1f}")
    return response


def _check(token: str) -> tuple:
    folder = storage.folder_of(token)
    if folder is None:
        raise Http404("Ce contrôle n'existe pas ou a expiré.")
    return folder, controle.load(folder)


@require_GET
def result(request, token: str):
    folder, meta = _check(token)
    return render(request, "verification/result.html", _result_context(token, meta, request.GET))


@require_GET
def report(request, token: str):
    from ctgxl.html_report import render as render_report

    _folder, meta = _check(token)
    page = render_report(meta["resume"])
    response = HttpResponse(page, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rapport-controle-ctg.html"'
    response["Content-Security-Policy"] = REPORT_POLICY
    return response


@require_GET
def annotated(request, token: str):
    folder, meta = _check(token)
    path = controle.annotated_copies(folder, meta)
    return FileResponse(open(path, "rb"), as_attachment=True, filename="copies-annotees.zip",
                        content_type="application/zip")


@require_GET
def consolidated(request, token: str):
    folder, meta = _check(token)
    secrecy = request.GET.get("secret") == "1"
    despite = request.GET.get("malgre") == "1"
    made = controle.consolidated(folder, meta, secrecy=secrecy, despite_errors=despite)
    if made.path is None:
        context = _result_context(token, meta, request.GET)
        context["merge_refused"] = made.message
        return render(request, "verification/result.html", context, status=409)
    return FileResponse(open(made.path, "rb"), as_attachment=True, filename=made.path.name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
