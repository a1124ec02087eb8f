"""An offline gazetteer: towns (GeoNames, with coordinates) and admin areas (ISO 3166-2) of every country."""
