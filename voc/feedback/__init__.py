"""Feedback items: ingestion, storage, embedding cache."""
