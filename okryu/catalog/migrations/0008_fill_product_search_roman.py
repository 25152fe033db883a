"""Fill the roman search column of the products that exist (a data migration, in batches)."""

from django.db import migrations

from okryu.catalog.korean import search_columns

BATCH_SIZE = 2000


def fill_search_roman(apps, schema_editor):
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
            product.search_roman = search_columns(
                name=product.name, name_en=product.name_en
            ).roman
        product_model.objects.bulk_update(batch, ["search_roman"])
        last_id = batch[-1].id


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0007_add_product_search_roman"),
    ]

    operations = [
        migrations.RunPython(fill_search_roman, migrations.RunPython.noop),
    ]
