"""`/docs` (Swagger UI) and `/redoc` (ReDoc) from files installed with the API, never from a CDN.

The JavaScript and CSS come from the `fastapi-offline` package (its `static/` folder: Swagger UI and
ReDoc bundles), served under `/docs/static`, so the API documentation renders on a machine with no
network. These are ordinary API routes, so the metrics name them like any other route.
"""

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["ASSETS_DIR", "ASSETS_PATH", "assets", "router"]

ASSETS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_PATH = "/docs/static"
_OPENAPI = "/openapi.json"

router = APIRouter(tags=["docs"], include_in_schema=False)


def assets() -> StaticFiles:
    """The app mounts this at ASSETS_PATH."""
    return StaticFiles(directory=ASSETS_DIR)


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=_OPENAPI,
        title="newswire API",
        swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
    )


# ReDoc's footer shows its maker's logo from a CDN; offline that is a broken image, so it is hidden.
_REDOC_STYLE = '<style>img[alt="redocly logo"] { display: none; }</style>'


@router.get("/redoc")
async def redoc() -> HTMLResponse:
    page = get_redoc_html(
        openapi_url=_OPENAPI,
        title="newswire API",
        redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
        redoc_favicon_url=f"{ASSETS_PATH}/favicon.png",
        with_google_fonts=False,
    )
    return HTMLResponse(bytes(page.body).decode().replace("</head>", f"{_REDOC_STYLE}</head>", 1))
