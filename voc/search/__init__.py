"""Semantic search over feedback: a usearch ANN index kept in step with the embedding cache."""
