"""The ceiling: a minimal FastAPI endpoint that verifies the same JWT as the API (with
app/core/security.py) and answers with a page of the same size and shape as a real list page
(`BENCH_CEILING_PAGE`, a JSON file the harness saved from GET /v1/applications?limit=50),
serialised on every request as the API serialises its pages (orjson), without a database.
"""

import os
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, HTTPException, Response
from fastapi.security import OAuth2PasswordBearer

from app.core.config import get_settings
from app.core.security import InvalidToken, decode_access_token

settings = get_settings()
oauth2 = OAuth2PasswordBearer(tokenUrl="/token")
PAGE: dict[str, Any] = orjson.loads(Path(os.environ["BENCH_CEILING_PAGE"]).read_bytes())
app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/raw")
async def raw(token: Annotated[str, Depends(oauth2)]) -> Response:
    try:
        decode_access_token(settings, token)
    except InvalidToken:
        raise HTTPException(401) from None
    return Response(orjson.dumps(PAGE), media_type="application/json")
