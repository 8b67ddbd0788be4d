"""The `ctgxl` command line. Parses options, calls the library (``ctgxl.api``, imported inside
each command so that `ctgxl --help` stays fast), prints, colours and picks the exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ctgxl import __version__, clifr
from ctgxl.errors import CtgxlError

KINDS = ("diagnostic", "equipements", "plan-actions", "complet")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class FrenchGroup(click.Group):
    """The command group; Click's own messages are in French while it runs. The library's
    refusals (an output that is an input, a full disk…) are one French sentence and exit
    code 2, whoever runs the command (a terminal, a test)."""

    def main(self, *args, **kwargs):
        with clifr.installed():
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CtgxlError as error:
            raise UserError(str(error)) from None


class UserError(click.ClickException):
    """A mistake in how the command was called: one French sentence, no traceback."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"Erreur : {self.format_message()}", err=True)


def _standard_version() -> int:
    import tomllib

    from ctgxl.standard import _validators_dir

    with open(_validators_dir() / "standard.toml", "rb") as handle:
        return tomllib.load(handle)["standard"]["version"]


def _print_version(ctx: click.Context, _param, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"ctgxl {__version__} (standard des classeurs CTG, version {_standard_version()})")
        ctx.exit()


@click.group(cls=FrenchGroup, context_settings=CONTEXT, help="""Classeurs de la Convention Territoriale Globale (CTG).

Écrit les modèles de classeurs (diagnostic, équipements, plan d'actions), contrôle les
fichiers remplis par les services, les fusionne en un classeur consolidé pour la Caf, et
les remet au format du modèle.

\b
Exemples :
  ctgxl template complet --territoire Dugny --type Commune --code 93030 --debut 2023 --fin 2027
  ctgxl check fichiers_recus/
  ctgxl merge fichiers_recus/ -o ctg-dugny-consolidee.xlsx
""")
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Affiche la version de ctgxl et celle du standard.")
@click.option("--debug", is_flag=True, help="En cas d'erreur inattendue, affiche le détail technique.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    ctx.obj = {"debug": debug}
    if debug and "CTGXL_DEBUG" not in os.environ:  # the libraries' own words on unreadable files, in the findings
        os.environ["CTGXL_DEBUG"] = "1"
        ctx.call_on_close(lambda: os.environ.pop("CTGXL_DEBUG", None))  # a caller's process goes on without it


# By severity (ctgxl.findings' names, written out: importing it is not needed for --help).
COLOURS = {"erreur": "red", "avertissement": "yellow", "information": "blue"}


def _style(text: str, role: str) -> str:
    """Colours of the text report: bold headings, a colour per severity."""
    if role in COLOURS:
        return click.style(text, fg=COLOURS[role])
    return click.style(text, bold=True)


def _print_report(report) -> None:
    from ctgxl.report import format_text

    for line in format_text(report, _style):
        click.echo(line)


def _replace_allowed(target: Path, force: bool, command: str) -> None:
    """The library's overwrite rule, said here before any work: refused unless --force or
    the file is this command's own earlier output (then the user is told)."""
    from ctgxl.errors import OutputExists
    from ctgxl.writing.outputs import may_replace

    try:
        replaced = may_replace(target, force=force, command=command)
    except OutputExists as error:
        raise UserError(str(error)) from None
    if replaced:
        click.echo(f"« {target} » remplace la sortie précédente de « ctgxl {command} ».", err=True)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


@cli.command("template", context_settings=CONTEXT, help="""Écrit un modèle de classeur vierge.

KIND est diagnostic, equipements, plan-actions ou complet. Les options pré-remplissent la
feuille Identification (et les colonnes d'années du suivi des indicateurs).

\b
Exemple :
  ctgxl template plan-actions -o plan-dugny.xlsx --territoire Dugny --type Commune \\
      --code 93030 --caf "Caf de la Seine-Saint-Denis" --debut 2023 --fin 2027 --service "Petite enfance"
""")
@click.argument("kind", metavar="KIND", type=click.Choice(KINDS))
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="Fichier à écrire (par défaut ctg-KIND.xlsx).")
@click.option("--territoire", help="Nom de la commune ou de l'EPCI.")
@click.option("--type", "territory_type", type=click.Choice(["Commune", "EPCI", "Autre groupement"]),
              help="Type de territoire.")
