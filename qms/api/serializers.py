from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import CodeField
from core.models import Item, Unit
from qms.models import Characteristic, InspectionPlan
from qms.spc import CHARTS
from qms.spc.rules import ALL_RULES


class CharacteristicSerializer(serializers.ModelSerializer):
    item = CodeField(queryset=Item.objects.all())
    unit = CodeField(queryset=Unit.objects.all(), required=False, allow_null=True)
    defect_types = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=100)
    nelson_rules = serializers.ListField(
        child=serializers.IntegerField(min_value=min(ALL_RULES), max_value=max(ALL_RULES)),
        required=False,
        min_length=1,
        max_length=8,
    )

    class Meta:
        model = Characteristic
        fields = [
            "id",
            "item",
            "stage",
            "code",
            "name",
            "kind",
            "nominal",
            "lsl",
            "usl",
            "unit",
            "gauge",
            "tag",
            "defect_types",
            "chart",
            "subgroup_size",
            "nelson_rules",
            "active",
            "hold_on_violation",
        ]
        validators = []  # the unique (item, stage, code) is checked by the model's full_clean


class InspectionPlanSerializer(serializers.ModelSerializer):
    item = CodeField(queryset=Item.objects.all())
    characteristics = serializers.PrimaryKeyRelatedField(
        queryset=Characteristic.objects.all(), many=True, required=False
    )

    class Meta:
        model = InspectionPlan
        fields = [
            "id",
            "code",
            "name",
            "item",
            "stage",
            "characteristics",
            "sampling",
            "sample_size",
            "aql",
            "inspection_level",
            "every_units",
            "every_minutes",
            "active",
        ]

    def validate(self, attrs):
        item = attrs.get("item") or getattr(self.instance, "item", None)
        stage = attrs.get("stage") or getattr(self.instance, "stage", None)
        for characteristic in attrs.get("characteristics", []):
            if characteristic.item_id != getattr(item, "pk", None) or characteristic.stage != stage:
                raise serializers.ValidationError(
                    {
                        "characteristics": [
                            _("Characteristic %(id)s is not one of this item and stage.") % {"id": characteristic.pk}
                        ]
                    }
                )
        return attrs


class LotSampleQuerySerializer(serializers.Serializer):
    lot_size = serializers.IntegerField(min_value=1, max_value=10**9)


class LotSampleSerializer(serializers.Serializer):
    code_letter = serializers.CharField()
    sample_size = serializers.IntegerField()
    accept = serializers.IntegerField()
    reject = serializers.IntegerField()
    full_inspection = serializers.BooleanField()


class SpcAnalyzeSerializer(serializers.Serializer):
    """The options of `spc_analyze` and the CSV's rows as objects."""

    chart = serializers.ChoiceField(choices=CHARTS)
    subgroup_size = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    phase1 = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    lsl = serializers.FloatField(required=False, allow_null=True)
    usl = serializers.FloatField(required=False, allow_null=True)
    rules = serializers.ListField(
        child=serializers.IntegerField(min_value=min(ALL_RULES), max_value=max(ALL_RULES)),
        required=False,
        allow_null=True,
        min_length=1,
    )
    data = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=2_000_000,
        help_text=_("One object per CSV row: {subgroup, value} for X̄-R, X̄-S and I-MR; {subgroup, count, size} for p, np, c and u."),
    )  # fmt: skip
