"""Types into a workbook as a person does in LibreOffice Calc in French, saves it, and says
what Calc shows. Runs under the system Python that has LibreOffice's `uno` module
(Debian's python3-uno), not in the project's environment: standard library only.

    /usr/bin/python3 tests/calc_typing.py JOB.json      # prints the result as JSON

JOB: {"source": path, "profile": folder, "cells": {sheet: {"B2": "typed text"}},
      "outputs": {"xlsx": path, "ods": path, "xls": path}}
Each cell gets its text through ``FormulaLocal``, which Calc reads with the document's locale
(here fr-FR) exactly like a typed entry: « 25 % » becomes 0,25 shown as a percent,
« 24 500 € » a number in euros, « 2023 » in a date cell the day 2023. Each output is then
opened again and the text Calc shows in every typed cell is returned: {format: {sheet: {cell: shown}}}.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue

FILTERS = {"xlsx": "Calc MS Excel 2007 XML", "ods": "calc8", "xls": "MS Excel 97"}
LOCALE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>fr-FR</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>fr-FR</value></prop></item>
<item oor:path="/org.openoffice.Office.Linguistic/General"><prop oor:name="DefaultLocale" oor:op="fuse"><value>fr-FR</value></prop></item>
</oor:items>
"""


def properties(**values) -> tuple:
    found = []
    for name, value in values.items():
        item = PropertyValue()
        item.Name, item.Value = name, value
        found.append(item)
    return tuple(found)


def connect(pipe: str, process: subprocess.Popen, seconds: int = 90):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + seconds
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        except Exception:
            if time.monotonic() > deadline or process.poll() is not None:
                raise
            time.sleep(0.5)


def main(job_path: str) -> int:
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    profile = Path(job["profile"])
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(LOCALE, encoding="utf-8")
    pipe = f"ctgxl_{os.getpid()}"
    process = subprocess.Popen(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
                                "--norestore", "--nolockcheck", "--nodefault",
                                f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        desktop = connect(pipe, process)
        document = desktop.loadComponentFromURL(Path(job["source"]).resolve().as_uri(), "_blank", 0,
                                                properties(Hidden=True))
        for title, cells in job["cells"].items():
            sheet = document.Sheets.getByName(title)
            for reference, text in cells.items():
                sheet.getCellRangeByName(reference).FormulaLocal = text
        for kind, target in job["outputs"].items():
            document.storeToURL(Path(target).resolve().as_uri(), properties(FilterName=FILTERS[kind]))
        document.close(True)
        shown: dict[str, dict] = {}
        for kind, target in job["outputs"].items():
            saved = desktop.loadComponentFromURL(Path(target).resolve().as_uri(), "_blank", 0,
                                                 properties(Hidden=True))
            shown[kind] = {title: {reference: saved.Sheets.getByName(title).getCellRangeByName(reference).String
                                   for reference in cells} for title, cells in job["cells"].items()}
            saved.close(True)
        print(json.dumps(shown, ensure_ascii=False))
        try:
            desktop.terminate()
        except Exception:  # the bridge closes as the office ends
            pass
    finally:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
