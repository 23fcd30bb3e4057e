"""The ``inspector`` command line: ``main()`` is the console entry point."""

from inspector.cli.main import main

__all__ = ["main"]
