import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("wms", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="counttask",
            name="recount_of",
            field=models.ForeignKey(
                blank=True,
                help_text="The rejected count this task repeats.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="recounts",
                to="wms.counttask",
                verbose_name="recount of",
            ),
        ),
        migrations.AddField(
            model_name="historicalcounttask",
            name="recount_of",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The rejected count this task repeats.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="wms.counttask",
                verbose_name="recount of",
            ),
        ),
    ]
