"""The organisation: countries, departments, directorates, missions, bodies, people and memberships."""
