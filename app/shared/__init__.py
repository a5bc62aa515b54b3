"""What every resource uses: records, pagination, sync, ETags, idempotency."""
