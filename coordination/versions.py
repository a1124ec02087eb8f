"""Versions of edited texts, derived from what is stored (no version column): a short hash of a row's id
and the fields an edit writes. Two editors who read the same version and both save: the second save
finds another version and is refused, never silently overwrites the first (see rules.StaleVersion)."""

import hashlib
import json


def version_of(*parts) -> str:
    """16 hex digits of SHA-256 over the parts (JSON; dates, decimals and the like as strings)."""
    encoded = json.dumps(parts, default=str, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()[:16]
