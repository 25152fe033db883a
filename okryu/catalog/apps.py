from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "okryu.catalog"
    label = "catalog"
    verbose_name = "Catalog"
