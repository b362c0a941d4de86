"""Collecting papers from configured sources: local folders, URLs, ModernGov sites and RSS feeds."""
