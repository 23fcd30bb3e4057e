"""Inspector core: data store, imaging, detection engine, services, reports, CLI.

Nothing in this package may import Qt; the GUI lives in ``ui/`` and calls the services.
"""

__version__ = "0.1.0"
