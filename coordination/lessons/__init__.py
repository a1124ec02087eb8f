"""The joint lessons-learned log: observations walked through a NATO-style lifecycle by the steering group."""
