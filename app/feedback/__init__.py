"""Feedback domain."""
