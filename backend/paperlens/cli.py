"""The `paperlens` command. A bare `paperlens` serves (like `paperlens serve`)."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import click

from . import __version__
from .config import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    EMBEDDING_BACKEND,
    EMBEDDING_BACKENDS,
    EMBEDDING_PRECISION,
    EMBEDDING_PRECISIONS,
    KEYPHRASES_DIVERSITY,
    KEYPHRASES_TOP_N,
    KEYPHRASES_TOP_N_MAX,
    MAX_LIST_LIMIT,
    MAX_LIST_OFFSET,
    default_db_path,
    is_loopback,
)
from .errors import NotFound, PaperLensError
from .ranking import DEFAULT_RANKER, RANKERS
from .readinglist import formats, speed
from .triage import MUTE_KINDS


class DefaultGroup(click.Group):
    """A group whose bare invocation (or options only) runs `serve`, and where a PaperLensError from any
    command is the one-sentence error click prints (exit 1), never a traceback."""

    def parse_args(self, ctx, args):
        if not args or (args[0].startswith("-") and args[0] not in ("--help", "-h", "--version")):
            args = ["serve", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PaperLensError as e:
            raise click.ClickException(e.message) from None


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="paperlens")
def cli():
    """Paper Lens: keyphrases, related papers and your reading list on Hugging Face Daily Papers."""


db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Library file (default: $PAPERLENS_DB or library.sqlite3 in your user data directory).",
)


def _typed_paper_id(ctx, param, value):
    from .ids import typed_paper_id  # ids is light, but the CLI imports modules where they are used

    return typed_paper_id(value)


# A paper id as the reader copied it (arXiv:ID, a version, a link): the commands get the bare id.
paper_id_argument = click.argument("paper_id", metavar="ID", callback=_typed_paper_id)
limit_option = click.option(
    "--limit", default=100, show_default=True, type=click.IntRange(1, MAX_LIST_LIMIT), help="At most this many papers."
)


def model_options(command):
    """--precision and --backend: how the embedding model runs (serve, annotate, doctor)."""
    command = click.option(
        "--backend",
        default=EMBEDDING_BACKEND,
        show_default=True,
        type=click.Choice(EMBEDDING_BACKENDS),
        help="Who runs the embedding model: bundled = our own forward pass over the same weights (lean: no "
        "sentence-transformers import); keybert = KeyBERT's sentence-transformers backend (fp32 only).",
    )(command)
    return click.option(
        "--precision",
        default=EMBEDDING_PRECISION,
        show_default=True,
        type=click.Choice(EMBEDDING_PRECISIONS),
        help="How the embedding model computes: auto = bf16 where this CPU has it (about 3x faster, cosine "
        "0.9998 to fp32), else fp32.",
    )(command)


def keyphrase_options(command):
    """--keyphrases and --diversity with the model options, for the commands that compute keyphrases
    (serve, annotate)."""
    command = model_options(command)
    command = click.option(
        "--diversity",
        default=KEYPHRASES_DIVERSITY,
        show_default=True,
        type=click.FloatRange(0.0, 1.0),
        help="Keyphrase diversity (MMR): 0 = most relevant only, 1 = most different from each other.",
    )(command)
    return click.option(
        "--keyphrases",
        "top_n",
        default=KEYPHRASES_TOP_N,
        show_default=True,
        type=click.IntRange(1, KEYPHRASES_TOP_N_MAX),
        help="Keyphrases per paper.",
    )(command)


@cli.command()
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Interface to listen on. 127.0.0.1 keeps the library reachable from this machine only; "
    "any other address needs --token.",
)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16), help="gunicorn worker processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Threads per worker.")
@click.option(
    "--token",
    envvar="PAPERLENS_TOKEN",
    default=None,
    help="Require 'Authorization: Bearer TOKEN' on every request (also $PAPERLENS_TOKEN, which keeps it out "
    "of the process list). Required to listen beyond loopback.",
)
@click.option(
    "--extension-id",
    "extension_ids",
    multiple=True,
    envvar="PAPERLENS_EXTENSION_IDS",
    help="Only this browser extension id may call the API (repeatable; default: any extension origin).",
)
@click.option(
    "--warm-model/--lazy-model",
    default=True,
    show_default=True,
    help="Load the keyphrase model at start (first page fast) or on first use (start fast).",
)
@keyphrase_options
@click.option(
    "--ranker",
    type=click.Choice(sorted(RANKERS)),
    default=DEFAULT_RANKER,
    show_default=True,
    help="How related papers are ranked: fusion = BM25 re-ranked with the MiniLM document embeddings "
    "keyphrase extraction stores; bm25 = BM25 alone.",
)
@db_option
def serve(host, port, workers, threads, token, extension_ids, warm_model, top_n, diversity, precision, backend,
          ranker, db_path):
    """Run the backend under gunicorn (the default command)."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.errors import AppImportError

    from .app import check_settings, create_app
    from .doctor import port_problem
    from .store import Store

    if not is_loopback(host) and not token:
        raise click.ClickException(
            f"refusing to listen on {host} without a token: anyone who can reach it could read and change "
            "your library. Use --host 127.0.0.1, or set --token / $PAPERLENS_TOKEN."
        )
    db_path = db_path or default_db_path()
    config = {
        "DB_PATH": str(db_path),
        "WARM_MODEL": warm_model,
        "PORT": port,
        "TOKEN": token or None,
        "EXTENSION_IDS": tuple(extension_ids),
        # Beyond loopback, clients name this machine however they reach it; the token authenticates them.
        "ALLOWED_HOSTS": () if is_loopback(host) else ("*",),
        "KEYPHRASES_TOP_N": top_n,
        "KEYPHRASES_DIVERSITY": diversity,
        "EMBEDDING_PRECISION": precision,
        "EMBEDDING_BACKEND": backend,
        "RELATED_RANKER": ranker,
    }
    # Everything that would stop the app is checked here, before gunicorn starts: inside gunicorn a busy
    # port is five retries over five seconds and a bad library a worker's traceback. The library comes
    # last, so a start that fails creates no file.
    check_settings(config)
    problem = port_problem(host, port)
    if problem:
        raise PaperLensError(problem)
    store = Store(db_path)  # created or migrated once, here, rather than by the first worker
    store.check_writable()
    store.close()
    click.echo(f"Paper Lens {__version__} on http://{host}:{port}  library: {db_path}", err=True)

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            # The first keyphrase batch on a cold model can take a while; don't kill the worker for it.
            self.cfg.set("timeout", 180)
            # Our own JSON access log replaces gunicorn's, which would print query values.
            self.cfg.set("accesslog", None)
            self.cfg.set("errorlog", "-")
            # gunicorn >= 24 opens a runtime-management socket in ~/.gunicorn shared by every gunicorn of
            # the user; we never use it, so one less door (and no clash between two servers).
            if "control_socket_disable" in self.cfg.settings:
                self.cfg.set("control_socket_disable", True)

        def load(self):
            try:
                return create_app(config)
            except PaperLensError as e:
                # Only if the library changed since the checks above. gunicorn prints an AppImportError
                # as one line and stops; any other exception is a traceback.
                raise AppImportError(e.message) from None

    Server().run()


