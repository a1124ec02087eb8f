"""One full-text search over field reports, decisions, minutes, situation reports and lessons,
filtered by the same need-to-know queries as every other list."""
