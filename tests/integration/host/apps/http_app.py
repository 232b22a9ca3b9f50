"""A test app of HTTP functions, on a blueprint like the real app's handlers."""

from __future__ import annotations

import json
import threading

import azure.functions as func

from tests.integration.host.support import Calls


def build(calls: Calls) -> func.FunctionApp:
    bp = func.Blueprint()

    @bp.route(route="items/{id:guid}", methods=["GET", "POST"], auth_level=func.AuthLevel.ANONYMOUS)
    async def item(req: func.HttpRequest) -> func.HttpResponse:
        seen = {"method": req.method, "route": dict(req.route_params), "query": dict(req.params),
                "header": req.headers.get("x-test"), "body": req.get_body().decode(), "url": req.url}
        return func.HttpResponse(json.dumps(seen), status_code=201 if req.method == "POST" else 200,
                                 mimetype="application/json", headers={"X-Item": req.route_params["id"]})

    @bp.route(route="items/special", auth_level=func.AuthLevel.ANONYMOUS)
    def special(req: func.HttpRequest) -> str:
        return "special"

    @bp.route(route="items/{name}", auth_level=func.AuthLevel.ANONYMOUS)
    def named_item(req: func.HttpRequest) -> str:
        return "named " + req.route_params["name"]

    @bp.route(route="pages/{name?}", auth_level=func.AuthLevel.ANONYMOUS)
    def page(req: func.HttpRequest) -> str:
        return req.route_params.get("name", "index")

    @bp.route(route="keyed")
    async def keyed(req: func.HttpRequest) -> str:
        return "keyed ok"

    @bp.route(route="admin-only", auth_level=func.AuthLevel.ADMIN)
    async def admin_only(req: func.HttpRequest) -> str:
        return "admin ok"

    @bp.route(route="boom", auth_level=func.AuthLevel.ANONYMOUS)
    async def boom(req: func.HttpRequest) -> func.HttpResponse:
        raise RuntimeError("secret detail from the function")

    @bp.route(route="nothing", auth_level=func.AuthLevel.ANONYMOUS)
    async def nothing(req: func.HttpRequest) -> None:
        return None

    @bp.function_name("sync_hello")
    @bp.route(route="sync", auth_level=func.AuthLevel.ANONYMOUS)
    def sync(req: func.HttpRequest) -> func.HttpResponse:
        calls.add(thread=threading.current_thread().name, main=threading.current_thread() is threading.main_thread())
        return func.HttpResponse("sync ok")

    @bp.route(route="whoami", auth_level=func.AuthLevel.ANONYMOUS)
    async def whoami(req: func.HttpRequest, context: func.Context) -> str:
        return f"{context.function_name} {context.invocation_id}"

    @bp.route(route="enqueue", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
    @bp.queue_output(arg_name="msg", queue_name="%OUTPUT_QUEUE%", connection="AzureWebJobsStorage")
    async def enqueue(req: func.HttpRequest, msg: func.Out[str]) -> func.HttpResponse:
        msg.set(req.get_body().decode())
        return func.HttpResponse(status_code=202)

    app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
    app.register_functions(bp)
    return app
