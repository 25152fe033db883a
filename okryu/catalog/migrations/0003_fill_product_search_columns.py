"""Fill the derived search columns of the products that exist (a data migration, in batches)."""

from django.db import migrations

from okryu.catalog.korean import search_columns

BATCH_SIZE = 2000


def fill_search_columns(apps, schema_editor):
    product_model = apps.get_model("catalog", "Product")
    last_id = 0
    while True:
        batch = list(
            product_model.objects.filter(id__gt=last_id)
            .order_by("id")
            .only("id", "name", "name_en")[:BATCH_SIZE]
        )
        if not batch:
            return
        for product in batch:
            columns = search_columns(name=product.name, name_en=product.name_en)
            product.search_text = columns.text
            product.search_initials = columns.initials
        product_model.objects.bulk_update(batch, ["search_text", "search_initials"])
        last_id = batch[-1].id


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0002_add_product_search_columns"),
    ]

    operations = [
        migrations.RunPython(fill_search_columns, migrations.RunPython.noop),
    ]
