"""services layer of the Inspector core."""
