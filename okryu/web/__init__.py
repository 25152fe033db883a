"""Server-rendered pages for shoppers, merchants, couriers and tellers; CSS and the few scripts.

May import every app below it, through services and queries.
"""
