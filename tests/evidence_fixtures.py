"""Builders of evidence test files: geotagged photos and DJI drone stills in Jiangsu.

``make_geotagged_photo`` writes a JPEG (a small generated picture, or a
re-encoded copy of a real photo) whose EXIF GPS is re-tagged with Pillow's
``Exif`` object. ``make_dji_still`` writes a small JPEG carrying DJI-style
EXIF (Make DJI, Model FC330, GPS, focal lengths) and an XMP packet with the
layout of real Phantom 4 stills (see ../shared/data/drone/*.metadata.txt:
one ``rdf:Description`` with tiff/xmp/dc/crs/drone-dji attributes). The XMP
APP1 segment is spliced in by hand, after the EXIF segment, as DJI does.
"""
from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path

from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

# Points in Jiangsu (CGCS2000 lon/lat)
YANCHENG_COAST = (120.5, 33.6)  # 盐城 coastal wetland reserve area
NANJING = (118.7969, 32.0603)
XMP_SIGNATURE = b"http://ns.adobe.com/xap/1.0/\x00"


def dms_rationals(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    """|value| as EXIF (degrees, minutes, seconds) rationals, seconds to 1e-4″."""
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 10000)
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(seconds, 10000)


def gps_ifd(lon: float, lat: float, *, altitude: float | None = None, bearing: float | None = None,
            bearing_ref: str = "T", gps_time: str | None = None) -> dict[int, object]:
    """A GPS IFD dict for Pillow; ``gps_time`` is ``"YYYY:MM:DD HH:MM:SS"`` in UTC."""
    ifd: dict[int, object] = {
        0: b"\x02\x03\x00\x00",
        1: "N" if lat >= 0 else "S",
        2: dms_rationals(lat),
        3: "E" if lon >= 0 else "W",
        4: dms_rationals(lon),
        18: "WGS-84",
    }
    if altitude is not None:
        ifd[5] = b"\x01" if altitude < 0 else b"\x00"
        ifd[6] = IFDRational(round(abs(altitude) * 100), 100)
    if bearing is not None:
        ifd[16] = bearing_ref
        ifd[17] = IFDRational(round(bearing * 100), 100)
    if gps_time is not None:
        day, clock = gps_time.split(" ")
        ifd[29] = day
        ifd[7] = tuple(IFDRational(int(part), 1) for part in clock.split(":"))
    return ifd


def _set_ifd(exif: Image.Exif, tag: int, values: Mapping[int, object], *, replace: bool) -> None:
    if tag in exif:
        ifd = exif.get_ifd(tag)
        if replace:
            ifd.clear()
        ifd.update(values)
    else:
        exif[tag] = dict(values)


def make_geotagged_photo(path: Path, lon: float, lat: float, *, bearing: float | None = None,
                         bearing_ref: str = "T", altitude: float | None = 12.5,
                         taken: str = "2024:05:01 10:20:30", offset: str | None = "+08:00",
                         gps_time: str | None = "2024:05:01 02:20:31", make: str = "HUAWEI",
                         model: str = "Mate 40 Pro", source: Path | None = None,
                         size: tuple[int, int] = (400, 300), gps: dict[int, object] | None = None) -> Path:
    """A JPEG at ``path`` whose EXIF says it was taken at (lon, lat).

    With ``source`` it is a re-encoded copy of that photo (its other EXIF kept,
    its GPS replaced, downscaled to fit ``size``); ``gps`` overrides the GPS
    IFD entirely (for hostile values).
    """
    if source is not None:
        with Image.open(source) as original:
            exif = original.getexif()
            picture = original.convert("RGB")
        picture.thumbnail(size)
    else:
        exif = Image.Exif()
        picture = Image.new("RGB", size, (70, 120, 60))
    exif[ExifTags.Base.Make] = make
    exif[ExifTags.Base.Model] = model
    exif_values: dict[int, object] = {ExifTags.Base.DateTimeOriginal: taken,
                                      ExifTags.Base.ExifImageWidth: picture.width,
                                      ExifTags.Base.ExifImageHeight: picture.height}
    if offset is not None:
        exif_values[ExifTags.Base.OffsetTimeOriginal] = offset
    _set_ifd(exif, ExifTags.IFD.Exif, exif_values, replace=False)
    if gps is None:
        gps = gps_ifd(lon, lat, altitude=altitude, bearing=bearing, bearing_ref=bearing_ref, gps_time=gps_time)
    _set_ifd(exif, ExifTags.IFD.GPSInfo, gps, replace=True)
    picture.save(path, "JPEG", quality=80, exif=exif)
    return Path(path)


