"""Verification of AWS Signature Version 4 requests (AppSync's AWS_IAM mode) against local IAM credentials."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from appsync_local.auth.errors import UnauthorizedError
from appsync_local.auth.iam import IamCredentials
from appsync_local.sigv4_signature import ALGORITHM, ReceivedRequest, SignatureComputer
from appsync_local.wire.identity import IamIdentity

INVALID_TOKEN = "The security token included in the request is invalid."
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_AMZ_DATE_RE = re.compile(r"^\d{8}T\d{6}Z$")
_SIGNATURE_RE = re.compile(r"^[0-9a-f]{64}$")


def _parse_authorization(value: str) -> dict[str, str]:
    """Split ``AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`` into its parameters."""
    rest = value[len(ALGORITHM) :].strip()
    params: dict[str, str] = {}
    for part in rest.split(","):
        name, sep, param = part.strip().partition("=")
        if sep:
            params[name.strip()] = param.strip()
    missing = [name for name in ("Credential", "SignedHeaders", "Signature") if not params.get(name)]
    if missing:
        raise UnauthorizedError(
            " ".join(f"Authorization header requires '{name}' parameter." for name in missing)
        )
    return params


def _amz_stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime(_AMZ_DATE)


class SigV4Verifier:
    """Checks SigV4-signed requests the way AWS does: scope, clock skew, access key, then the signature.

    Parameters
    ----------
    credentials
        The principals whose access keys are accepted.
    region
        The region every credential scope must name.
    service
        The service the scope must name (``appsync``).
    max_skew_seconds
        How far ``X-Amz-Date`` may be from the server's clock (AWS: 5 minutes).
    """

    def __init__(
        self,
        credentials: Sequence[IamCredentials],
        region: str,
        service: str = "appsync",
        max_skew_seconds: int = 300,
    ) -> None:
        self._credentials = {c.access_key_id: c for c in credentials}
        self._policies = {c.user_arn: c.allowed_fields for c in credentials if c.allowed_fields is not None}
        self.region = region
        self.service = service
        self._max_skew = max_skew_seconds

    def allowed_fields(self, identity: IamIdentity) -> frozenset[str] | None:
        """The root fields the identity's policy allows (None: every field IAM may call)."""
        return self._policies.get(str(identity.get("userArn")))

    def verify(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        source_ips: list[str],
        now: float | None = None,
    ) -> IamIdentity:
        """Return AppSync's IAM ``identity`` for a correctly signed request; raise `UnauthorizedError` otherwise."""
        lowered = {name.lower(): value for name, value in headers.items()}
        authorization = lowered.get("authorization", "")
        if not authorization.startswith(ALGORITHM):
            raise UnauthorizedError(f"Authorization header must use the {ALGORITHM} algorithm.")
        params = _parse_authorization(authorization)
        amz_date = self._amz_date(lowered)
        access_key_id = self._check_scope(params["Credential"], amz_date)
        credentials = self._credentials.get(access_key_id)
        if credentials is None:
            raise UnauthorizedError(INVALID_TOKEN)
        self._check_skew(amz_date, time.time() if now is None else now)
        self._check_session_token(credentials, lowered.get("x-amz-security-token"))
        signed_headers = [name.strip().lower() for name in params["SignedHeaders"].split(";") if name.strip()]
        if "host" not in signed_headers:
            raise UnauthorizedError(
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
            )
        if any(name not in lowered for name in signed_headers):
            raise UnauthorizedError(SIGNATURE_MISMATCH)
        content_sha = lowered.get("x-amz-content-sha256")
        if content_sha is not None and content_sha != hashlib.sha256(body).hexdigest():
            raise UnauthorizedError(SIGNATURE_MISMATCH)
        expected = self._signature(
            method, url, {n: lowered[n] for n in signed_headers}, body, amz_date, credentials
        )
        provided = params["Signature"].lower()
        if not _SIGNATURE_RE.match(provided) or not hmac.compare_digest(expected, provided):
            raise UnauthorizedError(SIGNATURE_MISMATCH)
        return {
            "accountId": credentials.account_id,
            "cognitoIdentityPoolId": None,
            "cognitoIdentityId": None,
            "sourceIp": source_ips,
            "username": credentials.user_id,
            "userArn": credentials.user_arn,
            "cognitoIdentityAuthType": None,
            "cognitoIdentityAuthProvider": None,
        }

    @staticmethod
    def _amz_date(headers: Mapping[str, str]) -> str:
        amz_date = headers.get("x-amz-date")
        if amz_date is None:
            raise UnauthorizedError(
                "Authorization header requires existence of either a 'X-Amz-Date' header."
            )
        if not _AMZ_DATE_RE.match(amz_date):
            raise UnauthorizedError(
                f"X-Amz-Date must be in ISO-8601 basic format (YYYYMMDD'T'HHMMSS'Z'), not {amz_date!r}."
            )
        return amz_date

    def _check_scope(self, credential: str, amz_date: str) -> str:
        """Validate ``AKID/date/region/service/aws4_request`` and return the access key id."""
        parts = credential.split("/")
        if len(parts) != 5 or not parts[0]:
            raise UnauthorizedError(
                "Credential should be of the form <access key>/<date>/<region>/<service>/aws4_request."
            )
        access_key_id, date, region, service, terminator = parts
        if terminator != "aws4_request":
            raise UnauthorizedError(
                f"Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
            )
        if date != amz_date[:8]:
            raise UnauthorizedError(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                f"'{date}' != '{amz_date[:8]}', from '{amz_date}'."
            )
        if region != self.region:
            raise UnauthorizedError(f"Credential should be scoped to a valid region, not '{region}'.")
        if service != self.service:
            raise UnauthorizedError(f"Credential should be scoped to correct service: '{self.service}'.")
        return access_key_id

    def _check_skew(self, amz_date: str, now: float) -> None:
        try:
            signed_at = datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=UTC).timestamp()
        except ValueError as exc:
            raise UnauthorizedError(f"X-Amz-Date {amz_date!r} is not a valid date.") from exc
        minutes = f"{self._max_skew // 60} min." if self._max_skew % 60 == 0 else f"{self._max_skew} s."
        if signed_at < now - self._max_skew:
            raise UnauthorizedError(
                f"Signature expired: {amz_date} is now earlier than {_amz_stamp(now - self._max_skew)} "
                f"({_amz_stamp(now)} - {minutes})"
            )
        if signed_at > now + self._max_skew:
            raise UnauthorizedError(
                f"Signature not yet current: {amz_date} is still later than {_amz_stamp(now + self._max_skew)} "
                f"({_amz_stamp(now)} + {minutes})"
            )

    @staticmethod
    def _check_session_token(credentials: IamCredentials, token: str | None) -> None:
        expected = credentials.session_token
        if expected is None and token is None:
            return
        # Temporary credentials need their token; long-term ones must not carry a foreign one.
        if expected is None or token is None or not hmac.compare_digest(expected.encode(), token.encode()):
            raise UnauthorizedError(INVALID_TOKEN)

    def _signature(
        self,
        method: str,
        url: str,
        signed: dict[str, str],
        body: bytes,
        amz_date: str,
        credentials: IamCredentials,
    ) -> str:
        computer = SignatureComputer(
            credentials.access_key_id,
            credentials.secret_access_key,
            credentials.session_token,
            self.service,
            self.region,
        )
        return computer.compute(ReceivedRequest(method, url, signed, amz_date, body=body)).signature
