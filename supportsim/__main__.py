"""``python -m supportsim``: the command line of :mod:`supportsim.cli`."""

from supportsim.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
