"""``python -m inspector`` runs the command line."""

from inspector.cli.main import entry

if __name__ == "__main__":
    entry()
