"""A simulated day of delivery, in memory: orders, kitchens, couriers and dispatch rounds.

Pure (no ORM, no settings, no clock): ``city_map`` (districts and merchants), ``demand``
(the day's orders and its couriers), ``day`` (the dispatch rounds and the trips) and
``figures`` (percentiles, utilisation, vehicle split, dispatch time). ``chart`` draws delivery
time by hour of the day with Pillow; ``loading`` reads the real districts, merchants and
products from the database. ``manage.py simulate_day`` and
``bench/dispatch_bench.py`` put them together.
"""