def dji_fields_from_dump(path: Path) -> dict[str, str]:
    """The ``drone-dji:`` properties listed in a metadata-extractor dump."""
    text = path.read_text(encoding="utf-8")
    return dict(re.findall(r"\] drone-dji:(\w+) = (\S+)", text))


def dji_xmp_packet(fields: Mapping[str, str], *, make: str = "DJI", model: str = "FC330",
                   date: str = "2017-01-26", element_form: bool = False) -> bytes:
    """An XMP packet laid out like a Phantom 4 still's, with ``fields`` as drone-dji properties."""
    namespaces = (
        'xmlns:tiff="http://ns.adobe.com/tiff/1.0/"\n'
        '    xmlns:exif="http://ns.adobe.com/exif/1.0/"\n'
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        '    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '    xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"\n'
        '    xmlns:drone-dji="http://www.dji.com/drone-dji/1.0/"'
    )
    common = (f'tiff:Make="{make}"\n   tiff:Model="{model}"\n   dc:format="image/jpeg"\n'
              f'   xmp:ModifyDate="{date}"\n   xmp:CreateDate="{date}"')
    crs = ('crs:Version="7.0"\n   crs:HasSettings="False"\n   crs:HasCrop="False"\n'
           '   crs:AlreadyApplied="False"')
    if element_form:
        body = "".join(f"\n   <drone-dji:{k}>{v}</drone-dji:{k}>" for k, v in fields.items())
        description = (f'  <rdf:Description rdf:about="DJI Meta Data"\n    {namespaces}\n   {common}\n'
                       f'   {crs}>{body}\n  </rdf:Description>')
    else:
        attributes = "".join(f'\n   drone-dji:{k}="{v}"' for k, v in fields.items())
        description = (f'  <rdf:Description rdf:about="DJI Meta Data"\n    {namespaces}\n   {common}'
                       f'{attributes}\n   {crs}>\n  </rdf:Description>')
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f"{description}\n"
        " </rdf:RDF>\n</x:xmpmeta>\n" + " " * 200 + '\n<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


def insert_xmp(jpeg: bytes, packet: bytes) -> bytes:
    """``jpeg`` with an XMP APP1 segment added after its leading APPn segments."""
    assert jpeg[:2] == b"\xff\xd8"
    position = 2
    while jpeg[position] == 0xFF and 0xE0 <= jpeg[position + 1] <= 0xEF:
        position += 2 + int.from_bytes(jpeg[position + 2:position + 4], "big")
    payload = XMP_SIGNATURE + packet
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    return jpeg[:position] + segment + jpeg[position:]