@cli.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Interface `serve` will listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--skip-model", is_flag=True, help="Do not load the keyphrase model (the slowest check).")
@model_options
@db_option
def doctor(host, port, skip_model, precision, backend, db_path):
    """Check that Paper Lens can run here: model, library, port. Prints what to fix; exit 1 if anything is wrong."""
    from .app import check_settings
    from .doctor import run_checks

    check_settings({"EMBEDDING_PRECISION": precision, "EMBEDDING_BACKEND": backend})
    problems = 0
    checks = run_checks(host, port, db_path or default_db_path(), skip_model=skip_model, precision=precision,
                        backend=backend)
    for check in checks:
        mark = {"ok": "ok  ", "fail": "FAIL", "skip": "skip"}[check.state]
        click.echo(f"[{mark}] {check.name}: {check.detail}")
        if check.fix:
            click.echo(f"       fix: {check.fix}")
        problems += check.state == "fail"
    if problems:
        raise SystemExit(1)


def _read_text(file: str, kind: str = "text or HTML file") -> str:
    """FILE's text ('-': standard input): UTF-8 (a BOM is dropped) or UTF-16 with a BOM. Anything else
    (binary data, Latin-1, UTF-16 without a BOM) is a PaperLensError saying FILE is not a `kind`."""
    name = "standard input" if file == "-" else file
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as e:
        raise PaperLensError(f"cannot read {name}: {e.strerror}") from None
    utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")  # Windows editors save "Unicode" text so
    if not utf16 and b"\x00" in data:
        raise PaperLensError(
            f"{name} is not a {kind} (it holds NUL bytes: binary data, or UTF-16 text without a byte-order mark)"
        )
    try:
        return data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as e:
        raise PaperLensError(
            f"{name} is not a {kind} in UTF-8 (byte {e.object[e.start]:#04x} at position {e.start} is not "
            "UTF-8; Latin-1 or Windows-1252 perhaps): save it as UTF-8"
        ) from None


