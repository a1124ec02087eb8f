"""Photos and documents on reports: checked by content, kept outside the web root, served by need-to-know."""
