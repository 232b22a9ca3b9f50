"""A test app of HTTP functions, on a blueprint like the real app's handlers."""

from __future__ import annotations

import json

import azure.functions as func


def build() -> func.FunctionApp:
    bp = func.Blueprint()

    @bp.route(route="items/{id}", methods=["GET", "POST"], auth_level=func.AuthLevel.ANONYMOUS)
    async def item(req: func.HttpRequest) -> func.HttpResponse:
        seen = {"method": req.method, "route": dict(req.route_params), "query": dict(req.params),
                "header": req.headers.get("x-test"), "body": req.get_body().decode(), "url": req.url}
        return func.HttpResponse(json.dumps(seen), status_code=201 if req.method == "POST" else 200,
                                 mimetype="application/json", headers={"X-Item": req.route_params["id"]})

    @bp.route(route="items/special", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
    async def special(req: func.HttpRequest) -> str:
        return "special"

    @bp.route(route="items/{name}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
    async def delete_item(req: func.HttpRequest) -> str:
        return "deleted " + req.route_params["name"]

    @bp.route(route="keyed", methods=["GET"])
    async def keyed(req: func.HttpRequest) -> str:
        return "keyed ok"

    @bp.route(route="boom", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
    async def boom(req: func.HttpRequest) -> func.HttpResponse:
        raise RuntimeError("secret detail from the function")

    @bp.route(route="nothing", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
    async def nothing(req: func.HttpRequest) -> None:
        return None

    app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
    app.register_functions(bp)
    return app
