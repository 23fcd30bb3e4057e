"""``python -m ui`` opens the GUI."""

import sys

from ui.app import main

sys.exit(main())
