"""Configuration, database, errors, logging and HTTP plumbing every domain uses."""