@cli.command()
@click.argument("file")
@click.option("--url", default=None, help="The page's URL (tells the page kind and the year of short dates).")
def parse(file, url):
    """Print the papers parsed from a saved page (HTML, JSON or a text copy) as JSON."""
    from .digest import parse_page

    page = parse_page(_read_text(file), url)
    _warn(page.warnings)
    d = page.to_dict()
    click.echo(json.dumps({"kind": d["kind"], "papers": d["papers"], "warnings": d["warnings"]}, ensure_ascii=False,
                          indent=2))


def _warn(warnings: list[str]) -> None:
    """What the parser could not place, one line each on standard error (the JSON on stdout has them too)."""
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


@cli.command()
@click.argument("file")
@click.option("--url", default=None, help="The page's URL.")
@keyphrase_options
@db_option
def annotate(file, url, top_n, diversity, precision, backend, db_path):
    """Print what POST /api/annotate answers for a saved page, recording its papers in the library.
    Waits until every paper has its keyphrases."""
    from .annotate import Annotator, check_page
    from .digest import parse_page
    from .app import check_settings
    from .embedding import make_embedder
    from .keyphrases import KeyphraseExtractor, Settings
    from .store import Store

    check_settings({"EMBEDDING_PRECISION": precision, "EMBEDDING_BACKEND": backend})
    # Parsed before the library is opened: a page that fails leaves no new library behind.
    page = check_page(parse_page(_read_text(file), url))
    store = Store(db_path or default_db_path())
    extractor = KeyphraseExtractor(embedder=make_embedder(backend, precision), settings=Settings(top_n, diversity),
                                   phrase_cache=store.phrase_embeddings())
    annotator = Annotator(store, extractor)
    try:
        result = annotator.annotate(url=url, wait=True, page=page)
    finally:
        annotator.close()
    _warn(result["warnings"])
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


# ---------------------------------------------------------------- the reading list


class Progress:
    """A click progress bar on stderr when it is a terminal; silent when piped or redirected."""

    def __init__(self, label: str):
        self.label = label
        self.bar = None
        self.enabled = sys.stderr.isatty()

    def to(self, done: int, total: int) -> None:
        """Move the bar to `done` of `total` (started on first call, when the total is known)."""
        if not self.enabled or total <= 0:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(max(0, done - self.bar.pos))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)


def _existing_library(db_path: Path | None):
    """The Store at db_path (default library); a ClickException if there is no library file there."""
    from .store import Store

    path = db_path or default_db_path()
    if not Path(path).is_file():
        raise click.ClickException(f"no library at {path} (use --db or PAPERLENS_DB)")
    return Store(path)