@click.option("--code", help="Code INSEE (commune) ou SIREN (EPCI).")
@click.option("--caf", help="Caf signataire, par exemple « Caf des Yvelines ».")
@click.option("--debut", type=click.IntRange(1990, 2100), help="Année de début de la convention.")
@click.option("--fin", type=click.IntRange(1990, 2100), help="Année de fin de la convention.")
@click.option("--communes", help="Communes membres d'un EPCI, séparées par « ; ».")
@click.option("--service", help="Service (ou commune membre) qui remplira le fichier.")
@click.option("--force", is_flag=True, help="Remplace le fichier s'il existe déjà.")
def template_command(kind, output, territoire, territory_type, code, caf, debut, fin, communes, service, force):
    from ctgxl import api
    from ctgxl.writing.template import Prefill, default_name

    if debut and fin and fin < debut:
        raise UserError(f"--fin ({fin}) précède --debut ({debut}).")
    target = output or Path(default_name(kind))
    _replace_allowed(target, force, "template")
    members = tuple(part.strip() for part in (communes or "").split(";") if part.strip())
    api.write_template(kind, target, Prefill(territoire, territory_type, code, caf, debut, fin, members, service),
                       force=True)
    click.echo(f"Modèle « {kind} » écrit dans {target}")


@cli.command("check", context_settings=CONTEXT, help="""Contrôle des classeurs remplis.

Lit chaque classeur (un dossier vaut tous les .xlsx, .xlsm, .xls, .xlsb et .ods qu'il
contient, sous-dossiers compris) et signale chaque problème à sa cellule. Code de sortie : 0 sans erreur, 1 s'il reste des erreurs,
2 si un fichier n'a pas pu être lu du tout.

\b
Exemples :
  ctgxl check fichiers_recus/
  ctgxl check plan.xlsx equipements.xlsx --format json
  ctgxl check fichiers_recus/ --format html -o rapport.html
  ctgxl check fichiers_recus/ --annoter corrections/
""")
@click.argument("paths", nargs=-1, required=True, metavar="CHEMIN...", type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["texte", "json", "html"]), default="texte",
              show_default=True, help="Présentation du rapport (html : une page autonome, imprimable).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="Avec --format html : fichier où écrire la page (sinon la sortie standard).")
@click.option("--strict", is_flag=True, help="Les avertissements comptent comme des erreurs.")
@click.option("--annoter", "annotate_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Écrit dans ce dossier une copie annotée de chaque classeur (cellules colorées, commentaires).")
def check_command(paths, output_format, output, strict, annotate_dir):
    if output is not None and output_format != "html":
        raise UserError("-o ne sert qu'avec --format html.")
    if output is not None and output.resolve() in {path.resolve() for path in paths}:
        raise UserError("Le rapport ne peut pas remplacer un des fichiers contrôlés.")
    from ctgxl import api
    from ctgxl.errors import NoWorkbook

    with _progress("Lecture des classeurs") as progress:
        try:
            report = api.check(list(paths), progress=progress)
        except NoWorkbook as error:
            raise UserError(str(error)) from None
    if annotate_dir:
        annotation = api.annotate(report, annotate_dir)
        for note in annotation.notes:
            click.echo(note, err=True)
        if output_format == "texte":
            for path in annotation.written:
                click.echo(f"Copie annotée : {path}", err=True)
    if output_format == "json":
        from ctgxl.report import json_text

        click.echo(json_text(report))
    elif output_format == "html":
        from ctgxl.html_report import render, summary

        page = render(summary(report))
        if output is None:
            click.echo(page, nl=False)
        else:
            from ctgxl.writing.atomic import atomic_path

            with atomic_path(output) as temporary:
                temporary.write_text(page, encoding="utf-8")
            click.echo(f"Rapport écrit dans {output}", err=True)
    else:
        _print_report(report)
    sys.exit(report.exit_code(strict))


