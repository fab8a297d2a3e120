"""The `newswire` command: every contract subcommand is there; unbuilt ones say so and exit 2."""

import subprocess
import sys

import pytest

from newswire import cli

CONTRACT_COMMANDS = {"demo", "broker", "scrape", "enrich", "api", "annotate", "extract"}


def test_help_lists_every_contract_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "newswire.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert all(f"    {command} " in out or f"    {command}\n" in out for command in CONTRACT_COMMANDS), out


def test_an_unbuilt_command_says_so_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(cli.COMMANDS, "scrape", ("newswire.scraper.not_there_yet", "the scraper"))
    assert cli.main(["scrape", "--once"]) == cli.EXIT_NOT_BUILT
    assert "not built yet" in capsys.readouterr().err


def test_a_missing_third_party_dependency_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_import(name: str) -> None:
        raise ModuleNotFoundError("No module named 'spacy'", name="spacy")

    monkeypatch.setattr(cli.importlib, "import_module", broken_import)
    with pytest.raises(ModuleNotFoundError, match="spacy"):
        cli.main(["enrich"])


def test_unknown_command_is_a_usage_error() -> None:
    result = subprocess.run([sys.executable, "-m", "newswire.cli", "fly"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
