"""Error types shared by every layer.

A ``UserError`` (and its subclasses) is something the person can fix: the CLI prints its
message without a traceback and exits 1, the GUI shows it in a dialog. Anything else is an
internal error.
"""


class InspectorError(Exception):
    """Base of all errors Inspector raises on purpose."""


class UserError(InspectorError):
    """Bad input or a request that cannot be carried out; the message says why."""


class NotFoundError(UserError):
    """A named project, operator, image, model or record does not exist."""


class DamagedProject(UserError):
    """The project's database is there but cannot be read as one (emptied, not a database,
    damaged): the only case where a restore may go ahead without an admin signing in."""


class PermissionDenied(UserError):
    """The signed-in operator's role does not allow the action (it is audited)."""


class ImageError(UserError):
    """An image file cannot be used: corrupt, truncated, too large, not an image."""


class PictureRemoved(ImageError):
    """The stored picture was removed by the retention policy (its records stay); the
    same file imported again brings it back."""


class ModelFileError(UserError):
    """A model file is damaged, from another version, or not a model file at all."""


class CameraError(UserError):
    """A camera cannot be opened or stopped delivering frames."""


class Cancelled(InspectorError):
    """A long job was cancelled by the user; partial results were discarded."""
