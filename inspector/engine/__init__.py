"""engine layer of the Inspector core."""
