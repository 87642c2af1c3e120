"""Background jobs: Dramatiq actors on a broker, or in-process for the embedded default."""
