"""Read a region of a reference genome from FASTA (pyfaidx) or UCSC 2bit (twobitreader).

FASTA files with any line ending (``\\n``, ``\\r\\n`` or a lone ``\\r``) and
with lines of uneven length are accepted. pyfaidx reads ``\\n`` and
``\\r\\n`` files with even lines directly. Any other file is first
rewritten to a normalised temporary copy. The ``.fai`` index is written to
the temporary directory, never beside the input, so read-only inputs work.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyfaidx
import twobitreader

from sim.genomic.errors import ContigNotFoundError, RegionError, SequenceError
from sim.genomic.sequence import Region, parse_region, validate_sequence

__all__ = ["ReferenceRegion", "contig_sizes", "iter_contigs", "read_reference"]

_TWOBIT_MAGIC = (b"\x43\x27\x41\x1a", b"\x1a\x41\x27\x43")
_GZIP_MAGIC = b"\x1f\x8b"
_FASTA_LINE_NT = 60
# Bytes scanned for a lone carriage return before pyfaidx is tried. A file with
# mixed endings further on fails pyfaidx's line-length check, so it is normalised then.
_LINE_ENDING_PROBE_BYTES = 1 << 20


@dataclass(frozen=True)
class ReferenceRegion:
    """A region of a reference genome with its sequence.

    Attributes
    ----------
    region : Region
        The resolved region, 1-based inclusive.
    sequence : str
        The region's sequence as stored (lowercase is soft-masked).
    contig_length : int
        Length of the whole contig in nucleotides.
    contig_names : tuple of str
        Every contig in the reference file, for checking VCF contigs.
    """

    region: Region
    sequence: str
    contig_length: int
    contig_names: tuple[str, ...]

    @property
    def start(self) -> int:
        """1-based coordinate of ``sequence[0]``."""
        assert self.region.start is not None
        return self.region.start


def read_reference(path: Path | str, region: Region | str | None = None) -> ReferenceRegion:
    """Read and validate one region of a FASTA or 2bit reference.

    Parameters
    ----------
    path : Path or str
        Uncompressed FASTA file or UCSC 2bit file.
    region : Region or str, optional
        ``CONTIG`` or ``CONTIG:START-END`` (1-based, inclusive). May be
        omitted only when the reference has a single contig.

    Raises
    ------
    SequenceError
        If the file is unreadable or the region contains a non-IUPAC character.
    ContigNotFoundError
        If the contig is not in the file.
    RegionError
        If the region extends past the end of the contig.
    """
    with _open_reference(Path(path)) as contigs:
        names = tuple(contigs.keys())
        resolved = _resolve_region(region, contigs, path)
        assert resolved.start is not None and resolved.end is not None
        sequence = str(contigs[resolved.contig][resolved.start - 1 : resolved.end])
        contig_length = len(contigs[resolved.contig])

    validate_sequence(sequence, contig=resolved.contig, offset=resolved.start)
    return ReferenceRegion(resolved, sequence, contig_length, names)


def contig_sizes(path: Path | str) -> dict[str, int]:
    """Return each contig's length in nucleotides, in file order."""
    with _open_reference(Path(path)) as contigs:
        return {name: len(contigs[name]) for name in contigs.keys()}


def iter_contigs(path: Path | str) -> Iterator[tuple[str, str]]:
    """Yield ``(name, sequence)`` for every contig, validating each sequence."""
    with _open_reference(Path(path)) as contigs:
        for name in list(contigs.keys()):
            sequence = str(contigs[name][:])
            validate_sequence(sequence, contig=name)
            yield name, sequence


def _resolve_region(region: Region | str | None, contigs: dict, path: Path | str) -> Region:  # type: ignore[type-arg]
    if region is None:
        if len(contigs) != 1:
            shown = ", ".join(list(contigs.keys())[:5])
            raise RegionError(
                f"region is required because {Path(path).name} has {len(contigs)} contigs "
                f"({shown}{', ...' if len(contigs) > 5 else ''}); pass e.g. CONTIG:START-END"
            )
        region = Region(next(iter(contigs.keys())))
    elif isinstance(region, str):
        region = parse_region(region)

    if region.contig not in contigs:
        shown = ", ".join(list(contigs.keys())[:10])
        raise ContigNotFoundError(
            f"contig {region.contig!r} not found in {Path(path).name}; "
            f"available contigs: {shown}{', ...' if len(contigs) > 10 else ''}"
        )
    length = len(contigs[region.contig])
    if region.start is None:
        return Region(region.contig, 1, length)
    assert region.end is not None
    if region.end > length:
        raise RegionError(
            f"region {region} ends past the end of {region.contig} ({length} nt); use an end of at most {length}"
        )
    return region


