"""The insights app: demand signals and forecasts for producers and the operator."""

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """Reads the other apps' rows (orders, unmet demand, waitlists); changes none of them."""

    name = "okryu.insights"
    label = "insights"
    verbose_name = "Insights"
