"""Index of every SpCas9 PAM-adjacent 20-mer of a genome, built once and saved as ``.npz``.

Every site with an NGG, NAG or NGA PAM on either strand is stored as its
20-mer in guide orientation (2-bit packed), contig, plus-strand start,
strand and PAM. Sites whose 20-mer or PAM contains a base other than A, C,
G or T are left out, since no guide can be scored against them. Sites are
sorted by their PAM-distal half so that every half-key is a contiguous
slice (``left_offsets``); a second permutation sorts by the PAM-proximal
half. :mod:`sim.genomic.offtarget.search` uses both for a pigeonhole search.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.genomic.errors import IndexFileError
from sim.genomic.offtarget.encoding import HALF_BITS, HALF_MASK, SPACER_NT, encode, pack_windows
from sim.genomic.reference import contig_sizes, iter_contigs

__all__ = ["INDEX_FORMAT", "OfftargetIndex", "build_index", "genome_fingerprint", "load_index"]

#: Version of the saved layout. Loading an index of another version raises IndexFileError.
INDEX_FORMAT = 1
_SITE_NT = SPACER_NT + 3
_A, _C, _G, _T = 0, 1, 2, 3
#: PAM rules indexed, as (second, third) base codes in guide orientation.
INDEXED_PAMS = {"NGG": (_G, _G), "NAG": (_A, _G), "NGA": (_G, _A)}
_KEYS = 1 << HALF_BITS
_ARRAY_NAMES = ("kmers", "contigs", "starts", "strands", "pams", "right_order")


@dataclass(frozen=True)
class OfftargetIndex:
    """PAM-adjacent sites of one genome, sorted by PAM-distal half.

    Attributes
    ----------
    kmers : ndarray of uint64
        20-mers in guide orientation.
    contigs : ndarray of uint16
        Index into ``contig_names``.
    starts : ndarray of uint32
        0-based plus-strand start of the 23-nt site (protospacer and PAM).
    strands : ndarray of uint8
        0 for plus, 1 for minus.
    pams : ndarray of uint8
        PAM in guide orientation, three 2-bit codes.
    right_order : ndarray of uint32
        Permutation sorting the sites by PAM-proximal half.
    contig_names : tuple of str
        Contig names in file order.
    contig_lengths : tuple of int
        Contig lengths in nucleotides.
    fingerprint : str
        Hash of the contig names and lengths, checked on load.
    """

    kmers: np.ndarray
    contigs: np.ndarray
    starts: np.ndarray
    strands: np.ndarray
    pams: np.ndarray
    right_order: np.ndarray
    contig_names: tuple[str, ...]
    contig_lengths: tuple[int, ...]
    fingerprint: str

    def __len__(self) -> int:
        return len(self.kmers)

    @property
    def nbytes(self) -> int:
        """Size of the stored arrays in bytes."""
        arrays = (self.kmers, self.contigs, self.starts, self.strands, self.pams, self.right_order)
        return sum(array.nbytes for array in arrays)

    def left_offsets(self) -> np.ndarray:
        """Start of each PAM-distal half-key's slice (length ``2**20 + 1``)."""
        return _offsets(self.kmers >> np.uint64(HALF_BITS))

    def right_sorted(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the 20-mers sorted by PAM-proximal half, and that half's slice starts."""
        kmers = self.kmers[self.right_order]
        return kmers, _offsets(kmers & HALF_MASK)

    def save(self, path: Path | str) -> Path:
        """Write the index as an uncompressed ``.npz`` (written to a temporary name, then renamed)."""
        target = Path(path)
        partial = target.with_name(target.name + ".partial.npz")
        meta = {
            "format": INDEX_FORMAT,
            "contig_names": list(self.contig_names),
            "contig_lengths": list(self.contig_lengths),
            "fingerprint": self.fingerprint,
        }
        np.savez(
            partial,
            kmers=self.kmers, contigs=self.contigs, starts=self.starts, strands=self.strands,
            pams=self.pams, right_order=self.right_order, meta=np.array(json.dumps(meta)),
        )  # fmt: skip
        os.replace(partial, target)
        return target


def _offsets(keys: np.ndarray) -> np.ndarray:
    counts = np.bincount(keys.astype(np.int64), minlength=_KEYS)
    offsets = np.zeros(_KEYS + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets


def genome_fingerprint(sizes: dict[str, int]) -> str:
    """Hash contig names and lengths, to tell genomes apart cheaply."""
    text = "\n".join(f"{name}\t{length}" for name, length in sizes.items())
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build_index(genome: Path | str, progress: Callable[[str, int, int], None] | None = None) -> OfftargetIndex:
    """Index every NGG, NAG and NGA site of a FASTA or 2bit genome.

    Parameters
    ----------
    genome : Path or str
        Genome file; every contig is indexed.
    progress : callable, optional
        Called as ``progress(contig, nucleotides_done, nucleotides_total)``
        after each contig.
    """
    sizes = contig_sizes(genome)
    total, done = sum(sizes.values()), 0
    parts = []
    for number, (name, sequence) in enumerate(iter_contigs(genome)):
        parts.append(_contig_sites(encode(sequence), number))
        done += len(sequence)
        if progress is not None:
            progress(name, done, total)

    kmers, contigs, starts, strands, pams = (np.concatenate(column) for column in zip(*parts, strict=True))
    order = np.argsort(kmers >> np.uint64(HALF_BITS), kind="stable")
    kmers, contigs, starts, strands, pams = (a[order] for a in (kmers, contigs, starts, strands, pams))
    right_order = np.argsort(kmers & HALF_MASK, kind="stable").astype(np.uint32)
    return OfftargetIndex(
        kmers, contigs, starts, strands, pams, right_order,
        tuple(sizes), tuple(sizes.values()), genome_fingerprint(sizes),
    )  # fmt: skip


def _contig_sites(codes: np.ndarray, number: int) -> tuple[np.ndarray, ...]:
    sites = len(codes) - _SITE_NT + 1
    if sites <= 0:
        empty = np.zeros(0, dtype=np.uint64)
        return empty, empty.astype(np.uint16), empty.astype(np.uint32), empty.astype(np.uint8), empty.astype(np.uint8)
    invalid = np.concatenate(([0], np.cumsum(codes >= 4)))
    # Windows of 23 nt with no invalid base: the 20-mer and all three PAM bases.
    clean = (invalid[_SITE_NT : _SITE_NT + sites] - invalid[:sites]) == 0
    forward = pack_windows(codes[: sites + SPACER_NT - 1])
    reverse = pack_windows(codes[3 : 3 + sites + SPACER_NT - 1], reverse_complement=True)

    plus = clean & _pam_matches(codes[21 : 21 + sites], codes[22 : 22 + sites])
    # Minus-strand PAM read on the plus strand is the reverse complement,
    # so its second and third bases are the complements of codes[q + 1], codes[q].
    minus = clean & _pam_matches(3 - codes[1 : 1 + sites], 3 - codes[:sites])

    plus_at, minus_at = np.flatnonzero(plus), np.flatnonzero(minus)
    plus_pam = _pam_code(codes[20 + plus_at], codes[21 + plus_at], codes[22 + plus_at])
    minus_pam = _pam_code(3 - codes[2 + minus_at], 3 - codes[1 + minus_at], 3 - codes[minus_at])
    return (
        np.concatenate((forward[plus_at], reverse[minus_at])),
        np.full(len(plus_at) + len(minus_at), number, dtype=np.uint16),
        np.concatenate((plus_at, minus_at)).astype(np.uint32),
        np.concatenate((np.zeros(len(plus_at)), np.ones(len(minus_at)))).astype(np.uint8),
        np.concatenate((plus_pam, minus_pam)).astype(np.uint8),
    )


def _pam_matches(second: np.ndarray, third: np.ndarray) -> np.ndarray:
    hit = np.zeros(len(second), dtype=bool)
    for base_2, base_3 in INDEXED_PAMS.values():
        hit |= (second == base_2) & (third == base_3)
    return hit


def _pam_code(first: np.ndarray, second: np.ndarray, third: np.ndarray) -> np.ndarray:
    return (first.astype(np.uint8) << 4) | (second.astype(np.uint8) << 2) | third.astype(np.uint8)


def load_index(path: Path | str, genome: Path | str | None = None) -> OfftargetIndex:
    """Load a saved index, checking its format and, if given, that it matches ``genome``.

    Raises
    ------
    IndexFileError
        If the file is missing, unreadable, of another format or built
        from another genome.
    """
    source = Path(path)
    if not source.is_file():
        raise IndexFileError(f"off-target index {str(source)!r} not found; build it first")
    meta, arrays = _read_index_file(source)
    if meta.get("format") != INDEX_FORMAT:
        raise IndexFileError(
            f"off-target index {source.name} has format {meta.get('format')}, expected "
            f"{INDEX_FORMAT}; delete it and rebuild"
        )
    if genome is not None and genome_fingerprint(contig_sizes(genome)) != meta.get("fingerprint"):
        raise IndexFileError(
            f"off-target index {source.name} was built from another genome than "
            f"{Path(genome).name}; delete it so that it is rebuilt from this genome, or give another index path"
        )
    return OfftargetIndex(
        **arrays,
        contig_names=tuple(meta["contig_names"]),
        contig_lengths=tuple(meta["contig_lengths"]),
        fingerprint=meta["fingerprint"],
    )


def _read_index_file(source: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read the metadata and arrays of an index file, without unpickling anything."""
    try:
        data = np.load(source, allow_pickle=False)
    except PermissionError as error:
        raise IndexFileError(f"cannot read off-target index {str(source)!r}: permission denied") from error
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise IndexFileError(_not_an_index(source)) from error
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise IndexFileError(_not_an_index(source))
    try:
        with data:
            meta = json.loads(str(data["meta"]))
            arrays = {key: data[key] for key in _ARRAY_NAMES}
    except (KeyError, OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise IndexFileError(_not_an_index(source)) from error
    if not isinstance(meta, dict):
        raise IndexFileError(_not_an_index(source))
    return meta, arrays


def _not_an_index(source: Path) -> str:
    return (
        f"{str(source)!r} is not an off-target index written by this tool, or it is damaged; "
        "delete it to rebuild the index, or give another index path"
    )
