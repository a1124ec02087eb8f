"""The steering group's own work: priorities with their review cycle, and its dashboard."""
