"""Briefings: POST /v1/briefings makes one from a cluster of articles, stored under its content hash."""
