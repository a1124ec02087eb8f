"""Exercise mode: scripted crises that task forces rehearse apart from real work."""
