"""Sign-in for people (sessions) and programs (bearer tokens)."""
