"""Errors of the Exchange admin API (`InvokeCommand`), in the shape Exchange Online sends.

A failed cmdlet answers (tests/events/exchange/adminapi-error-objectnotfound.json):

    {"error": {"code": "InternalServerError", "message": "Error executing cmdlet",
               "details": [{"code": "Client", "target": "", "message": "<code>|<exceptionType>|<text>"}],
               "innererror": {"message": ..., "type": "Microsoft.Exchange.Admin.OData.Core.ODataServiceException"}}}

Exchange answers a cmdlet that ran and failed (object not found included) with HTTP 500,
so a client must read `exceptionType`, not the status, to tell a transient failure from a
permanent one. Parameter binding happens before the cmdlet runs; those errors are 400.
"""

from __future__ import annotations

import json

from aiohttp import web

ODATA_EXCEPTION = "Microsoft.Exchange.Admin.OData.Core.ODataServiceException"
NOT_FOUND_TYPE = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
# No public capture shows the text of the unblock-limit error; this text and type are
# plausible stand-ins, kept stable so a client can classify the error by its type.
UNBLOCK_LIMIT_TYPE = "Microsoft.Exchange.Management.Hygiene.BlockedSenderUnblockLimitExceededException"
PARAMETER_BINDING_TYPE = "System.Management.Automation.ParameterBindingException"
COMMAND_NOT_FOUND_TYPE = "System.Management.Automation.CommandNotFoundException"
# The server name Exchange puts into its not-found text; any backend name will do.
SERVER = "AM0PR06MB6471.eurprd06.prod.outlook.com"


class ExchangeError(Exception):
    """A cmdlet error; `status` is the HTTP status Exchange answers it with."""

    def __init__(self, exception_type: str, text: str, *, status: int = 500, code: str = "Ex6F9304") -> None:
        super().__init__(text)
        self.exception_type = exception_type
        self.text = text
        self.status = status
        self.code = code

    def response(self) -> web.Response:
        outer = ("InternalServerError", "Error executing cmdlet") if self.status >= 500 else \
            ("BadRequest", "Error in cmdlet parameters")
        body = {"error": {
            "code": outer[0], "message": outer[1],
            "details": [{"code": "Client", "target": "", "message": f"{self.code}|{self.exception_type}|{self.text}"}],
            "innererror": {"message": outer[1], "type": ODATA_EXCEPTION, "stacktrace": ""},
        }}
        return json_response(body, status=self.status)


def not_found(identity: str) -> ExchangeError:
    return ExchangeError(NOT_FOUND_TYPE, f"The operation couldn't be performed because object '{identity}' "
                                         f"couldn't be found on '{SERVER}'.")


def unblock_limit(sender: str) -> ExchangeError:
    return ExchangeError(
        UNBLOCK_LIMIT_TYPE,
        f"The sender '{sender}' can't be unblocked because the unblock limit for this sender has been reached. "
        "Contact Microsoft Support to remove the sender from the Restricted entities list.",
        code="ExB10F36")


def unknown_parameter(cmdlet: str, name: str) -> ExchangeError:
    # PowerShell's own text for a parameter the cmdlet does not declare.
    return ExchangeError(PARAMETER_BINDING_TYPE, f"A parameter cannot be found that matches parameter name '{name}'.",
                         status=400, code="NamedParameterNotFound," + cmdlet)


def missing_parameter(cmdlet: str, name: str) -> ExchangeError:
    return ExchangeError(PARAMETER_BINDING_TYPE,
                         f"Cannot process command because of one or more missing mandatory parameters: {name}.",
                         status=400, code="MissingMandatoryParameter," + cmdlet)


def invalid_argument(cmdlet: str, name: str, value, reason: str) -> ExchangeError:
    return ExchangeError(PARAMETER_BINDING_TYPE,
                         f"Cannot process argument transformation on parameter '{name}'. '{value}' {reason}.",
                         status=400, code="ParameterArgumentTransformationError," + cmdlet)


def unknown_cmdlet(name: str) -> ExchangeError:
    # PowerShell's text for a command the session does not have (also what Exchange says
    # when the app's role does not grant the cmdlet).
    return ExchangeError(COMMAND_NOT_FOUND_TYPE,
                         f"The term '{name}' is not recognized as the name of a cmdlet, function, script file, "
                         "or operable program. Check the spelling of the name, or if a path was included, "
                         "verify that the path is correct and try again.", status=400, code="CommandNotFoundException")


def bad_request(message: str) -> web.Response:
    """A request Exchange cannot read at all (malformed JSON, no CmdletInput)."""
    return json_response({"error": {"code": "BadRequest", "message": message}}, status=400)


def json_response(body, *, status: int = 200, content_type: str = "application/json; charset=utf-8") -> web.Response:
    return web.Response(text=json.dumps(body), status=status, headers={"Content-Type": content_type})
