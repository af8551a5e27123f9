"""Headers, cookies and admin login limits, scored the way Mozilla's HTTP Observatory does."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article

pytestmark = pytest.mark.django_db

# Observatory's published modifiers for the tests that headers decide (its scoring table).
CSP_NONE_DEFAULT, CSP_SAFE, CSP_UNSAFE_INLINE, CSP_MISSING = 10, 5, -20, -25
COOKIES_BEST, COOKIES_NONE, COOKIES_SESSION_NOT_HTTPONLY, COOKIES_NOT_SECURE = 5, 0, -10, -20
REFERRER_PRIVATE, REFERRER_MISSING = 5, 0
HSTS_SIX_MONTHS, HSTS_SHORT, HSTS_MISSING = 0, -10, -20
NOSNIFF, NOSNIFF_MISSING = 0, -5
XFO_VIA_CSP, XFO_HEADER, XFO_MISSING = 5, 0, -20
REDIRECT_TO_HTTPS, REDIRECT_MISSING = 0, -20
PRIVATE_REFERRERS = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}


def parse_csp(header):
    policy = {}
    for directive in filter(None, (part.strip() for part in header.split(";"))):
        name, *values = directive.split()
        policy[name.lower()] = values
    return policy


def observatory_score(response, redirects_to_https):
    """Return (score, reasons) from the response's headers and cookies."""
    score, reasons = 100, {}
    csp = parse_csp(response.get("Content-Security-Policy", ""))
    if not csp:
        reasons["csp"] = CSP_MISSING
    else:
        script_like = csp.get("script-src", csp.get("default-src", []))
        style_like = csp.get("style-src", csp.get("default-src", []))
        unsafe = any("'unsafe-inline'" in v or "'unsafe-eval'" in v for v in csp.values())
        if unsafe and "'unsafe-inline'" in script_like:
            reasons["csp"] = CSP_UNSAFE_INLINE
        elif unsafe:
            reasons["csp"] = 0 if "'unsafe-inline'" in style_like else CSP_UNSAFE_INLINE
        elif csp.get("default-src") == ["'none'"]:
            reasons["csp"] = CSP_NONE_DEFAULT
        else:
            reasons["csp"] = CSP_SAFE
    cookies = list(response.cookies.values())
    if not cookies:
        reasons["cookies"] = COOKIES_NONE
    elif not all(c["secure"] for c in cookies):
        reasons["cookies"] = COOKIES_NOT_SECURE
    elif any("session" in c.key.lower() and not c["httponly"] for c in cookies):
        reasons["cookies"] = COOKIES_SESSION_NOT_HTTPONLY
    elif all(c["samesite"] for c in cookies):
        reasons["cookies"] = COOKIES_BEST
    else:
        reasons["cookies"] = 0
    referrer = response.get("Referrer-Policy", "").split(",")[-1].strip().lower()
    reasons["referrer"] = REFERRER_PRIVATE if referrer in PRIVATE_REFERRERS else REFERRER_MISSING
    hsts = response.get("Strict-Transport-Security", "")
    max_age = next(
        (int(p.split("=")[1]) for p in hsts.split(";") if p.strip().startswith("max-age")), None
    )
    if max_age is None:
        reasons["hsts"] = HSTS_MISSING
    else:
        reasons["hsts"] = HSTS_SIX_MONTHS if max_age >= 15768000 else HSTS_SHORT
    nosniff = response.get("X-Content-Type-Options", "").lower() == "nosniff"
    reasons["nosniff"] = NOSNIFF if nosniff else NOSNIFF_MISSING
    if "frame-ancestors" in csp:
        reasons["xfo"] = XFO_VIA_CSP
    elif response.get("X-Frame-Options", "").upper() in {"DENY", "SAMEORIGIN"}:
        reasons["xfo"] = XFO_HEADER
    else:
        reasons["xfo"] = XFO_MISSING
    reasons["redirect"] = REDIRECT_TO_HTTPS if redirects_to_https else REDIRECT_MISSING
    penalties = sum(v for v in reasons.values() if v < 0)
    bonuses = sum(v for v in reasons.values() if v > 0)
    score += penalties
    # Observatory grants bonus points only to sites already at 90 or more.
    if score >= 90:
        score += bonuses
    return score, reasons


@pytest.fixture
def production(settings):
    settings.SECURE_SSL_REDIRECT = True
    return settings


@pytest.fixture
def live_article():
    return Article.objects.create(
        headline="A ledger for model releases",
        slug="a-ledger-for-model-releases",
        dek="Labs agree on a shared format for release notes.",
        summary="Release notes get a common shape.",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=2),
    )


def redirects_to_https(client, path):
    response = client.get(path)
    return response.status_code in (301, 302) and response["Location"].startswith("https://")


def test_article_page_scores_a_plus(client, production, live_article):
    path = live_article.get_absolute_url()
    response = client.get(path, secure=True)
    assert response.status_code == 200
    score, reasons = observatory_score(response, redirects_to_https(client, path))
    assert score >= 100, reasons
    assert reasons["csp"] == CSP_NONE_DEFAULT


def test_admin_login_page_scores_a_plus(client, production, settings):
    path = "/" + settings.ADMIN_URL + "login/"
    response = client.get(path, secure=True)
    assert response.status_code == 200
    score, reasons = observatory_score(response, redirects_to_https(client, path))
    assert score >= 100, reasons
    assert "'nonce-" in response["Content-Security-Policy"]


def test_public_csp_is_strict_and_needs_no_nonce(client, live_article):
    csp = parse_csp(client.get(live_article.get_absolute_url())["Content-Security-Policy"])
    assert csp["default-src"] == ["'none'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "script-src" not in csp


def test_hsts_is_a_year_with_subdomains(client, production):
    hsts = client.get("/", secure=True)["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts


def test_admin_cookies_use_host_prefix_secure_httponly_lax(client, settings):
    get_user_model().objects.create_user("desk", password="correct-horse-battery", is_staff=True)
    login = "/" + settings.ADMIN_URL + "login/"
    client.get(login, secure=True)
    response = client.post(
        login,
        {"username": "desk", "password": "correct-horse-battery", "next": "/" + settings.ADMIN_URL},
        secure=True,
        REMOTE_ADDR="10.1.1.1",
    )
    assert response.status_code == 302
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    assert session["path"] == "/" and not session["domain"]
    csrf = response.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"


def test_admin_login_locks_after_five_failures_for_that_address_only(client, settings):
    from axes.models import AccessAttempt

    get_user_model().objects.create_user("editor1", password="correct-horse-battery", is_staff=True)
    login = "/" + settings.ADMIN_URL + "login/"
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(5):
        response = client.post(login, {"username": "editor1", "password": "wrong"}, **attacker)
        assert response.status_code in (200, 429)
    locked = client.post(
        login, {"username": "editor1", "password": "correct-horse-battery"}, **attacker
    )
    assert locked.status_code == 429
    assert b"Too many failed logins" in locked.content
    assert AccessAttempt.objects.filter(username="editor1", ip_address="203.0.113.9").exists()

    elsewhere = client.post(
        login,
        {"username": "editor1", "password": "correct-horse-battery"},
        REMOTE_ADDR="198.51.100.7",
    )
    assert elsewhere.status_code == 302
