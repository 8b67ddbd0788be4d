"""Views of the check page: thin over the library."""

from __future__ import annotations

from django.shortcuts import render


def index(request):
    return render(request, "verification/index.html", {"nav": "verification"})
