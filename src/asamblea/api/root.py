"""The JSON API root, mounted at /api/v1/ (OpenAPI schema at /api/v1/openapi.json).

Each domain app owns a router in its own ``api.py``; handlers stay thin and
call the app's services and selectors. Every operation of the schema documents
the API's error body (``ErrorOut``, whose ``code`` is the ``ErrorCode`` enum)
for each failure status in ``errors.ERROR_STATUSES``.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Swagger
from ninja.openapi.schema import OpenAPISchema

from asamblea.accounts.api import router as accounts_router
from asamblea.api import errors
from asamblea.api.auth import AUTH
from asamblea.core.api import router as audit_router
from asamblea.federation.api import router as federation_router
from asamblea.federation.invitations_api import router as invitations_router
from asamblea.incidents.api import router as incidents_router
from asamblea.motions.api import router as motions_router
from asamblea.pledges.api import router as pledges_router
from asamblea.trustees.api import router as trustees_router
from asamblea.voting.api import router as voting_router
from asamblea.voting.encrypted.api import keys_router as voting_keys_router
from asamblea.voting.encrypted.api import router as encrypted_router
from asamblea.voting.encrypted.api import trustee_router as tally_trustee_router
from asamblea.web.api import router as me_router

_REF = "#/components/schemas/{model}"
_METHODS = ("get", "put", "post", "delete", "patch")


def _string_keys(responses: dict[Any, Any]) -> dict[str, Any]:
    """Responses keyed by status strings. ninja keys its own by int and an
    ``openapi_extra`` may use either: two keys for one status would be a
    duplicate key in the JSON (which YAML readers such as Swagger UI refuse)."""
    merged: dict[str, Any] = {}
    for status, response in responses.items():
        merged[str(status)] = {**merged.get(str(status), {}), **response}
    return merged


class AsambleaAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error_schema = errors.ErrorOut.model_json_schema(ref_template=_REF)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(error_schema.pop("$defs", {}))
        components["ErrorOut"] = error_schema
        error_content = {"application/json": {"schema": {"$ref": _REF.format(model="ErrorOut")}}}
        for path_item in schema.get("paths", {}).values():
            for method in _METHODS:
                operation = path_item.get(method)
                if operation is None:
                    continue
                responses = _string_keys(operation.setdefault("responses", {}))
                operation["responses"] = responses
                for status, description in errors.ERROR_STATUSES.items():
                    if status == 401 and not operation.get("security"):
                        continue
                    responses.setdefault(
                        str(status), {"description": description, "content": error_content}
                    )
        return schema


api = AsambleaAPI(
    title="asamblea API",
    version="1",
    urls_namespace="api",
    auth=AUTH,
    # Swagger UI is served from this host ("ninja" is an installed app). Without
    # validatorUrl set to null it would show a badge fetched from
    # validator.swagger.io, and so reach another server on every visit.
    docs=Swagger(settings={"validatorUrl": None}),
)
errors.install(api)
api.add_router("/accounts", accounts_router)
api.add_router("/accounts", invitations_router)
api.add_router("/nodes", federation_router)
api.add_router("/motions", motions_router)
api.add_router("/polls", voting_router)
api.add_router("/polls", encrypted_router)
api.add_router("/voting-keys", voting_keys_router)
api.add_router("/incidents", incidents_router)
api.add_router("/calls", pledges_router)
api.add_router("/trustees", trustees_router)
api.add_router("/trustees", tally_trustee_router)
api.add_router("/audit", audit_router)
api.add_router("/me", me_router)
