"""Reusable widgets: image view, verdict banner, camera preview, progress panel..."""
