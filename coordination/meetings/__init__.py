"""Meetings of any body: scheduling and recurrence, drafted agendas, minutes, attendance, invitations."""
