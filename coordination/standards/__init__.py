"""Serialisers and parsers of the field's standards (CAP 1.2, EDXL-SitRep, HXL, PDF): no database access."""
