"""Coordinates as people type them ("-1.68, 29.22") and the ranges every stored pair keeps to."""

import math

from flask_babel import gettext as _


class CoordinateError(ValueError):
    """Coordinates that cannot be a point on Earth; the message is for the person who typed them."""


def check(latitude: float, longitude: float) -> tuple[float, float]:
    """The pair as given, or CoordinateError: finite, latitude -90..90, longitude -180..180."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise CoordinateError(_("Coordinates must be numbers in decimal degrees."))
    if not -90 <= latitude <= 90:
        raise CoordinateError(_("The latitude must be between -90 and 90 degrees."))
    if not -180 <= longitude <= 180:
        raise CoordinateError(_("The longitude must be between -180 and 180 degrees."))
    return latitude, longitude


def parse_point(text: str) -> tuple[float, float]:
    """Latitude and longitude in decimal degrees, separated by a comma or a space; or by a semicolon, and
    then a comma may be the decimal mark ("-1,68; 29,22")."""
    if ";" in text:
        parts = [part.strip().replace(",", ".") for part in text.split(";")]
    else:
        parts = text.replace(",", " ").split()
    if len(parts) != 2:
        raise CoordinateError(_("Give the latitude and the longitude in decimal degrees, e.g. -1.68, 29.22."))
    try:
        latitude, longitude = float(parts[0]), float(parts[1])
    except ValueError:
        raise CoordinateError(
            _("Give the latitude and the longitude in decimal degrees, e.g. -1.68, 29.22.")
        ) from None
    return check(latitude, longitude)
