"""The scheduler process and its jobs: reminders, escalations, action follow-up, e-mail and digests."""
