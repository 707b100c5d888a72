"""Approval requests in the API: what is asked, by whom, the figures to decide, the decision."""

from rest_framework import serializers

from core.models import ApprovalRequest, SignatureMeaning


class FigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()
    emphasis = serializers.BooleanField()


class ApprovalRequestSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    record = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    figures = serializers.SerializerMethodField()
    stale = serializers.SerializerMethodField()
    approve_meaning = serializers.SerializerMethodField()
    reject_meaning = serializers.SerializerMethodField()
    site = serializers.SlugRelatedField(slug_field="code", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    on_behalf_of = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "kind",
            "kind_label",
            "record",
            "title",
            "figures",
            "site",
            "status",
            "urgency",
            "level",
            "stale",
            "requested_by",
            "requested_at",
            "escalated_at",
            "decided_by",
            "on_behalf_of",
            "decided_at",
            "comment",
            "approve_meaning",
            "reject_meaning",
        ]
        read_only_fields = fields

    def get_kind_label(self, obj) -> str:
        return str(obj.kind_decl.label)

    def get_record(self, obj) -> dict:
        """`{"type": "wms.counttask", "id": "12", "url": "/wms/counts/12/"}`."""
        return {"type": obj.kind_decl.model._meta.label_lower, "id": obj.object_id, "url": obj.record_url}

    def get_title(self, obj) -> str:
        return obj.title

    def get_figures(self, obj) -> list[dict]:
        return FigureSerializer(obj.figures, many=True).data

    def get_stale(self, obj) -> bool:
        return obj.is_stale

    def get_approve_meaning(self, obj) -> str:
        return obj.kind_decl.approve_meaning

    def get_reject_meaning(self, obj) -> str:
        return obj.kind_decl.reject_meaning


class DecisionSerializer(serializers.Serializer):
    """The e-signature of a decision: the signer's password, its meaning (the kind's meaning for
    this decision when left out) and a comment (required to reject)."""

    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=256)
    meaning = serializers.ChoiceField(choices=SignatureMeaning.choices, required=False)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
