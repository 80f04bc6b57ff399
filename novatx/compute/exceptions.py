"""
The internal API's exceptions.

Each exception names a kind of failure, never an HTTP status: the compute API maps
the kinds to nova's faults in one place (L{novatx.resources.faults}), EC2 to its
own error codes. C{msg_fmt} is formatted with the keyword arguments, so the
message a user sees is written once, here, in nova's words.
"""

from __future__ import annotations


class NovatxException(Exception):
    """Base of every internal-API failure; C{str()} is the message for the user."""

    msg_fmt = "An unknown exception occurred."

    def __init__(self, message: str | None = None, **kwargs: object) -> None:
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError, ValueError):
                message = self.msg_fmt
        self.message = message
        super().__init__(message)


# -- kinds: the fault mapper dispatches on these base classes ------------------


class Invalid(NovatxException):
    """The caller's input is wrong (compute: 400 badRequest)."""

    msg_fmt = "Bad request: %(reason)s"


class NotAuthorized(NovatxException):
    """The caller may not do this (compute: 403 forbidden)."""

    msg_fmt = "Not authorized."


class NotFound(NovatxException):
    """The thing does not exist, or belongs to someone else (compute: 404)."""

    msg_fmt = "Resource could not be found."


class Conflict(NovatxException):
    """The thing is in a state that forbids this (compute: 409)."""

    msg_fmt = "There was a conflict when trying to complete your request."


class OverLimit(NovatxException):
    """A quota or rate limit is exceeded (compute: 403 forbidden / 413 overLimit)."""

    msg_fmt = "Quota exceeded: %(reason)s"


class NotSupported(NovatxException):
    """The operation is not implemented here (compute: 501 notImplemented)."""

    msg_fmt = "Not supported: %(reason)s"


class ServiceUnavailable(NovatxException):
    """The store or another dependency is down; try again (compute: 503)."""

    msg_fmt = "The service is temporarily unavailable: %(reason)s"


# -- concrete exceptions ------------------------------------------------------


class InstanceNotFound(NotFound):
    msg_fmt = "Instance %(instance_id)s could not be found."


class FlavorNotFound(NotFound):
    msg_fmt = "Flavor %(flavor_id)s could not be found."


class ImageNotFound(NotFound):
    msg_fmt = "Image %(image_id)s could not be found."


class KeypairNotFound(NotFound):
    msg_fmt = "Keypair %(name)s not found for user %(user_id)s"


class ServerGroupNotFound(NotFound):
    msg_fmt = "Instance group %(group_uuid)s could not be found."


class MarkerNotFound(Invalid):
    msg_fmt = "Marker %(marker)s could not be found."


class InstanceInvalidState(Conflict):
    """An action asked of an instance in a state that forbids it."""

    msg_fmt = "Cannot '%(method)s' instance %(instance_uuid)s while it is in %(attr)s %(state)s"


class InstanceIsLocked(Conflict):
    msg_fmt = "Instance %(instance_uuid)s is locked"


class InstanceTerminationDisabled(Conflict):
    """A delete of an instance whose termination is disabled (EC2's C{disableApiTermination})."""

    msg_fmt = "Instance %(instance_uuid)s may not be deleted: its termination is disabled."


class KeyPairExists(Conflict):
    msg_fmt = "Key pair '%(key_name)s' already exists."


class FlavorExists(Conflict):
    msg_fmt = "Flavor with %(key)s %(value)s already exists."


class QuotaExceeded(OverLimit):
    """Nova's C{TooManyInstances} wording for instances; other resources alike."""

    msg_fmt = (
        "Quota exceeded for %(overs)s: Requested %(req)s, but already used "
        "%(used)s of %(allowed)s %(overs)s"
    )


class NoValidHost(NovatxException):
    """Scheduling failed (for example: the fixed IP pool is exhausted)."""

    msg_fmt = "No valid host was found. %(reason)s"


class DatabaseUnavailable(ServiceUnavailable):
    msg_fmt = "The database is unavailable: %(reason)s"


class ImageNotActive(Invalid):
    msg_fmt = "Image %(image_id)s is not active."


class ZoneNotAvailable(Invalid):
    msg_fmt = "The requested availability zone is not available"


class InvalidSortKey(Invalid):
    msg_fmt = "Sort key supplied is invalid: %(sort_key)s"


class InvalidKeypair(Invalid):
    msg_fmt = "Keypair data is invalid: %(reason)s"


class MetadataLimitExceeded(OverLimit):
    msg_fmt = "Maximum number of metadata items exceeds %(allowed)d"


class InstanceNotReady(Conflict):
    msg_fmt = "Instance %(instance_id)s is not ready"
