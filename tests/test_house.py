"""The package layout: public names, subpackages and what the command line imports."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import supportsim as ss


def test_no_public_name_is_shadowed_by_a_module() -> None:
    # `import supportsim.sweep as s` once gave the function `ss.sweep`: a public function
    # and a module of the same name cannot both be reached.
    modules = {m.name for m in pkgutil.iter_modules(ss.__path__)}
    functions = {name for name in ss.__all__
                 if callable(getattr(ss, name)) and not isinstance(getattr(ss, name), type)}
    assert not functions & modules


def test_every_public_name_resolves_and_subpackages_import_by_path() -> None:
    for name in ss.__all__:
        assert getattr(ss, name) is not None, name
    sweeps = importlib.import_module("supportsim.sweeps")
    assert sweeps.load_sweep is ss.load_sweep
    assert sweeps.sweep is ss.sweep


def test_help_and_version_import_no_heavy_library() -> None:
    # `supportsim --help` and `--version` should answer at once: the CLI imports pandas,
    # scipy, pyarrow and matplotlib only inside the command that needs them.
    code = ("import sys, contextlib, io\n"
            "from supportsim.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    assert main(['--version']) == 0\n"
            "    assert main(['--help']) == 0\n"
            "    assert main(['run', '--help']) == 0\n"
            "heavy = [m for m in ('pandas', 'scipy', 'pyarrow', 'matplotlib', 'simpy')\n"
            "         if m in sys.modules]\n"
            "print(','.join(heavy))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_lower_layers_never_import_the_cli() -> None:
    # Data flows one way (DESIGN section 1): nothing below the CLI imports it.
    code = ("import sys, supportsim as ss\n"
            "import supportsim.sweeps, supportsim.calibrate, supportsim.plot\n"
            "import supportsim.breakpoint\n"
            "ss.simulate, ss.compare, ss.calibrate.from_event_log\n"
            "print([m for m in sys.modules if m.startswith('supportsim.cli')])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
