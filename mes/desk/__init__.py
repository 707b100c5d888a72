"""Supervision pages of production: the supervisor dashboard with its live tiles, the equipment
page, OEE analysis and production KPIs."""