@cli.command("export")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(formats.EXPORT_FORMATS),
    default=None,
    help=f"{formats.help_text(formats.EXPORT_FORMATS)}. Default: from --output's extension, else json.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (replaced atomically). Default: standard output.",
)
@db_option
def export(fmt, output, db_path):
    """Export the reading list (the same file GET /api/saved/export gives)."""
    named = formats.format_named_by(output.name) if output else None
    if fmt is not None and named is not None and named != fmt:
        raise PaperLensError(f"{output.name} is a {formats.FORMATS[named].label} file name but --format is {fmt}: "
                             f"drop --format, or give a name ending in {formats.FORMATS[fmt].extensions[0]}")
    fmt = fmt or named or "json"
    if output is not None and not output.parent.is_dir():
        raise PaperLensError(f"cannot write {output}: no folder {output.parent}")
    with speed.bulk():
        store = _existing_library(db_path)
        records = store.export_saved()
        data = formats.export_records(records, fmt, store.export_dismissed(), store.list_muted()).encode("utf-8")
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    # Through a link to its file: renaming onto the link would replace the link itself.
    output = output.resolve() if output.is_symlink() else output
    if output.exists() and not output.is_file():  # /dev/stdout, a pipe: write into it, it cannot be renamed onto
        try:
            with open(output, "wb") as f:
                f.write(data)
        except OSError as e:
            raise PaperLensError(f"cannot write {output}: {e.strerror}") from None
        click.echo(f"exported {len(records)} saved papers to {output} ({fmt})", err=True)
        return
    # Write next to the target and rename: an interrupted export never leaves half a file behind.
    try:
        fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    except OSError as e:
        raise PaperLensError(f"cannot write {output}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f, Progress(f"Exporting {len(records)} papers") as progress:
            step = 1 << 20
            for i in range(0, len(data), step):
                f.write(data[i : i + step])
                progress.to(min(i + step, len(data)), len(data))
        if output.exists():  # a file made private stays private
            mode = output.stat().st_mode & 0o777
        else:  # as a file the shell would create: mkstemp's are 0600
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    click.echo(f"exported {len(records)} saved papers to {output} ({fmt})", err=True)


@cli.command("import")
@click.argument("file")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(formats.IMPORT_FORMATS),
    default=None,
    help=f"{formats.help_text(formats.IMPORT_FORMATS)}. Default: from the file extension, else from its first "
    "character.",
)
@db_option
def import_(file, fmt, db_path):
    """Import a Paper Lens JSON export (with its dismissed papers and muted terms), a CSV export or a BibTeX
    file (arXiv eprints) into the reading list.

    All or nothing: the whole file is checked first and written in one transaction. Papers already
    saved are merged (tags united, notes kept), so importing the same file twice changes nothing."""
    from .store import Store

    text = _read_text(file, "text file")
    fmt = fmt or formats.format_for(file, text)
    with speed.bulk():
        got = formats.parse_import(fmt, text)
    records = got.records
    store = Store(db_path or default_db_path())
    with Progress(f"Importing {len(records)} papers") as progress, speed.bulk():
        done = [0]

        def advance(n):
            done[0] += n
            progress.to(done[0], len(records))

        counts = store.import_saved(records, progress=advance, dismissed=got.dismissed, muted=got.muted)
    counts["skipped"] += got.duplicates
    triage = "".join(f", {counts[k]} {k}" for k in ("dismissed", "muted") if counts[k])
    click.echo(
        f"imported {counts['imported']}, updated {counts['updated']}, "
        f"skipped {counts['skipped']} (already in the library or repeated in the file){triage}"
    )


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@db_option
def backup(path, db_path):
    """Copy the whole library (papers, saves, history, cache) to PATH, safely while the server runs.

    PATH may be a directory (a timestamped file is created in it). Restore by pointing --db or
    PAPERLENS_DB at the copy, or by copying it over the library while the server is stopped."""
    store = _existing_library(db_path)
    with Progress("Backing up") as progress:
        dest = store.backup(path, progress=progress.to)
    click.echo(f"backed up {store.path} to {dest} ({store.count_saved()} saved, {store.count_papers()} papers)")


# ---------------------------------------------------------------- saving without the extension
# The Store methods and the validation of the /api/saved routes, on the library the server uses: safe while
# it runs (WAL, each write one transaction, a busy library waited for).


@cli.command()
@paper_id_argument
@click.option(
    "--tag",
    "tags",
    multiple=True,
    help="A tag (repeatable). The tags given replace the paper's tags (--tag '' clears them); without --tag "
    "they are kept.",
)
@click.option("--note", default=None, help="A note; replaces the paper's note (without --note it is kept).")
@click.option("--read/--unread", "read", default=None, help="Mark the paper read / not read (without either it is kept).")
@click.option("--json", "as_json", is_flag=True, help="Print the saved record as JSON (as PUT /api/saved/ID gives it).")
@db_option
def save(paper_id, tags, note, read, as_json, db_path):
    """Save a paper by its id (an arXiv id like 2509.09737, or a t- title id), as the extension's star does.

    Works before the paper was ever seen on a page, and creates the library if there is none. Saving again
    keeps the saved time. Prints the saved record on one line (or as JSON with --json)."""
    from .readinglist import fields
    from .store import Store

    tags = fields.normalize_tags(list(tags)) if tags else None
    note = None if note is None else fields.check_note(note)
    record = Store(db_path or default_db_path()).save_paper(paper_id, tags, note, read)
    click.echo(json.dumps(record, ensure_ascii=False, indent=2) if as_json else f"saved {_describe(record)}")


@cli.command()
@paper_id_argument
@db_option
def unsave(paper_id, db_path):
    """Remove a paper from the reading list (the library keeps the paper and where it was seen)."""
    if not _existing_library(db_path).unsave_paper(paper_id):
        raise NotFound(f"{paper_id} is not saved")
    click.echo(f"unsaved {paper_id}")


