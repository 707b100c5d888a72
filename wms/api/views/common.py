"""What every warehouse API view shares."""

from rest_framework import exceptions

# Moving stock needs the ledger's permission, whichever resource posts the move.
MOVE_STOCK = ["wms.add_stockmove"]


class MethodsFirst:
    """Answer 405 to a method the resource does not have before asking for permissions, so
    "moves are never deleted" reads the same to every user."""

    def check_permissions(self, request):
        method = request.method.lower()
        if method != "options" and method not in getattr(self, "action_map", {}) and not hasattr(self, method):
            raise exceptions.MethodNotAllowed(request.method)
        super().check_permissions(request)