@cli.command("merge", context_settings=CONTEXT, help="""Fusionne les classeurs d'un territoire en un classeur consolidé pour la Caf.

Contrôle d'abord les fichiers ; refuse (code 1) tant qu'il reste des erreurs, sauf avec
--malgre-erreurs. Les constats vont dans la feuille Contrôles et à l'écran.

\b
Exemple :
  ctgxl merge fichiers_recus/ -o ctg-dugny-consolidee.xlsx --secret-statistique
""")
@click.argument("paths", nargs=-1, required=True, metavar="CHEMIN...", type=click.Path(path_type=Path))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Classeur consolidé à écrire.")
@click.option("--secret-statistique", "secrecy", is_flag=True,
              help="Remplace les effectifs de 1 à 4 par « <5 » (règle du secret statistique).")
@click.option("--malgre-erreurs", "despite_errors", is_flag=True,
              help="Écrit le classeur consolidé même s'il reste des erreurs.")
@click.option("--force", is_flag=True, help="Remplace le fichier s'il existe déjà.")
def merge_command(paths, output, secrecy, despite_errors, force):
    from ctgxl import api
    from ctgxl.errors import ErrorsRemain, InputsUnreadable, NothingRecognised, NoWorkbook, OutputIsInput
    from ctgxl.writing.outputs import refuse_input_as_output

    refuse_input_as_output(output, list(paths))
    _replace_allowed(output, force, "merge")
    try:
        with _progress("Lecture des classeurs") as progress:
            result = api.merge(list(paths), output, secret_statistique=secrecy, malgre_erreurs=despite_errors,
                               force=True, progress=progress)
    except (OutputIsInput, NoWorkbook) as error:
        raise UserError(str(error)) from None
    except NothingRecognised as refused:
        _print_report(refused.report)
        click.echo(str(refused))
        sys.exit(2)
    except ErrorsRemain as refused:
        _print_report(refused.report)
        click.echo(str(refused))
        sys.exit(2 if isinstance(refused, InputsUnreadable) else 1)
    _print_report(result.report)
    counts = ", ".join(f"{name} : {rows}" for name, rows in result.rows.items())
    note = f" malgré {_plural(result.errors, 'erreur')}" if result.errors else ""
    click.echo(f"Classeur consolidé écrit dans {output}{note} ({_plural(result.files, 'fichier')} ; {counts}).")
    sys.exit(0)