@cli.command("saved")
@click.option("--tag", default=None, help="Only the papers with this tag.")
@click.option(
    "--q",
    default=None,
    metavar="WORDS",
    help="Only the papers with every word in their title, authors, note, tags or id.",
)
@click.option("--read/--unread", "read", default=None, help="Only the papers marked read / not read.")
@limit_option
@click.option(
    "--offset", default=0, type=click.IntRange(0, MAX_LIST_OFFSET - 1), help="Skip this many papers first (paging)."
)
@click.option("--oldest-first", is_flag=True, help="Oldest save first (default: newest first).")
@click.option(
    "--json", "as_json", is_flag=True, help="Print what GET /api/saved answers: {ok, total, saved: [records]}."
)
@db_option
def saved(tag, q, read, limit, offset, oldest_first, as_json, db_path):
    """List the reading list, newest first: id, saved date, read, tags and title."""
    from .readinglist import fields

    tags = fields.normalize_tags([tag or ""])
    filters = {"tag": tags[0] if tags else None, "q": q or "", "read": read}
    store = _existing_library(db_path)
    sort = fields.SAVED_SORTS[0] if oldest_first else fields.SAVED_SORTS[1]
    total, records = store.count_saved(**filters), store.list_saved(limit, offset, sort=sort, **filters)
    if as_json:
        click.echo(json.dumps({"ok": True, "total": total, "saved": records}, ensure_ascii=False, indent=2))
        return
    if not records:
        if total:
            click.echo(f"--offset {offset} is past the end: {total} saved papers match", err=True)
        else:
            click.echo("no saved paper matches" if tag or q or read is not None else "nothing saved yet", err=True)
        return
    rows = [
        (r["id"], time.strftime("%Y-%m-%d", time.localtime(r["saved_at"])), "yes" if r["read"] else "",
         _cut(", ".join(r["tags"]), 30), r["title"] or UNSEEN)
        for r in records
    ]
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    for line in _table(("ID", "SAVED", "READ", "TAGS", "TITLE"), rows):
        click.echo(_cut(line, width) if width else line)
    if offset or total > offset + len(records):
        more = f"; --offset {offset + len(records)} shows the next" if total > offset + len(records) else ""
        click.echo(f"papers {offset + 1}-{offset + len(records)} of {total} saved{more}", err=True)


# ---------------------------------------------------------------- triage without the extension
# The same Store methods and rules as the /api/papers/ID/dismissed, /api/muted and /api/for-you/seed routes.


@cli.command()
@paper_id_argument
@db_option
def dismiss(paper_id, db_path):
    """Dismiss a paper ("not for me"), as the card's x does: dimmed on pages, never in related lists, and
    papers close to it score lower in "for you". The paper must be in the library. Dismissing again keeps
    the first time."""
    store = _existing_library(db_path)
    if store.dismiss_paper(paper_id) is None:
        raise NotFound(f"{paper_id} is not in your library: only a paper seen on a page can be dismissed")
    click.echo(f"dismissed {paper_id} {store.get_paper(paper_id)['title']}")


@cli.command()
@paper_id_argument
@db_option
def undismiss(paper_id, db_path):
    """Undo a dismissal (exit 1 if the paper was not dismissed)."""
    if not _existing_library(db_path).undismiss_paper(paper_id):
        raise NotFound(f"{paper_id} is not dismissed")
    click.echo(f"undismissed {paper_id}")


@cli.command("dismissed")
@limit_option
@click.option("--json", "as_json", is_flag=True, help="Print what GET /api/dismissed answers: {ok, papers: [...]}.")
@db_option
def dismissed(limit, as_json, db_path):
    """List the dismissed papers, newest first: id, dismissed date and title."""
    store = _existing_library(db_path)
    papers = store.list_dismissed(limit)
    if as_json:
        click.echo(json.dumps({"ok": True, "papers": papers}, ensure_ascii=False, indent=2))
        return
    if not papers:
        click.echo("nothing dismissed", err=True)
        return
    rows = [(p["id"], time.strftime("%Y-%m-%d", time.localtime(p["dismissed_at"])), p["title"] or UNSEEN)
            for p in papers]
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    for line in _table(("ID", "DISMISSED", "TITLE"), rows):
        click.echo(_cut(line, width) if width else line)
    total = store.count_dismissed()
    if total > len(papers):
        click.echo(f"{len(papers)} of {total} dismissed papers: --limit N shows more", err=True)


