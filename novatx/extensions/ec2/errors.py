"""
EC2 errors: the codes and statuses AWS answers with, and the one place where
internal-API exceptions become them.

An action raises L{EC2Error} for a client's mistake; the front renders it as
C{<Response><Errors><Error>...} (L{novatx.resources.faults.ec2_error}). Internal
exceptions that an action does not translate itself go through L{from_exception},
so a missing instance reads the same whichever action met it.
"""

from __future__ import annotations

from novatx.compute import exceptions as exc


class EC2Error(Exception):
    """
    A failure to report to the EC2 client.

    @ivar code: AWS's error code, e.g. C{InvalidInstanceID.NotFound}.
    @ivar message: the human-readable message.
    @ivar status: the HTTP status AWS uses with that code.
    """

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.status = status

    def __repr__(self) -> str:
        return "EC2Error(%r, %r, %d)" % (self.code, self.message, self.status)


def missing_parameter(name: str) -> EC2Error:
    return EC2Error(
        "MissingParameter", "The request must contain the parameter %s" % (name,)
    )


def invalid_value(name: str, value: object, reason: str = "") -> EC2Error:
    message = "Value (%s) for parameter %s is invalid." % (value, name)
    if reason:
        message += " " + reason
    return EC2Error("InvalidParameterValue", message)


def combination(message: str) -> EC2Error:
    return EC2Error("InvalidParameterCombination", message)


def auth_failure() -> EC2Error:
    """
    The one answer to every signature problem: an unknown key, a wrong secret, a
    scope for another region, a broken header. It never says which.
    """
    return EC2Error(
        "AuthFailure", "AWS was not able to validate the provided access credentials", 401
    )


def request_expired() -> EC2Error:
    return EC2Error(
        "RequestExpired",
        "Request has expired. The timestamp lies outside the allowed window.",
        400,
    )


def instance_not_found(ec2_id: str) -> EC2Error:
    return EC2Error(
        "InvalidInstanceID.NotFound", "The instance ID '%s' does not exist" % (ec2_id,)
    )


def incorrect_instance_state(ec2_id: str, verb: str) -> EC2Error:
    return EC2Error(
        "IncorrectInstanceState",
        "The instance '%s' is not in a state from which it can be %s." % (ec2_id, verb),
    )


def termination_disabled(ec2_id: str) -> EC2Error:
    return EC2Error(
        "OperationNotPermitted",
        "The instance '%s' may not be terminated. Modify its 'disableApiTermination' "
        "instance attribute and try again." % (ec2_id,),
    )


def image_not_found(ec2_id: str) -> EC2Error:
    return EC2Error("InvalidAMIID.NotFound", "The image id '[%s]' does not exist" % (ec2_id,))


def key_pair_not_found(name: str) -> EC2Error:
    return EC2Error("InvalidKeyPair.NotFound", "The key pair '%s' does not exist" % (name,))


#: Internal exception kinds -> (code, status), most specific first.
_BY_KIND: tuple[tuple[type[BaseException], str, int], ...] = (
    (exc.InstanceNotFound, "InvalidInstanceID.NotFound", 400),
    (exc.ImageNotFound, "InvalidAMIID.NotFound", 400),
    (exc.KeypairNotFound, "InvalidKeyPair.NotFound", 400),
    (exc.KeyPairExists, "InvalidKeyPair.Duplicate", 400),
    (exc.FlavorNotFound, "InvalidParameterValue", 400),
    (exc.MarkerNotFound, "InvalidPaginationToken", 400),
    (exc.InstanceTerminationDisabled, "OperationNotPermitted", 400),
    (exc.InstanceInvalidState, "IncorrectInstanceState", 400),
    (exc.InstanceIsLocked, "IncorrectInstanceState", 400),
    (exc.QuotaExceeded, "InstanceLimitExceeded", 400),
    (exc.OverLimit, "ResourceLimitExceeded", 400),
    (exc.NotAuthorized, "UnauthorizedOperation", 403),
    (exc.Invalid, "InvalidParameterValue", 400),
    (exc.NotFound, "InvalidParameterValue", 400),
    (exc.Conflict, "IncorrectState", 400),
    (exc.NotSupported, "Unsupported", 400),
    (exc.ServiceUnavailable, "Unavailable", 503),
)


def from_exception(failure: BaseException) -> EC2Error:
    """
    The EC2 error for any exception: itself if it is one, AWS's code for an
    internal-API kind, else C{InternalError} (500) with no detail of ours.
    """
    if isinstance(failure, EC2Error):
        return failure
    for kind, code, status in _BY_KIND:
        if isinstance(failure, kind):
            return EC2Error(code, str(failure), status)
    return EC2Error(
        "InternalError", "An internal error has occurred; the request was not completed.", 500
    )
