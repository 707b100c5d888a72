"""Machine-data connectors: they receive messages and hand them to `mes.services.ingest`."""
