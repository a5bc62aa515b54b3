"""Intake: read a pasted email or a job posting into drafts the client can post."""
