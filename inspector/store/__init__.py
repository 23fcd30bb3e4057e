"""store layer of the Inspector core."""
