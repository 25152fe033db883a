"""The logistics office's page: jobs waiting and locked, couriers and their routes, and the
office's moves (run a dispatch round, assign or unassign a job by hand, unlock a job)."""
