"""workshop views: registered on the events blueprint."""

from __future__ import annotations

from pb.events.views import bp  # noqa: F401
