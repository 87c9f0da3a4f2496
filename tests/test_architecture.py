"""The house drawing: import-linter's contracts in pyproject.toml (data flows sources → extract →
check → report, under batch and cli; the shared records depend on no stage)."""

from __future__ import annotations

import os

from conftest import ROOT


def test_import_contracts_are_kept(capsys):
    from importlinter import cli

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        code = cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    finally:
        os.chdir(cwd)
    output = capsys.readouterr().out
    assert code == 0, output
    assert "0 broken" in output and "3 kept" in output


def test_no_import_cycles():
    """No module reaches itself through its imports (the house drawing has no circles)."""
    import grimp

    graph = grimp.build_graph("auditor")
    cycles = sorted({tuple(sorted((m, n))) for m in graph.modules for n in graph.find_modules_directly_imported_by(m)
                     if graph.chain_exists(importer=n, imported=m)})
    assert cycles == []
