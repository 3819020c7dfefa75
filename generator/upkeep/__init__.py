"""Upkeep of stored signatures: export for delivery, forget on request, reconcile counts."""
