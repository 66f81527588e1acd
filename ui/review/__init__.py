"""The office's review queue: cases awaiting acceptance, approve or return with a reason."""
