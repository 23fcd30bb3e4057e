"""imaging layer of the Inspector core."""
