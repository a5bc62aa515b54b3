"""Routes are matched with the record endpoints first and documented in another order: that
is safe only while no request can match two routes."""

import re

from starlette.routing import Match, Route

from app.main import ROUTERS


def test_no_request_matches_two_routes(app):
    routes = [r for r in app.router.routes if isinstance(r, Route) and r.methods]
    assert len(routes) > 50
    for route in routes:
        path = re.sub(r"{[^}]+}", "00000000-0000-4000-8000-000000000000", route.path)
        for method in route.methods or ():
            scope = {"type": "http", "path": path, "method": method, "root_path": ""}
            full = [other for other in routes if other.matches(scope)[0] == Match.FULL]
            assert full == [route], (method, path, [other.path for other in full])


def test_the_document_lists_paths_in_the_routers_order_not_the_match_order(app):
    documented = list(app.openapi()["paths"])
    expected = list(dict.fromkeys(
        route.path for router in ROUTERS for route in router.routes
        if getattr(route, "include_in_schema", False)
    ))  # fmt: skip
    assert documented == expected