def make_dji_still(path: Path, lon: float, lat: float, rel_alt: float, gimbal_pitch: float,
                   gimbal_yaw: float, *, gimbal_roll: float = 0.0, abs_alt: float | None = None,
                   flight_yaw: float | None = None, flight_pitch: float = -8.3, flight_roll: float = -0.5,
                   model: str = "FC330", focal_length: float | None = 3.61, focal_35mm: int | None = 20,
                   size: tuple[int, int] = (400, 300), taken: str = "2024:05:01 10:20:30",
                   fields: Mapping[str, str] | None = None, packet: bytes | None = None,
                   element_form: bool = False) -> Path:
    """A small DJI-style still at ``path``: EXIF (DJI, GPS, focal) and drone-dji XMP.

    ``fields`` replaces the generated drone-dji properties (e.g. the values of
    a real still, from :func:`dji_fields_from_dump`); ``packet`` replaces the
    whole XMP packet.
    """
    abs_alt = 10.0 + rel_alt if abs_alt is None else abs_alt
    flight_yaw = gimbal_yaw if flight_yaw is None else flight_yaw
    if fields is None:
        fields = {
            "AbsoluteAltitude": f"{abs_alt:+.2f}",
            "RelativeAltitude": f"{rel_alt:+.2f}",
            "GimbalRollDegree": f"{gimbal_roll:+.2f}",
            "GimbalYawDegree": f"{gimbal_yaw:+.2f}",
            "GimbalPitchDegree": f"{gimbal_pitch:+.2f}",
            "FlightRollDegree": f"{flight_roll:+.2f}",
            "FlightYawDegree": f"{flight_yaw:+.2f}",
            "FlightPitchDegree": f"{flight_pitch:+.2f}",
            "FlightXSpeed": "+0.00",
            "FlightYSpeed": "+0.00",
            "FlightZSpeed": "+0.10",
            "CamReverse": "0",
            "GimbalReverse": "0",
        }
    exif = Image.Exif()
    exif[ExifTags.Base.ImageDescription] = "DCIM\\101MEDIA\\DJI_0282.JPG"
    exif[ExifTags.Base.Make] = "DJI"
    exif[ExifTags.Base.Model] = model
    exif[ExifTags.Base.Orientation] = 1
    exif[ExifTags.Base.Software] = "v01.19.5266"
    exif_values: dict[int, object] = {ExifTags.Base.DateTimeOriginal: taken,
                                      ExifTags.Base.ExifImageWidth: size[0],
                                      ExifTags.Base.ExifImageHeight: size[1]}
    if focal_length is not None:
        exif_values[ExifTags.Base.FocalLength] = IFDRational(round(focal_length * 100), 100)
    if focal_35mm is not None:
        exif_values[ExifTags.Base.FocalLengthIn35mmFilm] = focal_35mm
    exif[ExifTags.IFD.Exif] = exif_values
    exif[ExifTags.IFD.GPSInfo] = gps_ifd(lon, lat, altitude=abs_alt)
    picture = Image.new("RGB", size, (90, 130, 70))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80, exif=exif)
    if packet is None:
        packet = dji_xmp_packet(fields, model=model, element_form=element_form)
    Path(path).write_bytes(insert_xmp(buffer.getvalue(), packet))
    return Path(path)


def make_recent_photo(path: Path, lon: float, lat: float, *, minutes_ago: float = 1.0, **options: object) -> Path:
    """A geotagged JPEG taken ``minutes_ago`` before now (Beijing time, GPS time in UTC to match): it passes
    the plausibility checks of a case discovered and rectified before today."""
    import datetime as dt

    moment = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes_ago)
    local = moment.astimezone(dt.timezone(dt.timedelta(hours=8)))
    return make_geotagged_photo(path, lon, lat, taken=local.strftime("%Y:%m:%d %H:%M:%S"), offset="+08:00",
                                gps_time=moment.strftime("%Y:%m:%d %H:%M:%S"), **options)  # type: ignore[arg-type]


def attach_closure_photos(ws: object, case: str, directory: Path, lon: float, lat: float,
                          **attach_options: object) -> list[dict]:
    """Attach a clean 整改前 and a clean 整改后 photo at (lon, lat), as 申请销号 needs; returns attach's answers."""
    from inspector.casework.evidence_attach import attach

    directory.mkdir(parents=True, exist_ok=True)
    results = []
    for phase in ("before", "after"):
        photo = make_recent_photo(directory / f"{case}-{phase}.jpg", lon, lat,  # the 整改后 photo taken now: after
                                  minutes_ago=0.0 if phase == "after" else 1.0,  # the rectification, even at midnight
                                  size=(400, 300 + (phase == "after")))  # different content per phase
        results += attach(ws, case, [photo], phase=phase, **attach_options)  # type: ignore[arg-type]
    return results
