"""Inspector core: data store, imaging, detection engine, services, reports, CLI.

Nothing in this package may import Qt; the GUI lives in ``ui/`` and calls the services.
"""

import os

__version__ = "0.1.0"

# Shop floors are offline: albumentations otherwise asks pypi.org for a newer version each
# time it is imported (every training), a DNS lookup that can stall for seconds and then
# logs a warning. Set here, before any module of the core imports it; a user's own
# setting of the variable wins.
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
