from rest_framework import serializers

from wms.models import StockPolicy


class StockPolicySerializer(serializers.ModelSerializer):
    """An item's planning figures at a site; `abc_class` is the site's class (its own, else the
    item's default), `own_abc_class` what the site set itself (blank: none)."""

    site = serializers.SlugRelatedField(slug_field="code", read_only=True)
    item = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.CharField(source="item.base_unit.code", read_only=True)
    abc_class = serializers.SerializerMethodField()
    own_abc_class = serializers.CharField(source="abc_class", read_only=True)
    reorder_point = serializers.DecimalField(max_digits=18, decimal_places=6, coerce_to_string=True, read_only=True)
    safety_stock = serializers.DecimalField(max_digits=18, decimal_places=6, coerce_to_string=True, read_only=True)

    class Meta:
        model = StockPolicy
        fields = ["id", "site", "item", "unit", "abc_class", "own_abc_class", "reorder_point", "safety_stock"]

    def get_abc_class(self, policy) -> str:
        return policy.abc_class or policy.item.abc_class
