"""Field reports from missions, platforms and intelligence: triage, early warning, need-to-know."""
