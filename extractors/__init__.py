"""Document text extraction and metric extraction rules."""
