"""Situation reports: what a task force tells the steering group on its cadence."""
