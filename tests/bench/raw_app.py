"""The yardstick: a bare FastAPI endpoint that only verifies a JWT and returns JSON."""

from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer

from app.auth.jwt import InvalidToken, decode_access_token
from app.core.config import get_settings

settings = get_settings()
oauth2 = OAuth2PasswordBearer(tokenUrl="/token")
app = FastAPI()


@app.get("/raw")
async def raw(token: Annotated[str, Depends(oauth2)]) -> dict[str, str]:
    try:
        claims = decode_access_token(settings, token)
    except InvalidToken:
        raise HTTPException(401) from None
    return {"user_id": str(claims.user_id), "status": "ok"}
