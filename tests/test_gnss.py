"""The NMEA reader: fixes with their quality from GGA/RMC/GST/GSA, hostile lines, and the capture rule."""
from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from inspector.geo.gnss import GnssFix, NmeaReader, capture_problem
from tests.gnss_fixtures import nmea_sentence, walk_sentences
from tests.ui_fixtures import NMEA_WALK

START = datetime(2026, 5, 1, 2, 30, 10, tzinfo=timezone.utc)


def test_the_walk_log_gives_every_epoch_with_its_quality():
    reader = NmeaReader()
    fixes = list(reader.read(NMEA_WALK.read_text().splitlines()))
    assert len(fixes) == 31 and reader.rejected == 0
    first = fixes[0]
    assert first.time_utc == START
    assert first.lat == pytest.approx(33 + 35.8620 / 60) and first.lon == pytest.approx(120 + 25.8 / 60)
    assert (first.fix_type, first.satellites, first.hdop, first.accuracy_m) == ("gps", 9, 0.9, 4.5)
    assert first.altitude_m == 3.0
    assert fixes[1].time_utc == datetime(2026, 5, 1, 2, 30, 10, 100_000, tzinfo=timezone.utc)


def test_gst_gives_the_receivers_own_accuracy_and_rtk_its_fix_type():
    lines = walk_sentences([(120.1, 32.5), (120.1, 32.5001)], START, quality=4, satellites=21, hdop=0.6,
                           gst_sigma_m=0.012)  # GST follows GGA, as u-blox receivers send it
    first, second = NmeaReader().read(lines)
    assert first.fix_type == "rtk_fixed" and first.satellites == 21
    assert first.accuracy_m == 3.0  # no GST yet: HDOP × UERE
    assert second.accuracy_m == pytest.approx(math.hypot(0.012, 0.012), abs=1e-3)


def test_gsa_hdop_fills_an_empty_gga_hdop():
    reader = NmeaReader()
    reader.feed(nmea_sentence("GPRMC,010203.00,A,3200.0000,N,12000.0000,E,0,0,300626,,,A"))
    reader.feed(nmea_sentence("GNGSA,A,3,01,02,03,04,05,06,,,,,,,1.8,1.2,1.3"))
    fix = reader.feed(nmea_sentence("GPGGA,010203.00,3200.0000,N,12000.0000,E,2,06,,5.0,M,,M,,"))
    assert fix is not None and (fix.fix_type, fix.hdop, fix.accuracy_m) == ("dgps", 1.2, 6.0)


def test_a_stream_of_rmc_alone_still_gives_positions_and_midnight_rolls_the_date():
    late = nmea_sentence("GPRMC,235959.00,A,3200.0000,S,00030.0000,W,0,0,311226,,,A")
    later = nmea_sentence("GPRMC,000000.00,A,3200.0000,S,00030.0000,W,0,0,010127,,,A")
    rmc_only = NmeaReader()
    assert rmc_only.feed(late) is None  # a GGA may still follow in this epoch
    first = rmc_only.feed(later)
    assert first is not None and first.lat == -32 and first.lon == -0.5 and first.satellites is None
    assert rmc_only.flush().time_utc == datetime(2027, 1, 1, tzinfo=timezone.utc)
    assert rmc_only.flush() is None
    rolling = NmeaReader()
    rolling.feed(late)
    fix = rolling.feed(nmea_sentence("GPGGA,000001.00,3200.0000,N,12000.0000,E,1,05,1.0,5.0,M,,M,,"))
    assert fix is not None and fix.time_utc == datetime(2027, 1, 1, 0, 0, 1, tzinfo=timezone.utc)
    assert rolling.flush() is None  # the RMC was this epoch's, not a position of its own


@pytest.mark.parametrize("line", [
    nmea_sentence("GPGGA,010203.00,3200.0000,N,12000.0000,E,1,05,1.0,5.0,M,,M,,")[:-2] + "00",  # checksum
    nmea_sentence("GPGGA,010203.00,9200.0000,N,12000.0000,E,1,05,1.0,5.0,M,,M,,"),  # latitude > 90
    nmea_sentence("GPGGA,010203.00,3275.0000,N,12000.0000,E,1,05,1.0,5.0,M,,M,,"),  # 75 minutes
    nmea_sentence("GPGGA,010203.00,3200.0000,X,12000.0000,E,1,05,1.0,5.0,M,,M,,"),  # hemisphere
    nmea_sentence("GPGGA,250203.00,3200.0000,N,12000.0000,E,1,05,1.0,5.0,M,,M,,"),  # hour 25
    nmea_sentence("GPGGA,010203.00,3200.0000,N,12000.0000,E,1,05,nan,5.0,M,,M,,"),  # NaN HDOP
    nmea_sentence("GPGGA,010203.00,3200.0000,N,12000.0000,E,1,05,-1,5.0,M,,M,,"),  # negative HDOP
    nmea_sentence("GPGGA,010203.00,3200.0000,N,12000.0000,E,9,05,1.0,5.0,M,,M,,"),  # unknown quality
    nmea_sentence("GPGGA,010203.00,3200.0000,N,12000.0000,E,1,999,1.0,5.0,M,,M,,"),  # satellites
    nmea_sentence("GPRMC,010203.00,A,3200.0000,N,12000.0000,E,0,0,310226,,,A"),  # 31 February
    nmea_sentence("GPGGA," + "9" * 300),  # over-long
    "$GPGGA,010203.00,\u4e2d,N*00",  # not ASCII
    b"$GPGGA,\xff\xfe*00",  # undecodable bytes
])
def test_hostile_sentences_are_counted_and_never_give_a_position(line):
    reader = NmeaReader()
    assert reader.feed(line) is None
    assert reader.rejected == 1


@pytest.mark.parametrize("line", ["", "hello", "$PUBX,00,foo", "$GPGGA,010203.00,,,,,0,00,,,M,,M,,*66", "\x00" * 50])
def test_noise_and_no_fix_lines_give_nothing_without_raising(line):
    assert NmeaReader().feed(line) is None


def test_capture_rule_refuses_missing_non_satellite_unknown_and_poor_fixes():
    good = GnssFix(120.0, 32.0, fix_type="rtk_fixed", satellites=20, hdop=0.6, accuracy_m=0.02)
    assert capture_problem(good) is None
    assert "没有定位" in capture_problem(None).zh
    assert "模拟定位" in capture_problem(GnssFix(120.0, 32.0, fix_type="simulated", accuracy_m=1.0)).zh
    assert "unknown" in capture_problem(GnssFix(120.0, 32.0, accuracy_m=None)).en
    poor = capture_problem(GnssFix(120.0, 32.0, accuracy_m=35.0), max_accuracy_m=20)
    assert "35.0" in poor.zh and "20" in poor.en
    assert capture_problem(GnssFix(120.0, 32.0, accuracy_m=35.0), max_accuracy_m=50) is None
