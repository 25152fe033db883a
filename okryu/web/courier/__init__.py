"""The courier's pages: duty and district, my jobs in route order, and one job's moves
(picked up, delivered against the shopper's code, nobody home). Phone-sized, no script, no
images: every move is a small form that posts, acts once and redirects."""
