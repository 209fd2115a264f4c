"""Approximate locations from a Dutch postcode, without any external service.

The four postcode digits are mapped to the centroid of the port municipality they belong to
(ranges below). It is only good enough to put a company or premises on the map near its port;
pages say "approximate". Postcodes outside these ranges have no location.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    label: str


# (first, last postcode number, latitude, longitude, municipality)
RANGES: tuple[tuple[int, int, float, float, str], ...] = (
    (1000, 1109, 52.37, 4.89, "Amsterdam"),
    (1970, 1989, 52.46, 4.61, "IJmuiden / Velsen"),
    (1780, 1789, 52.95, 4.76, "Den Helder"),
    (3000, 3099, 51.92, 4.48, "Rotterdam"),
    (3100, 3125, 51.92, 4.40, "Schiedam"),
    (3130, 3138, 51.91, 4.34, "Vlaardingen"),
    (3190, 3199, 51.88, 4.30, "Rotterdam (Botlek/Pernis)"),
    (3150, 3151, 51.98, 4.13, "Hoek van Holland"),
    (4380, 4389, 51.45, 3.60, "Vlissingen"),
    (4530, 4539, 51.33, 3.83, "Terneuzen"),
    (4780, 4789, 51.70, 4.62, "Moerdijk"),
    (8860, 8869, 53.17, 5.42, "Harlingen"),
    (9930, 9939, 53.33, 6.92, "Delfzijl"),
    (9970, 9979, 53.41, 6.21, "Lauwersoog / Het Hogeland"),
    (9980, 9989, 53.44, 6.83, "Eemshaven / Het Hogeland"),
)


def approximate_location(postcode: str) -> Location | None:
    digits = postcode.strip()[:4]
    if not digits.isdigit():
        return None
    number = int(digits)
    for first, last, lat, lon, label in RANGES:
        if first <= number <= last:
            return Location(lat, lon, label)
    return None


# Postcode ranges of the municipalities around each port (slug → [(first, last)]), for filters.
PORT_POSTCODES: dict[str, tuple[tuple[int, int], ...]] = {
    "rotterdam": ((3000, 3199),),
    "amsterdam": ((1000, 1109),),
    "ijmuiden": ((1970, 1989),),
    "den-helder": ((1780, 1789),),
    "vlissingen": ((4380, 4389),),
    "terneuzen": ((4530, 4539),),
    "moerdijk": ((4780, 4789),),
    "harlingen": ((8860, 8869),),
    "delfzijl": ((9930, 9939),),
    "lauwersoog": ((9970, 9979),),
    "eemshaven": ((9980, 9989),),
}
