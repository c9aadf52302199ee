"""The `paperlens` command. A bare `paperlens` serves (like `paperlens serve`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .config import DEFAULT_HOST, DEFAULT_PORT, default_db_path
from .errors import PaperLensError


class DefaultGroup(click.Group):
    """A group whose bare invocation (or options only) runs `serve`."""

    def parse_args(self, ctx, args):
        if not args or (args[0].startswith("-") and args[0] not in ("--help", "-h", "--version")):
            args = ["serve", *args]
        return super().parse_args(ctx, args)


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


@cli.command()
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Interface to listen on. 127.0.0.1 keeps the library reachable from this machine only.",
)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16), help="gunicorn worker processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Threads per worker.")
@click.option(
    "--keyphrases",
    "top_n",
    default=5,
    show_default=True,
    type=click.IntRange(1, 50),
    help="Keyphrases per paper.",
)
@click.option(
    "--diversity",
    default=0.3,
    show_default=True,
    type=click.FloatRange(0.0, 1.0),
    help="Keyphrase diversity (MMR): 0 = most relevant only, 1 = most different from each other.",
)
@db_option
def serve(host, port, workers, threads, top_n, diversity, db_path):
    """Run the backend under gunicorn (the default command)."""
    from gunicorn.app.base import BaseApplication

    from .app import create_app

    db_path = db_path or default_db_path()
    click.echo(f"Paper Lens {__version__} on http://{host}:{port}  library: {db_path}", err=True)

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            # The first keyphrase batch on a cold model can take a while; don't kill the worker for it.
            self.cfg.set("timeout", 180)
            self.cfg.set("accesslog", "-")

        def load(self):
            return create_app(
                {
                    "DB_PATH": str(db_path),
                    "WARM_MODEL": True,
                    "KEYPHRASES_TOP_N": top_n,
                    "KEYPHRASES_DIVERSITY": diversity,
                }
            )

    Server().run()


def _read_page(file: str) -> str:
    try:
        return sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8", errors="strict")
    except (OSError, UnicodeDecodeError) as e:
        raise click.ClickException(f"cannot read {file}: {e}") from None


@cli.command()
@click.argument("file")
@click.option("--url", default=None, help="The page's URL (tells the page kind and the year of short dates).")
def parse(file, url):
    """Print the papers parsed from a saved page (HTML, JSON or a text copy) as JSON."""
    from .digest import parse_page

    try:
        page = parse_page(_read_page(file), url)
    except PaperLensError as e:
        raise click.ClickException(e.message) from None
    d = page.to_dict()
    click.echo(json.dumps({"kind": d["kind"], "papers": d["papers"]}, ensure_ascii=False, indent=2))


@cli.command()
@click.argument("file")
@click.option("--url", default=None, help="The page's URL.")
@click.option("--keyphrases", "top_n", default=5, show_default=True, type=click.IntRange(1, 50), help="Keyphrases per paper.")
@click.option("--diversity", default=0.3, show_default=True, type=click.FloatRange(0.0, 1.0), help="Keyphrase diversity (MMR).")
@db_option
def annotate(file, url, top_n, diversity, db_path):
    """Print what POST /api/annotate answers for a saved page, recording its papers in the library.
    Waits until every paper has its keyphrases."""
    from .keyphrases import KeyphraseExtractor, Settings
    from .service import Annotator
    from .store import Store

    content = _read_page(file)
    store = Store(db_path or default_db_path())
    extractor = KeyphraseExtractor(settings=Settings(top_n, diversity), phrase_cache=store.phrase_embeddings())
    annotator = Annotator(store, extractor)
    try:
        result = annotator.annotate(content, url, wait=True)
    except PaperLensError as e:
        raise click.ClickException(e.message) from None
    finally:
        annotator.close()
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


def main():
    cli()
