"""The README's notebook section, as docs/examples/quickstart.ipynb, runs headless (nbclient):
no cell fails, and every progress bar is one updating line, not one line per update."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "examples" / "quickstart.ipynb"
#: What a text progress bar prints on each update, e.g. " 40%|████      | 4/10 [00:01<00:02".
BAR_LINE = re.compile(r"\d+%\|")


@pytest.mark.slow
def test_quickstart_notebook_runs_with_one_line_per_bar(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    # The kernel inherits this process's environment: plots go inline, as in Jupyter.
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        client.execute()
    finally:
        os.environ["MPLBACKEND"] = "Agg"
    outputs = [output for cell in notebook.cells if cell.cell_type == "code"
               for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    streams = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    bar_lines = [line for line in re.split(r"[\r\n]", streams) if BAR_LINE.search(line)]
    widgets = [o for o in outputs if o.output_type == "display_data"
               and "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    # With ipywidgets (the notebook extra) each bar is a widget and prints no text at all.
    assert widgets and not bar_lines, (len(widgets), bar_lines[:5])
    html = [o for o in outputs if "text/html" in o.get("data", {})]
    assert any("dynamic-vision-score" in o["data"]["text/html"] for o in html)
    assert any("image/png" in o.get("data", {}) for o in outputs)
