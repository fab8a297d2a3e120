"""The `newswire` command. Each subcommand lives with its service in `newswire.<service>.command`,
which provides `add_arguments(parser)` and `run(args) -> int`; this module only dispatches, so a
service's dependencies are imported only when that service runs.
"""

import argparse
import importlib
import sys
from types import ModuleType

__all__ = ["main"]

#: subcommand -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("newswire.demo", "everything on one machine: broker, sample site, scraper, enricher, API"),
    "broker": ("newswire.broker.command", "a local Kafka-compatible broker (Apache Kafka or Tansu)"),
    "scrape": ("newswire.scraper.command", "the scraper: feeds, sitemaps and pages into news.articles.raw"),
    "enrich": ("newswire.enricher.command", "the Faust enricher worker"),
    "api": ("newswire.api.command", "the HTTP API: REST, SSE, WebSocket, dashboard, /metrics"),
    "annotate": ("newswire.enricher.annotate", "enrich files without Kafka; one EnrichedArticle JSON per line"),
    "extract": ("newswire.scraper.extract_command", "extract saved HTML pages; one RawArticle JSON per line"),
    "sample-site": ("newswire.scraper.sample_site.command", "serve the bundled sample news site on 127.0.0.1"),
}

EXIT_NOT_BUILT = 2


def _load(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        # Only "this command's module does not exist yet" is reported as not built; a missing
        # third-party dependency inside a built service is a real error and must surface.
        if exc.name and module.startswith(exc.name):
            return None
        raise


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="newswire", description="Self-hosted news event streaming.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # Import only the chosen subcommand's module: spaCy alone takes seconds to import.
    chosen = next((a for a in argv if not a.startswith("-")), None)
    impl: ModuleType | None = None
    for command, (module, help_text) in COMMANDS.items():
        sub_parser = sub.add_parser(command, help=help_text, description=help_text)
        if command == chosen:
            impl = _load(module)
            if impl is None:
                print(f"newswire {command}: not built yet in this version of newswire", file=sys.stderr)
                return EXIT_NOT_BUILT
            impl.add_arguments(sub_parser)
    args = parser.parse_args(argv)
    assert impl is not None  # parse_args exits on an unknown or missing subcommand
    return int(impl.run(args) or 0)

if __name__ == "__main__":
    sys.exit(main())
