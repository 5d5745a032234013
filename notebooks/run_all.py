"""Executes every notebook in notebooks/ top to bottom with nbclient.

A cell that raises fails the run (exit 1). Notebooks are executed in memory
and not rewritten, so the committed files keep their cleared outputs.
Usage: .venv/bin/python notebooks/run_all.py
"""
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

here = Path(__file__).resolve().parent
failed = 0
notebooks = sorted(here.glob("*.ipynb"))
for path in notebooks:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(here)}})
    try:
        client.execute()
        print(f"ok {path.name}: {len(nb.cells)} cells")
    except CellExecutionError as e:
        failed += 1
        print(f"FAIL {path.name}:\n{e}", file=sys.stderr)
print(f"{len(notebooks) - failed} passed, {failed} failed")
sys.exit(1 if failed or not notebooks else 0)
