"""DJI drone stills: ``drone-dji:`` XMP attitude and altitude, and the ground footprint.

:func:`read_drone_metadata` reads RelativeAltitude, AbsoluteAltitude and the
gimbal and flight yaw/pitch/roll (strings like ``"+120.20"``) from the XMP
packet, plus make, model and focal lengths from EXIF. It returns ``None``
for anything that is not a DJI still (no ``drone-dji:`` properties).

:func:`footprint` places the image on the ground around the camera position
(lon/lat from the photo's EXIF GPS):

- near-nadir shots (gimbal pitch within 15° of −90°): the four corners are
  the camera rays through the image corners, tilted by the gimbal pitch and
  rotated by the gimbal yaw, intersected with flat ground ``RelativeAltitude``
  metres below the camera; the polygon is returned in lon/lat with its area;
- oblique shots: no polygon, but the view azimuth, the pitch and the ground
  point the optical axis hits (when it points below the horizon).

The field of view comes from the sensor size of known DJI cameras
(:data:`CAMERAS`) and otherwise from the 35 mm-equivalent focal length.
Metres are local east/north on the CGCS2000 ellipsoid (errors ~1e-5 relative
over a few hundred metres). RelativeAltitude is height above the take-off
point, so over sloping ground the footprint is as good as that assumption.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from inspector.evidence.exif import exif_positive, exif_text
from inspector.evidence.gps import offset_lonlat
from inspector.evidence.imaging import PathLike, open_image
from inspector.evidence.xmp import namespace_properties, read_jpeg_xmp

DJI_NAMESPACE = "http://www.dji.com/drone-dji/"
NADIR_TOLERANCE_DEG = 15.0  # gimbal pitch within this of −90° gives a footprint polygon
FULL_FRAME_DIAGONAL_MM = math.hypot(36.0, 24.0)  # 43.27 mm, basis of 35 mm-equivalent focal lengths
ASPECT_TOLERANCE = 0.05  # image/sensor aspect ratios closer than this use the full nominal sensor
MAX_LOOK_AT_M = 5000.0  # metres: farther view points (near the horizon) are not reported
ALTITUDE_RANGE_M = (-1000.0, 10000.0)  # metres: accepted XMP altitudes
_NUMBER = re.compile(r"^\s*[+-]?\d{1,6}(\.\d{1,9})?\s*$")

TAG_MAKE, TAG_MODEL, IFD_EXIF, TAG_FOCAL, TAG_FOCAL_35 = 0x010F, 0x0110, 0x8769, 0x920A, 0xA405


@dataclass(frozen=True)
class CameraSpec:
    """Nominal optics of a DJI camera, by the model string it writes to EXIF."""

    name: str
    sensor_width_mm: float
    sensor_height_mm: float
    focal_length_mm: float
    focal_length_35mm: float


CAMERAS: dict[str, CameraSpec] = {
    "FC330": CameraSpec("Phantom 4", 6.17, 4.55, 3.61, 20),
    "FC300X": CameraSpec("Phantom 3 Professional", 6.17, 4.55, 3.61, 20),
    "FC300S": CameraSpec("Phantom 3 Advanced", 6.17, 4.55, 3.61, 20),
    "FC6310": CameraSpec("Phantom 4 Pro / Advanced", 13.2, 8.8, 8.8, 24),
    "FC6310S": CameraSpec("Phantom 4 Pro V2.0", 13.2, 8.8, 8.8, 24),
    "FC6310R": CameraSpec("Phantom 4 RTK", 13.2, 8.8, 8.8, 24),
    "FC220": CameraSpec("Mavic Pro", 6.17, 4.55, 4.73, 26),
    "FC3170": CameraSpec("Mavic Air 2", 6.4, 4.8, 4.5, 24),
    "FC3411": CameraSpec("Air 2S", 13.2, 8.8, 8.38, 22),
    "L1D-20C": CameraSpec("Mavic 2 Pro (Hasselblad L1D-20c)", 13.2, 8.8, 10.26, 28),
    "M3E": CameraSpec("Mavic 3 Enterprise (wide)", 17.3, 13.0, 12.29, 24),
    "FC7203": CameraSpec("Mavic Mini", 6.17, 4.55, 4.49, 24),
    "FC7303": CameraSpec("Mini 2", 6.17, 4.55, 4.49, 24),
}


@dataclass(frozen=True)
class DroneMetadata:
    """What a DJI still says about its flight. Angles in degrees, altitudes in metres."""

    make: str | None = None
    model: str | None = None
    relative_altitude_m: float | None = None  # above the take-off point
    absolute_altitude_m: float | None = None  # above sea level (barometric/GPS)
    gimbal_pitch_deg: float | None = None  # −90 looks straight down
    gimbal_yaw_deg: float | None = None  # clockwise from north
    gimbal_roll_deg: float | None = None
    flight_pitch_deg: float | None = None
    flight_yaw_deg: float | None = None
    flight_roll_deg: float | None = None
    focal_length_mm: float | None = None
    focal_length_35mm: float | None = None
    image_width: int = 0
    image_height: int = 0
    flags: tuple[str, ...] = ()

    @property
    def camera(self) -> CameraSpec | None:
        return CAMERAS.get((self.model or "").strip().upper())


@dataclass(frozen=True)
class Footprint:
    """Where a still looks: a ground polygon for near-nadir shots, a direction otherwise."""

    kind: str  # "nadir", "oblique" or "unknown" (attitude or altitude missing)
    camera_lon: float
    camera_lat: float
    height_m: float | None = None  # RelativeAltitude used as height above ground
    view_azimuth_deg: float | None = None  # [0, 360), clockwise from north
    pitch_deg: float | None = None
    polygon: Polygon | None = field(default=None, compare=False)  # lon/lat, counter-clockwise
    corners: tuple[tuple[float, float], ...] = ()  # lon/lat of the image's TL, TR, BR, BL corners
    area_m2: float | None = None
    ground_width_m: float | None = None  # across the image, through its centre
    ground_length_m: float | None = None  # along the image's up direction, through its centre
    look_at: tuple[float, float] | None = None  # lon/lat the optical axis hits
    look_distance_m: float | None = None  # horizontal distance camera → look_at
    flags: tuple[str, ...] = ()


_XMP_FIELDS = {
    "RelativeAltitude": "relative_altitude_m",
    "AbsoluteAltitude": "absolute_altitude_m",
    "GimbalPitchDegree": "gimbal_pitch_deg",
    "GimbalYawDegree": "gimbal_yaw_deg",
    "GimbalRollDegree": "gimbal_roll_deg",
    "FlightPitchDegree": "flight_pitch_deg",
    "FlightYawDegree": "flight_yaw_deg",
    "FlightRollDegree": "flight_roll_deg",
}


def _xmp_number(text: str, attribute: str) -> float | None:
    if not _NUMBER.match(text):
        return None
    value = float(text)
    if attribute.endswith("_m"):
        return value if ALTITUDE_RANGE_M[0] <= value <= ALTITUDE_RANGE_M[1] else None
    return value if -360.0 <= value <= 360.0 else None


def read_drone_metadata(path: PathLike) -> DroneMetadata | None:
    """DJI flight metadata of the still at ``path``; ``None`` if it has no ``drone-dji:`` XMP."""
    with open_image(path) as image:
        image_format, size = image.format, image.size
        try:
            exif = image.getexif()
            ifd0, exif_ifd = dict(exif), dict(exif.get_ifd(IFD_EXIF))
        except Exception:  # noqa: BLE001 - hostile EXIF: the XMP may still be usable
            ifd0, exif_ifd = {}, {}
        embedded = image.info.get("xmp")
    packet = read_jpeg_xmp(path) if image_format == "JPEG" else embedded
    if not isinstance(packet, bytes):
        return None
    properties, flags = namespace_properties(packet, DJI_NAMESPACE, "drone-dji")
    if not any(name in properties for name in _XMP_FIELDS):
        return None
    values: dict[str, float | None] = {}
    for name, attribute in _XMP_FIELDS.items():
        raw = properties.get(name)
        values[attribute] = None if raw is None else _xmp_number(raw, attribute)
        if raw is not None and values[attribute] is None:
            flags.append(f"{attribute}_invalid")
    return DroneMetadata(
        make=exif_text(ifd0.get(TAG_MAKE)),
        model=exif_text(ifd0.get(TAG_MODEL)),
        focal_length_mm=exif_positive(exif_ifd.get(TAG_FOCAL)),
        focal_length_35mm=exif_positive(exif_ifd.get(TAG_FOCAL_35)),
        image_width=size[0],
        image_height=size[1],
        flags=tuple(dict.fromkeys(flags)),
        **values,
    )


def field_of_view(meta: DroneMetadata) -> tuple[float, float, str] | None:
    """(tan of half the horizontal FOV, tan of half the vertical FOV, source) or ``None``.

    The horizontal axis is the image width. Source is ``"sensor_table"`` or
    ``"35mm_equivalent"``.
    """
    width, height = meta.image_width, meta.image_height
    if width <= 0 or height <= 0:
        return None
    spec = meta.camera
    if spec is not None:
        focal = meta.focal_length_mm or spec.focal_length_mm
        sensor_w, sensor_h = spec.sensor_width_mm, spec.sensor_height_mm
        if (width < height) != (sensor_w < sensor_h):
            sensor_w, sensor_h = sensor_h, sensor_w  # portrait still from a rotated gimbal
        image_aspect, sensor_aspect = width / height, sensor_w / sensor_h
        if abs(image_aspect / sensor_aspect - 1) > ASPECT_TOLERANCE:  # cropped mode, e.g. 16:9
            if image_aspect > sensor_aspect:
                sensor_h = sensor_w / image_aspect
            else:
                sensor_w = sensor_h * image_aspect
        return sensor_w / 2 / focal, sensor_h / 2 / focal, "sensor_table"
    if meta.focal_length_35mm:
        half_diagonal = FULL_FRAME_DIAGONAL_MM / 2 / meta.focal_length_35mm
        diagonal_px = math.hypot(width, height)
        return half_diagonal * width / diagonal_px, half_diagonal * height / diagonal_px, "35mm_equivalent"
    return None


def _ground_point(u: float, v: float, tilt: float, height: float) -> tuple[float, float] | None:
    """(right, forward) metres where the ray through image point (u, v) meets the ground.

    ``u``/``v`` are tangents right/up of the optical axis; ``tilt`` (radians)
    rotates the camera forward from nadir; the image's up side faces forward.
    """
    forward = v * math.cos(tilt) + math.sin(tilt)
    down = math.cos(tilt) - v * math.sin(tilt)
    if down <= 1e-6:
        return None
    scale = height / down
    return u * scale, forward * scale


def _to_east_north(right: float, forward: float, yaw_deg: float) -> tuple[float, float]:
    yaw = math.radians(yaw_deg)
    return (right * math.cos(yaw) + forward * math.sin(yaw), -right * math.sin(yaw) + forward * math.cos(yaw))


def _shoelace(points: list[tuple[float, float]]) -> float:
    area = 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        area += x1 * y2 - x2 * y1
    return abs(area) / 2


def footprint(meta: DroneMetadata, lon: float, lat: float) -> Footprint:
    """The ground footprint of a still taken at (lon, lat); see the module docstring."""
    flags: list[str] = []
    height = meta.relative_altitude_m
    pitch = meta.gimbal_pitch_deg
    yaw = meta.gimbal_yaw_deg
    if yaw is None and meta.flight_yaw_deg is not None:
        yaw = meta.flight_yaw_deg
        flags.append("yaw_from_flight")
    azimuth = None if yaw is None else yaw % 360.0
    if height is None or height <= 0:
        flags.append("altitude_unknown")
    if pitch is None:
        flags.append("pitch_unknown")
    if azimuth is None:
        flags.append("yaw_unknown")
    result = Footprint(kind="unknown", camera_lon=lon, camera_lat=lat, height_m=height,
                       view_azimuth_deg=azimuth, pitch_deg=pitch)
    if height is None or height <= 0 or pitch is None or azimuth is None:
        return replace(result, flags=tuple(flags))
    tilt = math.radians(pitch + 90.0)
    centre = _ground_point(0.0, 0.0, tilt, height)
    if centre is not None and abs(centre[1]) <= MAX_LOOK_AT_M:
        look_at = offset_lonlat(lon, lat, *_to_east_north(0.0, centre[1], azimuth))
        result = replace(result, look_at=look_at, look_distance_m=abs(centre[1]))
    if abs(pitch + 90.0) > NADIR_TOLERANCE_DEG:
        return replace(result, kind="oblique", flags=tuple(flags))
    fov = field_of_view(meta)
    if fov is None:
        flags.append("field_of_view_unknown")
        return replace(result, kind="nadir", flags=tuple(flags))
    tan_w, tan_h, source = fov
    if source != "sensor_table":
        flags.append("fov_from_35mm_equivalent")
    if meta.gimbal_roll_deg is not None and abs(meta.gimbal_roll_deg) > 2.0:
        flags.append("gimbal_roll_ignored")
    image_corners = [(-tan_w, tan_h), (tan_w, tan_h), (tan_w, -tan_h), (-tan_w, -tan_h)]
    ground = [p for p in (_ground_point(u, v, tilt, height) for u, v in image_corners) if p is not None]
    if len(ground) < 4:  # cannot happen within the nadir tolerance of any real lens
        flags.append("corner_above_horizon")
        return replace(result, kind="nadir", flags=tuple(flags))
    local = [_to_east_north(right, forward, azimuth) for right, forward in ground]
    lonlat = tuple(offset_lonlat(lon, lat, east, north) for east, north in local)
    top_mid = ((ground[0][0] + ground[1][0]) / 2, (ground[0][1] + ground[1][1]) / 2)
    bottom_mid = ((ground[2][0] + ground[3][0]) / 2, (ground[2][1] + ground[3][1]) / 2)
    return replace(
        result,
        kind="nadir",
        polygon=orient(Polygon(lonlat), sign=1.0),
        corners=lonlat,
        area_m2=_shoelace(local),
        ground_width_m=2 * tan_w * height / math.cos(tilt),
        ground_length_m=math.dist(top_mid, bottom_mid),
        flags=tuple(flags),
    )
