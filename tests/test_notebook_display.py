"""In Jupyter, without any magic: figures show inline and progress is a widget bar.

A fresh ``python3`` kernel (this interpreter, see tests/test_notebooks.py) runs a small
notebook with no ``%matplotlib`` line and no warning filter.
"""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent

CELLS = [
    f"""\
import warnings
import supportsim as ss
from supportsim import plot
scenario = ss.load_scenario({str(ROOT / "scenarios" / "mmc.toml")!r}).with_overrides(
    {{"horizon": "2d", "warmup": "6h"}})
res = ss.simulate(scenario, replications=2, seed=1, progress=True)""",
    "plot.sla_bars(res)",
    "import matplotlib; matplotlib.get_backend()",
]


@pytest.mark.slow  # starts a kernel (a few seconds)
def test_figures_show_inline_and_progress_is_a_widget() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=120,
                                     startup_timeout=60,
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    simulate, figure, _ = nb.cells
    kinds = [out.get("data", {}).keys() for out in simulate.outputs]
    assert any("application/vnd.jupyter.widget-view+json" in k for k in kinds), \
        simulate.outputs
    # No "IProgress not found" or other warning on stderr.
    assert not [out for out in simulate.outputs if out.get("name") == "stderr"]
    shown = [out for out in figure.outputs if out.output_type == "execute_result"]
    assert len(shown) == 1 and "image/png" in shown[0]["data"], figure.outputs
    assert shown[0]["data"]["image/png"]  # base64 PNG, non-empty
