"""Guidance domain."""
