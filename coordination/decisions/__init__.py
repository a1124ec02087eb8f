"""Downstream: decisions, acknowledgements per addressee unit, actions and their progress."""