@cli.command("split", context_settings=CONTEXT, help="""Redécoupe un classeur consolidé en un classeur par contributeur.

Chaque fichier est au format du modèle, avec son Identification pré-remplie.

\b
Exemple :
  ctgxl split ctg-dugny-consolidee.xlsx -o par_service/
""")
@click.argument("file", metavar="FICHIER", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Dossier où écrire les classeurs.")
@click.option("--force", is_flag=True, help="Remplace les fichiers qui existent déjà.")
def split_command(file, output, force):
    from ctgxl import api
    from ctgxl.errors import NotConsolidated, Unreadable

    try:
        result = api.split(file, output, force=force)
    except Unreadable as error:
        _say_unreadable(error)
    except NotConsolidated as error:
        click.echo(f"Erreur : {error}")
        sys.exit(1)
    for written in result.written:
        counts = ", ".join(f"{sheet} : {rows}" for sheet, rows in written.rows.items())
        click.echo(f"{written.path} — {written.contributor} ({counts})")
    for refused in result.refused:
        click.echo(f"Erreur : {refused}")
    sys.exit(2 if result.refused else 0)


def _say_unreadable(error) -> None:
    for finding in error.findings:
        click.echo(f"Erreur : {finding.message}")
    sys.exit(2)


@cli.command("format", context_settings=CONTEXT, help="""Réécrit un classeur rempli au format du modèle actuel.

Garde chaque valeur ; remet les en-têtes, listes déroulantes, formats, orthographes des
listes et la version du standard ; les colonnes hors standard sont gardées à droite.

\b
Exemple :
  ctgxl format plan-ancien.xlsx -o plan-a-jour.xlsx
""")
@click.argument("file", metavar="FICHIER", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Classeur à écrire.")
@click.option("--force", is_flag=True, help="Remplace le fichier s'il existe déjà.")
def format_command(file, output, force):
    from ctgxl import api
    from ctgxl.errors import NothingRecognised, OutputIsInput, Unreadable
    from ctgxl.writing.outputs import refuse_input_as_output

    refuse_input_as_output(output, [file])
    _replace_allowed(output, force, "format")
    try:
        result = api.reformat(file, output, force=True)
    except OutputIsInput as error:
        raise UserError(str(error)) from None
    except Unreadable as error:
        _say_unreadable(error)
    except NothingRecognised as error:
        click.echo(f"Erreur : {error}")
        sys.exit(1)
    counts = ", ".join(f"{name} : {_plural(rows, 'ligne')}" for name, rows in result.rows.items())
    upgraded = f" (mis à jour depuis la version {result.upgraded_from})" if result.upgraded_from is not None else ""
    click.echo(f"Classeur au format du modèle « {result.kind} », version {result.version}{upgraded}, écrit dans "
               f"{output}" + (f" ({counts})" if counts else "") + ".")
    if result.kept_sheets:
        click.echo("Feuilles hors standard recopiées à la fin : " + ", ".join(result.kept_sheets) + ".")
    sys.exit(0)


@cli.command("serve", context_settings=CONTEXT, help="""Ouvre l'application web : la page « Contrôler des classeurs » et la collecte.

Sert l'application sur http://HOTE:PORT/ (par défaut http://127.0.0.1:8000/, visible de cet
ordinateur seulement). Les fichiers envoyés vont dans un dossier temporaire du dossier de
données, effacé après CTGXL_RETENTION secondes (une heure par défaut) et au démarrage.
La collecte (/collecte/) garde ses campagnes dans le dossier de données (SQLite), ou dans
PostgreSQL si DATABASE_URL est définie ; le premier compte se crée avec « ctgxl compte ».

\b
Exemple :
  ctgxl serve --port 8080 --data ~/ctgxl-donnees
""")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Adresse d'écoute (0.0.0.0 : toutes les interfaces, à réserver à un serveur derrière un proxy).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port d'écoute.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Dossier de données (par défaut CTGXL_DATA, sinon ./ctgxl-donnees).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Requêtes traitées en même temps.")
def serve_command(host, port, data_dir, threads):
    import os

    if data_dir is not None:
        os.environ["CTGXL_DATA"] = str(data_dir)
    from ctgxl.web.server import run

    try:
        run(host, port, threads, announce=lambda text: click.echo(text, err=True))
    except OSError as error:
        if error.errno in {98, 10048}:  # EADDRINUSE on Linux/macOS-like systems and on Windows
            raise UserError(f"Le port {port} est déjà utilisé : choisissez-en un autre avec --port.") from None
        raise


@cli.command("compte", context_settings=CONTEXT, help="""Crée un compte de coordinateur pour la collecte (ou change son mot de passe).

Le mot de passe est demandé deux fois sans s'afficher, ou lu dans la variable
CTGXL_MOT_DE_PASSE (pour un script). Il doit compter au moins 12 caractères et ne pas
être trop courant.

\b
Exemple :
  ctgxl compte --email coordination@mairie-dugny.fr --data ~/ctgxl-donnees
""")
@click.option("--email", required=True, help="Adresse électronique, qui sert d'identifiant.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Dossier de données (par défaut CTGXL_DATA, sinon ./ctgxl-donnees).")
def account_command(email, data_dir):
    import os

    if data_dir is not None:
        os.environ["CTGXL_DATA"] = str(data_dir)
    password = os.environ.get("CTGXL_MOT_DE_PASSE")
    if not password:
        password = click.prompt("Mot de passe", hide_input=True, confirmation_prompt="Confirmez le mot de passe",
                                err=True)
    from ctgxl.web.collecte.accounts import AccountError, create_or_update
    from ctgxl.web.server import prepare

    prepare()
    try:
        created = create_or_update(email, password)
    except AccountError as error:
        raise UserError(str(error)) from None
    click.echo(f"Compte {'créé' if created else 'mis à jour'} : {email.strip().lower()}")


@cli.command("bilan", context_settings=CONTEXT, help="""Bilan annuel de la CTG pour le comité de pilotage.

À partir du classeur consolidé ou des fichiers des services : avancement du plan d'actions
(par statut et thématique, actions en retard, démarrages), indicateurs face à leur référence
et à leur cible année par année, structures et places, plus grands écarts du diagnostic avec
le département ; avec --depuis, ce qui a changé depuis une version précédente. Écrit un
classeur avec graphiques, et sur demande un diaporama (--pptx) et une page imprimable (--html).

\b
Exemples :
  ctgxl bilan ctg-dugny-consolidee.xlsx -o bilan-2025.xlsx --annee 2025 --pptx copil-2025.pptx
  ctgxl bilan fichiers_recus/ -o bilan.xlsx --depuis ctg-dugny-2024.xlsx --html bilan.html --secret-statistique
""")
@click.argument("paths", nargs=-1, required=True, metavar="CHEMIN...", type=click.Path(path_type=Path))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Classeur du bilan à écrire (.xlsx).")
@click.option("--annee", "year", type=click.IntRange(1990, 2100), metavar="ANNÉE",
              help="Année du bilan (par défaut l'année en cours).")
@click.option("--pptx", "slides", type=click.Path(dir_okay=False, path_type=Path),
              help="Écrit aussi le diaporama du comité de pilotage (.pptx).")
@click.option("--html", "page", type=click.Path(dir_okay=False, path_type=Path),
              help="Écrit aussi une page HTML imprimable, sans fichier externe.")
@click.option("--depuis", "previous", type=click.Path(path_type=Path),
              help="Version précédente (classeur consolidé, fichier ou dossier) : liste ce qui a changé depuis.")
@click.option("--secret-statistique", "secrecy", is_flag=True,
              help="Remplace les effectifs de 1 à 4 par « <5 » dans toutes les sorties.")
@click.option("--force", is_flag=True, help="Remplace les fichiers de sortie s'ils existent déjà.")
def bilan_command(paths, output, year, slides, page, previous, secrecy, force):
    from ctgxl import api
    from ctgxl.errors import WrongOutputType

    try:
        with _progress("Lecture des classeurs") as progress:
            result = api.bilan(list(paths), output, pptx=slides, html=page, annee=year, depuis=previous,
                               secret_statistique=secrecy, force=force, progress=progress)
    except WrongOutputType as error:  # said with the option's name
        option = {"output": "-o", "pptx": "--pptx", "html": "--html"}[error.output]
        raise UserError(f"{option} attend un fichier {error.expected} : « {error.path} » n'en est pas un.") from None
    for target in result.replaced:
        click.echo(f"« {target} » remplace la sortie précédente de « ctgxl bilan ».", err=True)
    for report in (result.report, result.previous_report):
        if report is not None and report.errors:
            click.echo(f"Attention : {_plural(len(report.errors), 'erreur')} dans les classeurs (voir « ctgxl check ») "
                       "; le bilan les reprend telles quelles.", err=True)
    click.echo(f"Bilan {result.bilan.year} écrit dans {output}")
    if slides:
        click.echo(f"Diaporama du comité de pilotage écrit dans {slides}")
    if page:
        click.echo(f"Page HTML écrite dans {page}")


@cli.command("diff", context_settings=CONTEXT, help="""Liste ce qui a changé entre deux versions des classeurs d'un territoire.

ANCIEN et NOUVEAU sont chacun un classeur consolidé, le classeur d'un service ou un dossier
de fichiers de services. Les lignes sont rapprochées par la clé du standard (N° action ;
type, nom et commune de la structure ; N° action et indicateur ; commune, indicateur et
année du diagnostic) ; les valeurs sont comparées telles que le standard les lit (listes,
nombres, dates), sans tenir compte de la mise en forme ni des colonnes de provenance.
Code de sortie : 0 sans différence, 1 s'il y a des différences, 2 si une version n'a pas
pu être lue.

\b
Exemples :
  ctgxl diff ctg-2024.xlsx ctg-2025.xlsx
  ctgxl diff envoi-2024/ envoi-2025/ --format json
  ctgxl diff ctg-2024.xlsx ctg-2025.xlsx --format xlsx -o modifications-avenant.xlsx
""")
@click.argument("old", metavar="ANCIEN", type=click.Path(path_type=Path))
@click.argument("new", metavar="NOUVEAU", type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["texte", "json", "xlsx"]), default="texte",
              show_default=True, help="Présentation : liste à l'écran, JSON, ou classeur « liste des modifications ».")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="Fichier à écrire (obligatoire avec --format xlsx ; sinon à l'écran).")
