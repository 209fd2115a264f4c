"""Decide whether an uploaded attachment may be kept, by what it *is*, and scan it for malware.

Two steps, each usable on its own; a caller runs both, ``inspect`` first:

``inspect(data, filename=..., max_bytes=...)``
    Reads at most ``max_bytes + 1`` bytes (a seekable stream is put back where it was) and
    decides the type from the content: magic numbers, and for ZIP-based office files the package
    structure. The filename and the browser's Content-Type are never trusted; the filename only
    names the file in messages and sets ``Inspected.filename_matches``. Store ``mime`` and
    ``extension`` from the result, never from the upload.

``scan(data, clamd_address=...)``
    Returns a :class:`ScanResult` or raises ``UploadRefused(code="infected")``.

Accepted (``ALLOWED_TYPES``): PDF; JPEG, PNG, GIF, WebP, TIFF and HEIC/HEIF images; plain text
(UTF-8, UTF-16 with a byte order mark or Windows-1252, without control characters), always
reported as ``text/plain`` with extension ``txt`` so that a CSV full of formulas or a ``.bat``
file is inert when opened; Word, Excel and PowerPoint (.docx, .xlsx, .pptx) and OpenDocument
(.odt, .ods, .odp) files without macros.

Refused, with ``UploadRefused.code``:

``empty``, ``too_large``
    Nothing to keep, or more than ``max_bytes``.
``archive``
    ZIP, RAR, 7z, gzip, bzip2, xz, zstd, lzip, tar, CAB, ISO disk images, and images or PDFs with
    a ZIP archive appended (polyglots). An archive hides its contents from the type check.
``bomb``
    An office file whose entries declare more than ``ZIP_MAX_EXPANSION`` × ``max_bytes`` or
    more than ``ZIP_MAX_ENTRIES`` entries.
``executable``
    Windows (MZ/PE), ELF, Mach-O (also universal) and Java class files, WebAssembly, Windows
    shortcuts (.lnk), and scripts with a ``#!`` line.
``macro``
    Office files with a VBA project, macro-enabled content types or Excel 4.0 macro sheets,
    OpenDocument files with Basic or script libraries, and every OLE2 compound file (old .doc,
    .xls, .ppt, .msg, .msi): they carry macros or installers and cannot be checked cheaply.
``active_content``
    Text a browser would run: HTML and SVG documents, and any text containing ``<script``.
``unknown_type``
    Everything else, including RTF (it embeds OLE objects).
``infected``, ``scanner_unavailable``
    From ``scan``.

The scanning boundary (DESIGN.md §7)
------------------------------------
With ``clamd_address`` set (``"unix:/run/clamav/clamd.ctl"`` or ``"tcp:host:3310"``; production
must set it) the whole file is streamed to clamd with the INSTREAM command. Anything but a
clear ``OK`` or ``FOUND`` verdict -- no connection, a timeout, an ``ERROR`` such as a file larger
than clamd's ``StreamMaxLength`` -- raises ``UploadRefused(code="scanner_unavailable")``: with a
scanner configured, nothing is accepted unscanned.

With ``clamd_address=None`` there is no virus scanner. A built-in stub recognises only the
standard EICAR test string (in the first ``BUILTIN_SCAN_BYTES``, not only at the start as the
official definition has it), so the refusal path can be tested end to end without ClamAV;
every other file comes back as ``ScanResult("not_scanned", "", "builtin")``, never as
``"clean"``, so a caller can record that it was not scanned. The stub finds no real malware.

The EICAR string is assembled from two halves here and in the tests, so that a virus scanner on
a developer's machine does not quarantine the source files.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import lzma
import re
import socket
import struct
import zipfile
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Final, Literal

from django.core.exceptions import ImproperlyConfigured
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

RefusalCode = Literal["empty", "too_large", "archive", "bomb", "executable", "macro",
                      "active_content", "unknown_type", "infected", "scanner_unavailable"]
ScanStatus = Literal["clean", "infected", "not_scanned"]

ZIP_MAX_EXPANSION: Final = 20
ZIP_MAX_ENTRIES: Final = 10_000
CLAMD_TIMEOUT: Final = 30.0
BUILTIN_SCAN_BYTES: Final = 64 * 1024
EICAR: Final = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$"
                + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").encode()
EICAR_SIGNATURE: Final = "Eicar-Test-Signature"

_CHUNK = 64 * 1024
_ZIP_ENTRY_READ_LIMIT = 1024 * 1024
_CLAMD_REPLY_LIMIT = 4096


class UploadRefused(ValueError):
    """The upload may not be kept; ``message`` is for the user, ``code`` for the program.

    For ``code == "infected"``, ``scan_result`` holds the scanner and signature (for the audit
    log; the message does not name the signature).
    """

    def __init__(self, message: str, code: RefusalCode, *,
                 scan_result: ScanResult | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.scan_result = scan_result


@dataclass(frozen=True)
class FileType:
    mime: str
    extension: str
    label: Promise
    aliases: frozenset[str]


@dataclass(frozen=True)
class Inspected:
    mime: str
    extension: str
    label: str | Promise
    size: int
    sha256: str
    # False when the filename's extension names another type than the content ("photo.jpg"
    # that is a PDF); the upload is accepted all the same, as what its content is.
    filename_matches: bool = True


@dataclass(frozen=True)
class ScanResult:
    status: ScanStatus
    signature: str
    scanner: Literal["clamd", "builtin"]


def _type(mime: str, extension: str, label: Promise, *aliases: str) -> FileType:
    return FileType(mime, extension, label, frozenset({extension, *aliases}))


_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
PDF = _type("application/pdf", "pdf", gettext_lazy("PDF document"))
JPEG = _type("image/jpeg", "jpg", gettext_lazy("JPEG image"), "jpeg", "jpe", "jfif")
PNG = _type("image/png", "png", gettext_lazy("PNG image"))
GIF = _type("image/gif", "gif", gettext_lazy("GIF image"))
WEBP = _type("image/webp", "webp", gettext_lazy("WebP image"))
TIFF = _type("image/tiff", "tiff", gettext_lazy("TIFF image"), "tif")
HEIC = _type("image/heic", "heic", gettext_lazy("HEIC image"), "heif")
HEIF = _type("image/heif", "heif", gettext_lazy("HEIF image"), "heic")
TEXT = _type("text/plain", "txt", gettext_lazy("Text file"),
             "text", "csv", "tsv", "log", "eml", "md", "asc")
DOCX = _type(_OOXML + "wordprocessingml.document", "docx", gettext_lazy("Word document"))
XLSX = _type(_OOXML + "spreadsheetml.sheet", "xlsx", gettext_lazy("Excel spreadsheet"))
PPTX = _type(_OOXML + "presentationml.presentation", "pptx",
             gettext_lazy("PowerPoint presentation"), "ppsx")
ODT = _type(_ODF + "text", "odt", gettext_lazy("OpenDocument text"))
ODS = _type(_ODF + "spreadsheet", "ods", gettext_lazy("OpenDocument spreadsheet"))
ODP = _type(_ODF + "presentation", "odp", gettext_lazy("OpenDocument presentation"))
ALLOWED_TYPES: Final = (PDF, JPEG, PNG, GIF, WEBP, TIFF, HEIC, HEIF, TEXT,
                        DOCX, XLSX, PPTX, ODT, ODS, ODP)

# Refused by their first bytes, most specific first.
_REFUSED_PREFIXES: Final[tuple[tuple[bytes, RefusalCode], ...]] = (
    (b"\x7fELF", "executable"),
    (b"\xfe\xed\xfa\xce", "executable"), (b"\xfe\xed\xfa\xcf", "executable"),  # Mach-O
    (b"\xce\xfa\xed\xfe", "executable"), (b"\xcf\xfa\xed\xfe", "executable"),
    (b"\xca\xfe\xba\xbe", "executable"),  # Mach-O universal binary, or a Java class file
    (b"\xca\xfe\xba\xbf", "executable"),
    (b"\x00asm", "executable"),  # WebAssembly
    (b"L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00F",
     "executable"),  # Windows shortcut (.lnk)
    (b"#!", "executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "macro"),  # OLE2: .doc, .xls, .ppt, .msg, .msi
    (b"Rar!\x1a\x07", "archive"),
    (b"7z\xbc\xaf\x27\x1c", "archive"),
    (b"\x1f\x8b", "archive"),  # gzip
    (b"\x1f\x9d", "archive"), (b"\x1f\xa0", "archive"),  # compress
    (b"\xfd7zXZ\x00", "archive"),
    (b"\x28\xb5\x2f\xfd", "archive"),  # zstd
    (b"\x04\x22\x4d\x18", "archive"),  # lz4
    (b"LZIP", "archive"),
    (b"MSCF\x00\x00\x00\x00", "archive"),  # Windows cabinet
    (b"PK\x05\x06", "archive"), (b"PK\x07\x08", "archive"),  # empty or spanned ZIP
)
_BZIP2 = re.compile(rb"BZh[1-9](?:1AY&SY|\x17rE8P\x90)")
_ISO9660 = re.compile(rb"[\x00-\x03\xff]CD001\x01")
_TAR_MAGIC = (b"ustar\x0000", b"ustar  \x00")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x19\x1c-\x1f]")
# Text may hold tab, newlines, vertical tab, form feed, SUB (DOS end of file) and ESC.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x19\x1c-\x1f]")
# Not shown in a filename: control characters and bidirectional overrides ("gpj.exe").
_HIDDEN_IN_NAMES = re.compile("[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, struct.error, OSError,
               ValueError, EOFError, RuntimeError, NotImplementedError)
# Documents a browser renders: after XML declarations, processing instructions and comments,
# an HTML or SVG doctype or one of the tags by which browsers sniff HTML (WHATWG MIME Sniffing).
# Each prefix can be matched one way only, so the pattern cannot backtrack exponentially.
_MARKUP_START = re.compile(
    r"\A\s*(?:(?:<\?[^>]*>|<!--(?:[^-]|-(?!->))*-->)\s*)*"
    r"(?:<!doctype\s+(?:html|svg)|<(?:html|head|body|svg|script|iframe|object|embed|style"
    r"|title|div|table|font|h1|a|b|br|p|math|xsl:stylesheet)[\s/>])",
    re.IGNORECASE | re.DOTALL)
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})


def inspect(data: BinaryIO | bytes, *, filename: str = "", max_bytes: int) -> Inspected:
    """The type of an upload decided from its content; raises :class:`UploadRefused`."""
    if max_bytes < 1:
        raise ValueError("max_bytes must be at least 1")
    name = _display_name(filename)
    content = _read(data, max_bytes + 1)
    if not content:
        raise UploadRefused(_("%(name)s is empty.") % {"name": name}, "empty")
    if len(content) > max_bytes:
        raise UploadRefused(
            _("%(name)s is larger than the limit of %(limit)s.")
            % {"name": name, "limit": filesizeformat(max_bytes)}, "too_large")
    kind = _identify(content, name, max_bytes)
    base = _basename(filename)
    claimed = base.rsplit(".", 1)[1].lower() if "." in base else ""
    return Inspected(mime=kind.mime, extension=kind.extension, label=kind.label,
                     size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                     filename_matches=not claimed or claimed in kind.aliases)


def _identify(content: bytes, name: str, max_bytes: int) -> FileType:
    _refuse_by_signature(content, name)
    if content.startswith(b"PK\x03\x04"):
        return _zip_type(content, name, max_bytes)
    kind = _binary_type(content)
    if kind is not None:
        if _ends_in_zip(content):
            raise UploadRefused(
                _("%(name)s has an archive hidden inside it and cannot be accepted.")
                % {"name": name}, "archive")
        return kind
    if content.lstrip().startswith(b"{\\rtf"):
        raise UploadRefused(
            _("%(name)s is an RTF document, which can hide embedded objects. "
              "Save it as PDF or as a .docx document.") % {"name": name}, "unknown_type")
    text = _decode_text(content)
    if text is None:
        raise UploadRefused(
            _("%(name)s is not a type of file that can be accepted. Accepted are PDF, images "
              "(JPEG, PNG, GIF, WebP, TIFF, HEIC), plain text, Word, Excel and PowerPoint "
              "files (.docx, .xlsx, .pptx) and OpenDocument files.") % {"name": name},
            "unknown_type")
    if _MARKUP_START.match(text) or "<script" in text.lower():
        raise UploadRefused(
            _("%(name)s is a web page or image in which a browser would run scripts. "
              "Save it as PDF or upload a screenshot instead.") % {"name": name},
            "active_content")
    return TEXT


def _refuse_by_signature(content: bytes, name: str) -> None:
    code: RefusalCode | None = None
    for magic, refused in _REFUSED_PREFIXES:
        if content.startswith(magic):
            code = refused
            break
    else:
        if _is_dos_executable(content):
            code = "executable"
        elif _BZIP2.match(content) or _is_tar(content) or _is_iso9660(content):
            code = "archive"
    if code == "executable":
        raise UploadRefused(
            _("%(name)s is a program or script. Programs and scripts are not accepted.")
            % {"name": name}, code)
    if code == "macro":
        raise UploadRefused(
            _("%(name)s is an old-style Office file (.doc, .xls, .ppt), an Outlook message or "
              "a Windows installer, which can carry macros or programs. Save it as PDF or as "
              "a .docx, .xlsx or .pptx file.") % {"name": name}, code)
    if code == "archive":
        raise _archive_refused(name)


def _archive_refused(name: str) -> UploadRefused:
    return UploadRefused(
        _("%(name)s is an archive (such as ZIP, RAR or 7z). Upload the files inside it one "
          "by one.") % {"name": name}, "archive")


def _is_dos_executable(content: bytes) -> bool:
    # Every real MZ header has binary fields; "MZ Shipping B.V.;..." is a line of text.
    return content.startswith(b"MZ") and _CONTROL_BYTES.search(content, 0, 64) is not None


def _is_tar(content: bytes) -> bool:
    if len(content) < 512:
        return False
    header = content[:512]
    if header[257:265] in _TAR_MAGIC:
        return True
    stored = header[148:156].strip(b"\x00 ")
    if not stored or not all(48 <= c <= 55 for c in stored):  # octal digits only
        return False
    return int(stored, 8) == sum(header[:148]) + 8 * 32 + sum(header[156:])


def _is_iso9660(content: bytes) -> bool:
    return any(_ISO9660.match(content, offset) for offset in (0x8000, 0x8800, 0x9000))


def _binary_type(content: bytes) -> FileType | None:
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if content.startswith(b"RIFF") and content[8:12] == b"WEBP":
        return WEBP
    if content.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return TIFF
    return _heif_type(content)


def _heif_type(content: bytes) -> FileType | None:
    """HEIC/HEIF by the ISO base media ``ftyp`` box; other brands (MP4, AVIF, ...) are not."""
    if content[4:8] != b"ftyp" or len(content) < 16:
        return None
    box_size = min(struct.unpack(">I", content[:4])[0], len(content), 4096)
    major = content[8:12]
    brands = {major} | {content[i:i + 4] for i in range(16, box_size - 3, 4)}
    if brands & _HEIC_BRANDS:
        return HEIC
    if major in (b"mif1", b"msf1") and not brands & {b"avif", b"avis"}:
        return HEIF
    return None


def _ends_in_zip(content: bytes) -> bool:
    """A ZIP archive appended to an image or PDF (a polyglot), found as ZIP readers find it."""
    if b"PK\x05\x06" not in content[-(65_536 + 22):]:
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return bool(archive.infolist())
    except _ZIP_ERRORS:
        return False


def _zip_type(content: bytes, name: str, max_bytes: int) -> FileType:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            if (len(infos) > ZIP_MAX_ENTRIES
                    or sum(info.file_size for info in infos) > ZIP_MAX_EXPANSION * max_bytes):
                raise UploadRefused(
                    _("%(name)s unpacks to far more data than it holds (a “zip bomb”) and "
                      "cannot be accepted.") % {"name": name}, "bomb")
            names = [info.filename for info in infos]
            kind = _office_type(archive, names, name) or _opendocument_type(archive, names, name)
    except UploadRefused:
        raise
    except _ZIP_ERRORS as error:
        # Unreadable, encrypted or using an unsupported compression: not an office file.
        logger.info("ZIP upload %s is not readable as an office file: %s", name, error)
        raise _archive_refused(name) from None
    if kind is None:
        raise _archive_refused(name)
    return kind


def _macro_refused(name: str) -> UploadRefused:
    return UploadRefused(
        _("%(name)s contains macros or can contain them. Save it without macros (as .docx, "
          ".xlsx, .pptx or OpenDocument) or as PDF.") % {"name": name}, "macro")


def _office_type(archive: zipfile.ZipFile, names: list[str], name: str) -> FileType | None:
    """Office Open XML: ``[Content_Types].xml`` plus the parts of exactly one application."""
    if "[Content_Types].xml" not in names:
        return None
    lowered = [entry.lower() for entry in names]
    content_types = _read_entry(archive, "[Content_Types].xml").decode("utf-8", "replace")
    content_types = content_types.lower()
    if (any(entry.endswith("vbaproject.bin") or "/macrosheets/" in entry for entry in lowered)
            or "macroenabled" in content_types or "macrosheet" in content_types
            or "vbaproject" in content_types):
        raise _macro_refused(name)
    found = [kind for kind, prefix in ((DOCX, "word/"), (XLSX, "xl/"), (PPTX, "ppt/"))
             if any(entry.startswith(prefix) for entry in lowered)]
    return found[0] if len(found) == 1 else None


def _opendocument_type(archive: zipfile.ZipFile, names: list[str],
                       name: str) -> FileType | None:
    if "mimetype" not in names:
        return None
    mime = _read_entry(archive, "mimetype", limit=200).decode("ascii", "replace").strip()
    kind = {ODT.mime: ODT, ODS.mime: ODS, ODP.mime: ODP}.get(mime)
    if kind is not None and any(entry.startswith(("Basic/", "Scripts/")) for entry in names):
        raise _macro_refused(name)
    return kind


def _read_entry(archive: zipfile.ZipFile, entry: str,
                limit: int = _ZIP_ENTRY_READ_LIMIT) -> bytes:
    """At most ``limit`` bytes of one entry, however large it claims or turns out to be."""
    with archive.open(entry) as stream:
        return stream.read(limit)


def _decode_text(content: bytes) -> str | None:
    if content.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return None
    if content.startswith(codecs.BOM_UTF8):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    elif b"\x00" in content:
        return None
    else:
        encodings = ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if _CONTROL_CHARS.search(text) else text.lstrip("\ufeff")
    return None


def scan(data: bytes | BinaryIO, *, clamd_address: str | None, filename: str = "",
         timeout: float = CLAMD_TIMEOUT) -> ScanResult:
    """Scan with clamd at ``clamd_address``, or with the EICAR-only stub when it is ``None``.

    Raises ``UploadRefused`` with code ``infected`` (``scan_result`` tells by what) or, when a
    configured clamd gives no verdict, ``scanner_unavailable``. A seekable stream is put back
    where it was.
    """
    name = _display_name(filename)
    if clamd_address is None:
        if EICAR in _read(data, BUILTIN_SCAN_BYTES):
            raise _infected(name, ScanResult("infected", EICAR_SIGNATURE, "builtin"))
        return ScanResult("not_scanned", "", "builtin")
    target = parse_clamd_address(clamd_address)
    chunks = _chunks(data)
    try:
        reply = _clamd_instream(target, chunks, timeout)
    except OSError as error:
        logger.warning("clamd at %s could not scan %s: %r", clamd_address, name, error)
        raise _unavailable(name) from error
    finally:
        chunks.close()  # puts a seekable stream back now, not when garbage collected
    verdict = reply.removeprefix("stream:").strip()
    if verdict == "OK":
        return ScanResult("clean", "", "clamd")
    if verdict.endswith(" FOUND"):
        signature = verdict.removesuffix(" FOUND").strip()
        logger.warning("clamd found %s in %s", signature, name)
        raise _infected(name, ScanResult("infected", signature, "clamd"))
    logger.warning("clamd at %s gave no verdict on %s: %r", clamd_address, name, reply)
    raise _unavailable(name)


def parse_clamd_address(address: str) -> str | tuple[str, int]:
    """``"unix:/path"`` → the socket path; ``"tcp:host:port"`` → ``(host, port)``.

    Raises ``ImproperlyConfigured`` for anything else, so that settings can check it at start.
    """
    if address.startswith("unix:") and len(address) > len("unix:"):
        return address.removeprefix("unix:")
    if address.startswith("tcp:"):
        host, _colon, port = address.removeprefix("tcp:").rpartition(":")
        host = host.removeprefix("[").removesuffix("]")
        if host and port.isdigit() and 0 < int(port) < 65_536:
            return host, int(port)
    raise ImproperlyConfigured(
        f"A clamd address is 'unix:/path/to/clamd.ctl' or 'tcp:host:port', not {address!r}")


def _clamd_instream(target: str | tuple[str, int], chunks: Iterator[bytes],
                    timeout: float) -> str:
    if isinstance(target, str):
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        try:
            connection.connect(target)
        except OSError:
            connection.close()
            raise
    else:
        connection = socket.create_connection(target, timeout=timeout)
    with connection:
        try:
            connection.sendall(b"zINSTREAM\x00")
            for chunk in chunks:
                connection.sendall(struct.pack(">I", len(chunk)) + chunk)
            connection.sendall(struct.pack(">I", 0))
        except (BrokenPipeError, ConnectionResetError):
            pass  # clamd stops reading when it refuses (size limit): its reply says why
        reply = b""
        while b"\x00" not in reply and len(reply) < _CLAMD_REPLY_LIMIT:
            received = connection.recv(_CLAMD_REPLY_LIMIT)
            if not received:
                break
            reply += received
    if not reply:
        raise ConnectionAbortedError("clamd closed the connection without a reply")
    return reply.split(b"\x00", 1)[0].decode("utf-8", "replace").strip()


def _infected(name: str, result: ScanResult) -> UploadRefused:
    return UploadRefused(
        _("%(name)s was recognised as malware and has been refused.") % {"name": name},
        "infected", scan_result=result)


def _unavailable(name: str) -> UploadRefused:
    return UploadRefused(
        _("%(name)s could not be checked for viruses because the virus scanner is not "
          "available. Please try again later.") % {"name": name}, "scanner_unavailable")


def _read(data: BinaryIO | bytes, limit: int) -> bytes:
    """At most ``limit`` bytes from the current position; a seekable stream is put back."""
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data[:limit])
    return b"".join(_chunks(data, limit))


def _chunks(data: BinaryIO | bytes, limit: int | None = None) -> Generator[bytes, None, None]:
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data)[:limit]
        for start in range(0, len(view), _CHUNK):
            yield bytes(view[start:start + _CHUNK])
        return
    start_position = _tell(data)
    remaining = limit
    try:
        while remaining is None or remaining > 0:
            chunk = data.read(_CHUNK if remaining is None else min(_CHUNK, remaining))
            if not chunk:
                break
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk
    finally:
        if start_position is not None:
            data.seek(start_position)


def _tell(stream: BinaryIO) -> int | None:
    try:
        return stream.tell() if stream.seekable() else None
    except (AttributeError, OSError, ValueError):
        return None


def _basename(filename: str) -> str:
    return filename.replace("\\", "/").rsplit("/", 1)[-1]


def _display_name(filename: str) -> str:
    shown = _HIDDEN_IN_NAMES.sub("", _basename(filename)).strip()[:100]
    return f"“{shown}”" if shown else _("The file")
