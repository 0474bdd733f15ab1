"""JSON API of the audit log, mounted at /api/v1/audit: its published head.

Any signed-in member may read the head and keep it outside the server; a later
``manage.py verify_audit --expect SEQ:HASH`` then detects a rewritten log."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from asamblea.core import audit

router = Router(tags=["audit"])


class AuditHeadOut(Schema):
    seq: int = Field(..., ge=0, description="number of entries in the log")
    hash: str = Field(
        ..., min_length=64, max_length=64, description="hash of entry `seq` (hex SHA-256)"
    )
    at: datetime | None = Field(..., description="when entry `seq` was appended")
    token: str = Field(..., description="`SEQ:HASH`, as `verify_audit --expect` reads it")


@router.get("/head", response=AuditHeadOut)
def audit_head(request: HttpRequest) -> AuditHeadOut:
    head = audit.current_head()
    return AuditHeadOut(seq=head.seq, hash=head.hash, at=head.at, token=head.token)
