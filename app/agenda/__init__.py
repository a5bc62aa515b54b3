"""The agenda: what needs the user's attention now, in their own time zone."""
