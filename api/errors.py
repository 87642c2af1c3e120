"""Errors mapped once: JSON ``{"error": code, "detail": ...}`` under /api, pages elsewhere."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from voc.errors import (
    Conflict,
    InvalidInput,
    ModelUnavailable,
    NotAllowed,
    NotFound,
    VocError,
)

logger = logging.getLogger(__name__)

STATUS_OF: dict[type[VocError], int] = {
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    NotAllowed: 403,
    ModelUnavailable: 503,
}
CODE_OF_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_input",
}


class ErrorBody(BaseModel):
    """Every API error: a stable code and a human-readable detail."""

    error: str
    detail: str


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorBody, "description": HTTPStatus(status).phrase}
    for status in (401, 403, 404, 409, 422)
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _json(status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": code, "detail": detail}, status_code=status, headers=headers)


def _page(request: Request, status: int, detail: str) -> Response:
    from api.pages import render_error

    return render_error(request, status, detail)


def status_of(exc: VocError) -> int:
    """The HTTP status of a domain error."""
    return next((s for t, s in STATUS_OF.items() if isinstance(exc, t)), 400)


async def _voc_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, VocError)
    status = status_of(exc)
    if _is_api(request):
        return _json(status, exc.code, exc.detail)
    return _page(request, status, exc.detail)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = CODE_OF_STATUS.get(exc.status_code, "error")
    if _is_api(request) or not (400 <= exc.status_code < 600):
        return _json(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))
    return _page(request, exc.status_code, str(exc.detail))


def validation_message(exc: RequestValidationError) -> str:
    """Where and what: ``query.limit: Input should be less than or equal to 200``."""
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()))
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if _is_api(request):
        return _json(422, "invalid_input", validation_message(exc))
    return _page(request, 422, validation_message(exc))


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    if _is_api(request):
        return _json(500, "internal_error", "an unexpected error occurred; it has been logged")
    return _page(request, 500, "An unexpected error occurred; it has been logged.")


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(VocError, _voc_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
