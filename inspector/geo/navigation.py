"""Where am I, where is it: distance, bearing and zone edges from a position to a case.

:func:`navigate` answers, for a case's point and the device's position, what
``inspector navigate`` prints and the GUI's navigation panel shows:

- ``distance_m`` and ``bearing_deg`` along the geodesic on the CGCS2000
  ellipsoid (Vincenty's inverse formula, converged to 1e-12 rad: sub-millimetre
  at field distances; the bearing is the initial azimuth, 0 = north, clockwise);
- ``inside_zones``: the zones the *position* lies in, strictest first, as
  ``cases --json`` summarises zones;
- ``nearest_edge_m``: the distance from the position to the nearest zone
  boundary, whether the position is inside a zone or outside every one
  (:meth:`PolygonIndex.nearest_boundary`, bounded by :data:`EDGE_SEARCH_M`,
  measured in the Gauss-Krüger zone).

:func:`inspector.geo.field_settings.arrival_radius_m` is the radius within
which a case counts as reached.
"""
from __future__ import annotations

import math
from typing import Any

from inspector.errors import BadInput
from inspector.evidence.gps import A, F, distance_m
from inspector.geo.attribution import lookup_for, zone_summary
from inspector.store.workspace import Workspace

B = A * (1 - F)  # CGCS2000 semi-minor axis, metres
VINCENTY_TOLERANCE_RAD = 1e-12  # change of λ at which the iteration stops, radians
VINCENTY_MAX_ITERATIONS = 200  # nearly antipodal points may not converge: then the sphere answers
EDGE_SEARCH_M = 50_000.0  # how far the nearest zone edge is looked for, metres


def check_position(lon: float, lat: float) -> None:
    """:class:`BadInput` unless (lon, lat) is a finite position on the globe."""
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise BadInput(f"坐标无效：{lon}, {lat}", f"invalid coordinates: {lon}, {lat}")


def geodesic_inverse(lon1: float, lat1: float, lon2: float, lat2: float) -> tuple[float, float]:
    """(distance in metres, initial bearing in degrees [0, 360)) from point 1 to point 2 on CGCS2000."""
    if lon1 == lon2 and lat1 == lat2:
        return 0.0, 0.0
    u1 = math.atan((1 - F) * math.tan(math.radians(lat1)))
    u2 = math.atan((1 - F) * math.tan(math.radians(lat2)))
    big_l = math.radians((lon2 - lon1 + 180.0) % 360.0 - 180.0)
    sin_u1, cos_u1, sin_u2, cos_u2 = math.sin(u1), math.cos(u1), math.sin(u2), math.cos(u2)
    lam = big_l
    for _ in range(VINCENTY_MAX_ITERATIONS):
        sin_lam, cos_lam = math.sin(lam), math.cos(lam)
        sin_sigma = math.hypot(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
        if sin_sigma == 0:
            return 0.0, 0.0
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos2_alpha = 1 - sin_alpha * sin_alpha
        cos_2sigma_m = cos_sigma - 2 * sin_u1 * sin_u2 / cos2_alpha if cos2_alpha else 0.0
        c = F / 16 * cos2_alpha * (4 + F * (4 - 3 * cos2_alpha))
        previous = lam
        lam = big_l + (1 - c) * F * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sigma_m + c * cos_sigma * (-1 + 2 * cos_2sigma_m ** 2)))
        if abs(lam - previous) < VINCENTY_TOLERANCE_RAD:
            break
    else:
        return distance_m(lon1, lat1, lon2, lat2), _spherical_bearing(lon1, lat1, lon2, lat2)
    u_sq = cos2_alpha * (A * A - B * B) / (B * B)
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta_sigma = big_b * sin_sigma * (cos_2sigma_m + big_b / 4 * (
        cos_sigma * (-1 + 2 * cos_2sigma_m ** 2)
        - big_b / 6 * cos_2sigma_m * (-3 + 4 * sin_sigma ** 2) * (-3 + 4 * cos_2sigma_m ** 2)))
    metres = B * big_a * (sigma - delta_sigma)
    azimuth = math.atan2(cos_u2 * math.sin(lam), cos_u1 * sin_u2 - sin_u1 * cos_u2 * math.cos(lam))
    return metres, math.degrees(azimuth) % 360.0


def _spherical_bearing(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dlam = math.radians(lon2 - lon1)
    y = math.sin(dlam) * math.cos(phi2)
    x = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlam)
    return math.degrees(math.atan2(y, x)) % 360.0


def zones_and_edge(ws: Workspace, lon: float, lat: float) -> dict[str, Any]:
    """The zones at (lon, lat) and the distance to the nearest zone boundary (``None`` without zones
    within :data:`EDGE_SEARCH_M`)."""
    check_position(lon, lat)
    lookup = lookup_for(ws)
    inside = lookup.zone_records(lookup.zones.containing(lon, lat))
    edge = lookup.zones.nearest_boundary(lon, lat, max_m=EDGE_SEARCH_M)
    edge_zone = lookup.zone_records([edge[0]])[0] if edge else None
    return {
        "inside_zones": [zone_summary(z) for z in inside],
        "nearest_edge_m": round(edge[1], 1) if edge else None,
        "nearest_edge_zone": zone_summary(edge_zone) if edge_zone else None,
    }


def navigate(ws: Workspace, target_lon: float, target_lat: float, lon: float, lat: float) -> dict[str, Any]:
    """From the position (lon, lat) to the target: distance, bearing, zones at the position, nearest edge."""
    check_position(lon, lat)
    check_position(target_lon, target_lat)
    metres, bearing = geodesic_inverse(lon, lat, target_lon, target_lat)
    return {
        "from": {"lon": lon, "lat": lat},
        "target": {"lon": target_lon, "lat": target_lat},
        "distance_m": round(metres, 2),
        "bearing_deg": round(bearing, 2),
        **zones_and_edge(ws, lon, lat),
    }


def compass_point(bearing_deg: float) -> tuple[str, str]:
    """The eight-point compass direction of a bearing: (Chinese, English)."""
    names = (("北", "N"), ("东北", "NE"), ("东", "E"), ("东南", "SE"),
             ("南", "S"), ("西南", "SW"), ("西", "W"), ("西北", "NW"))
    return names[int(((bearing_deg % 360.0) + 22.5) // 45) % 8]
