"""Okryu, the national online marketplace: one package, one Django app per domain noun."""