def _mute_kind(term: str, kind: str | None) -> str:
    """The kind a command's --kind gives, or by default a word for one word and a phrase for more."""
    return kind or ("phrase" if len(term.split()) > 1 else "word")


kind_option = click.option(
    "--kind",
    type=click.Choice(MUTE_KINDS),
    default=None,
    help="word (matched by its stem), phrase (its words in a row) or author (a name, whole). Default: word for "
    "one word, phrase for more.",
)


@cli.command()
@click.argument("term")
@kind_option
@db_option
def mute(term, kind, db_path):
    """Mute a word, a phrase or an author: the pages dim the papers that match, saying why. Creates the
    library if there is none; muting again changes nothing."""
    from .store import Store
    from .triage import check_mute

    kind, term, key = check_mute(term, _mute_kind(term, kind))
    muted = Store(db_path or default_db_path()).mute_term(kind, term, key)
    click.echo(f"muted {muted['kind']} {muted['term']!r}")


@cli.command()
@click.argument("term")
@kind_option
@db_option
def unmute(term, kind, db_path):
    """Unmute a term (exit 1 if it was not muted)."""
    from .triage import check_mute

    kind, term, key = check_mute(term, _mute_kind(term, kind))
    removed = _existing_library(db_path).unmute_term(kind, key)
    if removed is None:
        raise NotFound(f"the {kind} {term!r} is not muted")
    click.echo(f"unmuted {kind} {removed['term']!r}")


@cli.command("muted")
@click.option("--json", "as_json", is_flag=True, help="Print what GET /api/muted answers: {ok, muted: [...]}.")
@db_option
def muted(as_json, db_path):
    """List the muted terms, oldest first: kind, muted date and term."""
    terms = _existing_library(db_path).list_muted()
    if as_json:
        click.echo(json.dumps({"ok": True, "muted": terms}, ensure_ascii=False, indent=2))
        return
    if not terms:
        click.echo("nothing muted", err=True)
        return
    rows = [(m["kind"], time.strftime("%Y-%m-%d", time.localtime(m["added_at"])), m["term"]) for m in terms]
    for line in _table(("KIND", "MUTED", "TERM"), rows):
        click.echo(line)


@cli.command("for-you-seed")
@click.argument("tag", required=False)
@click.option("--all", "all_saved", is_flag=True, help="Seed \"for you\" with every saved paper again.")
@click.option("--json", "as_json", is_flag=True, help="Print what GET/PUT /api/for-you/seed answers.")
@db_option
def for_you_seed(tag, all_saved, as_json, db_path):
    """Show or set what "for you" compares pages with: the saved papers with TAG, or (--all, the default)
    every saved paper. Without TAG or --all, prints the current seed."""
    from .readinglist import fields

    if tag is not None and all_saved:
        raise PaperLensError("give a TAG or --all, not both")
    if tag is not None:
        tags = fields.normalize_tags([tag])
        if not tags:
            raise PaperLensError("the tag is empty: use --all for every saved paper")
        tag = tags[0]
    store = _existing_library(db_path)
    if tag is not None or all_saved:
        seed = store.set_for_you_seed(tag)
        if seed is None:
            raise PaperLensError(f"no saved paper has the tag {tag!r}")
    else:
        seed = store.for_you_seed()
    if as_json:
        click.echo(json.dumps({"ok": True, "seed": seed}, ensure_ascii=False, indent=2))
        return
    which = f"tagged {seed['tag']!r}" if seed["tag"] else "(all of them)"
    click.echo(f"for you: close to {seed['papers']} saved paper{'s' if seed['papers'] != 1 else ''} {which}")


UNSEEN = "(not seen on a page yet)"


def _describe(record: dict) -> str:
    """One line for a saved record: id, title, tags, whether it has a note."""
    extras = [f"tags: {', '.join(record['tags'])}"] if record["tags"] else []
    if record["note"]:
        extras.append(f"a note of {len(record['note'])} characters")
    if record.get("read"):
        extras.append("read")
    return f"{record['id']} {record['title'] or UNSEEN}" + (f" ({'; '.join(extras)})" if extras else "")


def _table(headers: tuple, rows: list[tuple]) -> list[str]:
    """Left-aligned columns two spaces apart; the last column is not padded."""
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers) - 1)]
    return ["  ".join([*(str(v).ljust(w) for v, w in zip(row, widths)), str(row[-1])]) for row in [headers, *rows]]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def main():
    cli()
