"""AWS regions and the availability-zone letters each one has, so zones are checked offline.

A zone name is its region's code and a letter (``eu-west-1a``). ``ZONE_LETTERS`` lists, per region,
every letter some account can see: in the oldest regions AWS maps letters to physical zones per
account, and an account may see only a subset (us-west-1 shows two of its three letters), so a
letter listed here can still be missing in a given account; a letter not listed exists in none.
Regions not listed are refused until added here with their zones.

Sources (read 2026-11-29): the AWS "AWS Availability Zones" page
(docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html: every
region has at least three zones; AZ IDs per region) and jsonmaur/aws-regions (readme.md: zone
letters per region, including the gaps of ca-central-1 and ap-northeast-1).
"""

from __future__ import annotations

from datetime import date

from .source import Source

AS_OF = date(2026, 11, 29)
SOURCES = (
    Source("https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html", AS_OF),
    Source("jsonmaur/aws-regions:readme.md", AS_OF),
)

ZONE_LETTERS: dict[str, str] = {
    "us-east-1": "abcdef", "us-east-2": "abc", "us-west-1": "abc", "us-west-2": "abcd",
    "ca-central-1": "abd", "ca-west-1": "abc", "mx-central-1": "abc",
    "sa-east-1": "abc",
    "eu-west-1": "abc", "eu-west-2": "abc", "eu-west-3": "abc", "eu-central-1": "abc",
    "eu-central-2": "abc", "eu-north-1": "abc", "eu-south-1": "abc", "eu-south-2": "abc",
    "af-south-1": "abc", "il-central-1": "abc", "me-south-1": "abc", "me-central-1": "abc",
    "ap-east-1": "abc", "ap-east-2": "abc", "ap-south-1": "abc", "ap-south-2": "abc",
    "ap-northeast-1": "acd", "ap-northeast-2": "abcd", "ap-northeast-3": "abc",
    "ap-southeast-1": "abc", "ap-southeast-2": "abc", "ap-southeast-3": "abc",
    "ap-southeast-4": "abc", "ap-southeast-5": "abc", "ap-southeast-7": "abc",
    "us-gov-west-1": "abc", "us-gov-east-1": "abc",
}


def zones(region: str) -> tuple[str, ...]:
    """Every zone name of ``region`` (``('eu-west-1a', 'eu-west-1b', 'eu-west-1c')``); () if unknown."""
    return tuple(f"{region}{letter}" for letter in ZONE_LETTERS.get(region, ""))
