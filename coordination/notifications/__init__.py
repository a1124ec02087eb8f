"""In-app notifications, e-mail through SMTP by each person's preference, and personal feeds."""