@click.option("--force", is_flag=True, help="Remplace le fichier s'il existe déjà.")
def diff_command(old, new, output_format, output, force):
    import json

    from ctgxl import api
    from ctgxl.errors import UnreadableVersion

    if output_format == "xlsx" and output is None:
        raise UserError("--format xlsx écrit un classeur : indiquez-le avec -o FICHIER.")
    if output is not None:
        if output.resolve() in {old.resolve(), new.resolve()}:
            raise UserError("Le fichier de sortie ne peut pas remplacer une des versions comparées.")
        _replace_allowed(output, force, "diff")
    try:
        found = api.diff(old, new)
    except UnreadableVersion as problem:
        message = str(problem)  # within « Erreur : l'ancienne version … »
        raise UserError(message[:1].lower() + message[1:]) from None
    if output_format == "xlsx":
        api.write_changes(found, output, str(old), str(new), force=True)
        click.echo(f"Liste des modifications écrite dans {output} ({len(found.changes())} lignes).")
    else:
        if output_format == "json":
            # ASCII-safe, as the JSON of check: readable whatever the console or the program.
            text = json.dumps({"ancien": str(old), "nouveau": str(new), **found.as_json()}, ensure_ascii=True,
                              indent=2, default=str)
        else:
            from ctgxl.diff_report import format_text

            text = "\n".join(format_text(found, f"« {old} »", f"« {new} »"))
        if output is None:
            click.echo(text)
        else:
            from ctgxl.writing.atomic import atomic_path

            with atomic_path(output) as temporary:
                temporary.write_text(text + "\n", encoding="utf-8")
            click.echo(f"Modifications écrites dans {output}.")
    sys.exit(1 if found else 0)




