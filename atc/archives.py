"""Bounds on uploaded zip archives (XLSX, DOCX, ODT, ODS…), checked before anything opens them.

A 400 KB XLSX can decompress to gigabytes: opening it with a spreadsheet library held a worker at
2.7 GiB. The zip's table of contents declares each member's sizes, and Python's `zipfile` never
yields more than a member's declared size (a member that lies fails its CRC check), so checking
the declared sizes bounds everything read through `zipfile` afterwards — including openpyxl.
"""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# A member this small cannot hurt whatever its ratio (metadata parts compress very well).
RATIO_CHECKED_FROM_BYTES = 1024 * 1024


class ArchiveRefused(ValueError):
    """The archive breaks a bound; the message says which, in French, for the person uploading."""


class ArchiveUnreadable(ArchiveRefused):
    """Not a zip at all, or a damaged one."""


@dataclass(frozen=True)
class Bounds:
    members: int
    uncompressed_bytes: int
    ratio: int

    @classmethod
    def from_settings(cls) -> "Bounds":
        return cls(
            members=settings.ATC_ARCHIVE_MAX_MEMBERS,
            uncompressed_bytes=settings.ATC_ARCHIVE_MAX_UNCOMPRESSED_BYTES,
            ratio=settings.ATC_ARCHIVE_MAX_RATIO,
        )


def check_archive(archive: zipfile.ZipFile, bounds: Bounds | None = None) -> list[zipfile.ZipInfo]:
    """The archive's members once its bounds are checked; raises ArchiveRefused otherwise."""
    bounds = bounds or Bounds.from_settings()
    members = archive.infolist()
    if len(members) > bounds.members:
        raise ArchiveRefused(
            _(
                "Le fichier compressé contient %(n)s éléments, %(max)s au plus : ce n'est pas un "
                "document ordinaire. Enregistrez-le à nouveau depuis votre logiciel."
            )
            % {"n": len(members), "max": bounds.members}
        )
    total = sum(member.file_size for member in members)
    if total > bounds.uncompressed_bytes:
        raise ArchiveRefused(
            _(
                "Une fois décompressé, le fichier ferait %(size)s, %(max)s au plus : découpez-le "
                "ou allégez-le (images, feuilles inutiles)."
            )
            % {"size": filesizeformat(total), "max": filesizeformat(bounds.uncompressed_bytes)}
        )
    for member in members:
        if member.flag_bits & 0x1:
            raise ArchiveRefused(
                _("Le fichier est chiffré (protégé par un mot de passe) : enregistrez-le sans mot de passe.")
            )
        if member.file_size >= RATIO_CHECKED_FROM_BYTES and (
            member.file_size > bounds.ratio * max(member.compress_size, 1)
        ):
            raise ArchiveRefused(
                _(
                    "Le fichier est anormalement compressé (plus de %(ratio)s fois) : c'est la "
                    "marque d'une « bombe de décompression ». Enregistrez-le à nouveau depuis "
                    "votre logiciel."
                )
                % {"ratio": bounds.ratio}
            )
    return members


def open_checked(source) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """Open `source` (a seekable file) as a zip and check its bounds; the caller closes it.

    Raises ArchiveRefused when it is not a readable zip or breaks a bound.
    """
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ArchiveUnreadable(
            _("Le fichier compressé est illisible ou tronqué : enregistrez-le à nouveau.")
        ) from exc
    try:
        return archive, check_archive(archive)
    except ArchiveRefused:
        archive.close()
        raise