@contextmanager
def _open_reference(path: Path) -> Iterator[dict]:  # type: ignore[type-arg]
    """Open a reference as a mapping of contig name to a sliceable sequence."""
    if path.is_dir():
        raise SequenceError(f"reference {str(path)!r} is a folder; give the path of a FASTA or 2bit file")
    if not path.is_file():
        raise SequenceError(f"reference file {str(path)!r} not found; check the path")
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic in _TWOBIT_MAGIC:
        reader = twobitreader.TwoBitFile(str(path))
        try:
            yield reader
        finally:
            reader.close()
        return
    if magic.startswith(_GZIP_MAGIC):
        raise SequenceError(
            f"{path.name} is gzip-compressed; decompress it (gunzip) or convert it to 2bit (faToTwoBit)"
        )
    fasta = _open_fasta(path)
    try:
        yield {name: fasta[name] for name in fasta.keys()}
    finally:
        fasta.close()


def _open_fasta(original: Path) -> pyfaidx.Fasta:
    _check_fasta_header(original)
    path = _normalised_copy(original) if _has_lone_carriage_return(original) else original
    try:
        return _faidx(path)
    except pyfaidx.FastaIndexingError:
        # pyfaidx needs lines of one width within a record, so uneven lines are rewritten.
        path = _normalised_copy(original)
    except ValueError as error:
        raise SequenceError(f"cannot read FASTA file {original.name}: {error}") from error
    try:
        return _faidx(path)
    except ValueError as error:
        raise SequenceError(f"cannot read FASTA file {original.name}: {error}") from error


def _faidx(path: Path) -> pyfaidx.Fasta:
    index = _cache_dir(path) / (path.name + ".fai")
    return pyfaidx.Fasta(str(path), indexname=str(index), as_raw=True, sequence_always_upper=False)


def _check_fasta_header(path: Path) -> None:
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip()
    if not head.startswith(b">"):
        raise SequenceError(
            f"{path.name} is neither FASTA nor 2bit: a FASTA file must start with a "
            "'>' header line and a 2bit file with its magic number"
        )


def _has_lone_carriage_return(path: Path) -> bool:
    with path.open("rb") as handle:
        probe = handle.read(_LINE_ENDING_PROBE_BYTES)
    return b"\r" in probe.replace(b"\r\n", b"")


def _cache_dir(path: Path) -> Path:
    stat = path.stat()
    key = f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()
    directory = Path(tempfile.gettempdir()) / "consent-ledger-faidx" / hashlib.sha1(key).hexdigest()
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _normalised_copy(path: Path) -> Path:
    """Rewrite a FASTA with ``\\n`` endings and even line lengths, once per input version."""
    target = _cache_dir(path) / ("normalised-" + path.name)
    if target.exists():
        return target
    partial = target.with_suffix(".partial")
    # latin-1 maps every byte to one character, so a stray byte reaches
    # validate_sequence and is reported with its position instead of being lost.
    with path.open(newline=None, encoding="latin-1") as source:
        with partial.open("w", newline="\n", encoding="latin-1") as sink:
            _copy_fasta_records(source, sink)
    os.replace(partial, target)
    return target


def _copy_fasta_records(source: Iterator[str], sink) -> None:  # type: ignore[no-untyped-def]
    pending = ""
    for line in source:
        line = line.rstrip("\n")
        if line.startswith(">"):
            _flush(sink, pending, final=True)
            pending = ""
            sink.write(line + "\n")
            continue
        pending += line.rstrip(" \t")
        pending = _flush(sink, pending, final=False)
    _flush(sink, pending, final=True)


def _flush(sink, pending: str, *, final: bool) -> str:  # type: ignore[no-untyped-def]
    whole = len(pending) - len(pending) % _FASTA_LINE_NT
    for start in range(0, whole, _FASTA_LINE_NT):
        sink.write(pending[start : start + _FASTA_LINE_NT] + "\n")
    rest = pending[whole:]
    if final and rest:
        sink.write(rest + "\n")
        return ""
    return rest