class _progress:
    """A progress bar on a terminal, nothing when output is piped."""

    def __init__(self, label: str):
        self.label = label
        self.bar = None

    def __enter__(self):
        if not sys.stderr.isatty():
            return None
        self.bar = click.progressbar(length=0, label=self.label, file=sys.stderr, show_pos=True)
        self.bar.__enter__()

        def advance(count: int, total: int | None = None) -> None:
            if total is not None:
                self.bar.length = total
            self.bar.update(count)

        return advance

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


def _stop_cleanly(signum, frame) -> None:
    """SIGTERM (kill, end of a session) is handled like Ctrl+C: the half-written output is removed."""
    raise KeyboardInterrupt


def _tolerant_streams() -> None:
    """Print on any console encoding (cp1252, ascii…): a character it cannot show becomes « ? »
    rather than stopping the report halfway."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):  # not a text file of io (replaced by a test, or closed)
            pass


def main() -> None:
    import signal

    _tolerant_streams()
    debug = "--debug" in sys.argv[1:]
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _stop_cleanly)
    with clifr.installed():  # the errors below are shown in French too
        _run(debug)


def _run(debug: bool) -> None:
    try:
        cli.main(prog_name="ctgxl", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except CtgxlError as error:  # a refusal of the library (output is an input, disk full…)
        click.echo(f"Erreur : {error}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("Interrompu.", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("Interrompu : aucun fichier n'a été modifié.", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as error:  # an unexpected failure: a French sentence, the detail with --debug
        if debug:
            raise
        click.echo(f"Erreur inattendue ({type(error).__name__}) : {error}. Relancez avec --debug pour le détail "
                   "et signalez-le.", err=True)
        sys.exit(3)
