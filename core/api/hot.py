"""Serializers on the busiest paths: fields built once per class, and pages of `values()` rows
answered without per-row field lookups. Both give exactly what DRF's own code gives."""

import copy

from rest_framework import serializers
from rest_framework.fields import SkipField


class RowListSerializer(serializers.ListSerializer):
    """The `many=True` form of a read-only serializer over `values()` dicts (see
    `wms.api.serializers.stock.StockSerializer`): what each field reads and how it writes it are
    worked out once per page instead of once per row and field. The answer is the one DRF's own
    loop gives; a child with a field DRF must resolve itself (a dotted or `*` source, a method
    field) is answered by that loop."""

    def to_representation(self, data):
        readable = list(self.child._readable_fields)
        if any(len(field.source_attrs) != 1 for field in readable):
            return super().to_representation(data)
        plan = [(field.field_name, field.source_attrs[0], field.to_representation) for field in readable]
        answer = []
        for row in data.all() if hasattr(data, "all") else data:
            try:
                answer.append(
                    {name: None if (value := row[key]) is None else represent(value) for name, key, represent in plan}
                )
            except (KeyError, TypeError, SkipField):
                answer.append(self.child.to_representation(row))
        return answer


class FieldsBuiltOnce:
    """A serializer whose fields are built once per class, then copied for each instance: DRF
    builds them anew for every serializer, a deep copy of each declared field with its queryset
    plus the model introspection of a ModelSerializer, which costs more than the rest of a small
    request's validation. A plain field needs only a shallow copy: binding sets the copy's own
    name, parent and source, and nothing on the path mutates what the copies share (choices,
    validators, error messages, querysets, which are cloned on use). A nested serializer keeps
    state of its own, so it is deep-copied as DRF does. Only for serializers whose fields do not
    depend on the request."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return {
            name: copy.deepcopy(field) if isinstance(field, serializers.BaseSerializer) else copy.copy(field)
            for name, field in built.items()
        }
