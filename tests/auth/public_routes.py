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

# Readable before sign-in, but a token that is sent must be valid (401 otherwise).
TOKEN_OPTIONAL_API = {
    ("GET", "/v1/guidance/reasons"),
    ("GET", "/v1/guidance/categories"),
    ("GET", "/v1/guidance/reflection-prompts"),
    ("GET", "/v1/guidance/feedback-questions"),
    ("GET", "/v1/guidance/next-steps"),
}

# The API documentation pages (and `/`, which redirects to them), not part of the OpenAPI
# document.
DOCS_PAGES = {
    ("GET", "/"),
    ("HEAD", "/"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
}

PUBLIC = PUBLIC_API | TOKEN_OPTIONAL_API | DOCS_PAGES
