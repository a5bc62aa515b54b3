"""The only routes a client may call without a token; every other route answers 401."""

PUBLIC_API = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("POST", "/v1/auth/register"),
    ("POST", "/v1/auth/token"),
    ("POST", "/v1/auth/refresh"),
    ("POST", "/v1/auth/logout"),
    ("POST", "/v1/auth/password-reset"),
    ("POST", "/v1/auth/password-reset/confirm"),
}

# The API documentation pages, which are not part of the OpenAPI document.
DOCS_PAGES = {
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
}

PUBLIC = PUBLIC_API | DOCS_PAGES
