"""Rebound: the API behind a companion app that helps job seekers bounce back from rejection."""
