"""The JSON API root, mounted at /api/v1/ (OpenAPI schema at /api/v1/openapi.json).

Each domain app owns a router in its own ``api.py``; handlers stay thin and
call the app's services and selectors.
"""

from __future__ import annotations

from ninja import NinjaAPI

from asamblea.accounts.api import router as accounts_router
from asamblea.api import errors
from asamblea.api.auth import AUTH
from asamblea.federation.api import router as federation_router
from asamblea.motions.api import router as motions_router
from asamblea.voting.api import router as voting_router

api = NinjaAPI(
    title="asamblea API",
    version="1",
    urls_namespace="api",
    auth=AUTH,
)
errors.install(api)
api.add_router("/accounts", accounts_router)
api.add_router("/nodes", federation_router)
api.add_router("/motions", motions_router)
api.add_router("/polls", voting_router)
