"""Server-side guide endpoints (secret API key)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from guide.api.auth import workspace_from_api_key
from guide.api.parsing import Blueprint
from guide.schemas.health import HealthQuery, HealthReport
from guide.services.health import missing_targets

blp = Blueprint("guides", __name__, url_prefix="/api/v1/guides",
                description="Guides and their health (server-side; secret API key).")


@blp.route("/health")
class Health(MethodView):
    @blp.arguments(HealthQuery, location="query")
    @blp.response(200, HealthReport)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Tour steps whose target was missing on users' pages, most frequent first."""
        workspace = workspace_from_api_key()
        return {"missing_targets": missing_targets(workspace, query["days"])}
