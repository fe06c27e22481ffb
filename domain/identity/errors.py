"""OAuth 2 error codes (RFC 6749 section 5.2, RFC 6750 section 3.1) as domain errors."""

from __future__ import annotations

from domain.shared.errors import DomainError


class OAuthError(DomainError):
    """An error the token endpoint reports with an RFC 6749 `error` code."""

    error = "invalid_request"
    status = 400
    title = "Invalid token request"
    code = "invalid_request"


class InvalidRequest(OAuthError):
    pass


class InvalidClient(OAuthError):
    error = "invalid_client"
    code = "invalid_client"
    status = 401
    title = "Client authentication failed"


class UnauthorizedClient(OAuthError):
    error = "unauthorized_client"
    code = "unauthorized_client"
    title = "Grant not allowed for this client"


class UnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"
    code = "unsupported_grant_type"
    title = "Unsupported grant type"


class InvalidScope(OAuthError):
    error = "invalid_scope"
    code = "invalid_scope"
    title = "Invalid scope"


class InvalidGrant(OAuthError):
    """A code, refresh token or PKCE verifier that is wrong, used, expired or not this
    client's (RFC 6749 section 5.2)."""

    error = "invalid_grant"
    code = "invalid_grant"
    title = "Invalid grant"


class LoginFailed(DomainError):
    """One answer for an unknown email, a wrong password, a disabled or a locked account, so
    the sign-in page never says which (no user enumeration)."""

    code = "login_failed"
    title = "Sign-in failed"


class InvalidToken(DomainError):
    """A bearer token that is missing its parts, badly signed, expired or not ours."""

    code = "invalid_token"
    title = "Invalid token"
