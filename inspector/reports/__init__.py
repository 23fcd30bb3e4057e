"""reports layer of the Inspector core."""
