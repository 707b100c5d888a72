def register(router) -> None:
    """Add this module's viewsets to the wms API router."""
