"""Cross-cutting request rules: request size, mandatory two-factor set-up, refusal log, security
headers."""

import json
import os
import secrets
import tempfile
import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template import loader
from django.urls import reverse
from django.utils import timezone

from atc.permissions import access_log, is_national

# Session key holding when the session's expiry was last pushed forward (seconds since epoch).
TOUCH_KEY = "_atc_touched"


class RequireMFAMiddleware:
    """When ATC_REQUIRE_MFA is on, national-team and administrator accounts must set up TOTP
    before they reach any page other than the account pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.ATC_REQUIRE_MFA and self._must_enrol(request):
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _must_enrol(request) -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        if request.path.startswith(("/comptes/", settings.STATIC_URL, "/sante/")):
            return False
        if not (user.is_staff or is_national(user)):
            return False
        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RefusalLogMiddleware:
    """Logs every 403 and 404 answered to a signed-in person that no access rule logged already
    (a PermissionDenied or Http404 raised anywhere, a CSRF failure, an unknown URL).

    One JSON line with ids and the path only: never an email or a name."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404) and not getattr(request, "_atc_refusal_logged", False):
            match = getattr(request, "resolver_match", None)
            kwargs = match.kwargs if match else {}
            access_log.warning(
                json.dumps(
                    {
                        "event": "access_refused",
                        "reason": "forbidden" if response.status_code == 403 else "not_found",
                        "status": response.status_code,
                        "user_id": getattr(getattr(request, "user", None), "pk", None),
                        "method": request.method,
                        "path": request.path,
                        "object_id": kwargs.get("pk", kwargs.get("slug")),
                    },
                    sort_keys=True,
                    default=str,
                )
            )
        return response


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy with a per-request nonce; private pages are not cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(18)
        response = self.get_response(request)
        if request.path.startswith(reverse("admin:index")):
            # Django's admin (5.2) still uses inline styles and scripts.
            policy = (
                "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
                "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
            )
        elif request.path.startswith(reverse("showcase:programme")):
            # The public showcase: no script at all, nothing from elsewhere, pages nobody may frame.
            policy = (
                "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
                "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
            )
        else:
            # Swagger UI (the API's documentation, served from our static files) styles its
            # elements inline; its scripts stay ours ('self').
            styles = "'self' 'unsafe-inline'" if request.path == reverse("api:docs") else "'self'"
            policy = (
                f"default-src 'self'; script-src 'self' 'nonce-{request.csp_nonce}'; "
                f"style-src {styles}; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
                "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
            )
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response.headers["Cache-Control"] = "no-store, private"
        return response


class SessionTouchMiddleware:
    """Idle timeout without a database write on every request: a signed-in session's expiry is
    pushed forward at most once a minute (SESSION_TOUCH_SECONDS), which keeps the idle timeout
    to within that minute and spares the session UPDATE on nearly every page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated and session.session_key:
            now = int(time.time())
            if now - session.get(TOUCH_KEY, 0) >= settings.SESSION_TOUCH_SECONDS:
                session[TOUCH_KEY] = now
        return response


class RequestSizeLimitMiddleware:
    """Refuses a request body bigger than ATC_MAX_REQUEST_BYTES without reading it.

    A declared Content-Length above the limit is answered 413 at once, so a 300 MB POST costs
    nothing even before the CSRF check or the upload's own size check. A chunked body (no
    Content-Length) is read up to the limit into a spooled file and refused as soon as it passes
    it; under the limit, Django then reads it like any other body (without this, Django would see
    an empty body, since it trusts only Content-Length)."""

    READ_CHUNK = 64 * 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.ATC_MAX_REQUEST_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return self._too_large(request)
        if not declared and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            spooled = self._read_at_most(request.META["wsgi.input"], limit)
            if spooled is None:
                return self._too_large(request)
            size = spooled.seek(0, os.SEEK_END)
            spooled.seek(0)
            request.META["CONTENT_LENGTH"] = str(size)
            # WSGIRequest read its stream's length from CONTENT_LENGTH when it was built (0 here).
            request._stream = LimitedStream(spooled, size)
        return self.get_response(request)

    def _read_at_most(self, stream, limit):
        # Stays open while the request reads its body from it; memory past the upload threshold
        # goes to a temporary file, removed when the request object is gone.
        spooled = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
        total = 0
        while chunk := stream.read(self.READ_CHUNK):
            total += len(chunk)
            if total > limit:
                spooled.close()
                return None
            spooled.write(chunk)
        return spooled

    @staticmethod
    def _too_large(request):
        megabyte = 1024 * 1024
        content = loader.render_to_string(
            "413.html",
            {
                "megabytes": settings.ATC_MAX_REQUEST_BYTES // megabyte,
                "file_megabytes": settings.ATC_MAX_UPLOAD_BYTES // megabyte,
            },
        )
        # The unread body stays on the connection: it must not be taken for the next request.
        return HttpResponse(content, status=413, headers={"Connection": "close"})


class TimeZoneResetMiddleware:
    """Every request starts in the platform's zone (`TIME_ZONE`, Paris) and ends back in it: a site's
    pages switch to the site's own zone (`sites.access.get_site_for_user`), and a worker thread must
    not carry that switch into the next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
