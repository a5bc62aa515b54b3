"""Insights: patterns in one user's job search, computed in the database."""
