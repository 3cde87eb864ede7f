"""Measuring briefings against human summaries: `newsbrief eval` and its metrics."""
