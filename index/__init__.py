"""Ingestion and indexing: read documents, clean them, chunk them, build the search index."""
