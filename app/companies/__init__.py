"""Companies: the caller's employers, each with everything recorded about it."""
