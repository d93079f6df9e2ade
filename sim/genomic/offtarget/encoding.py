"""2-bit encoding of nucleotides and 20-mers packed into ``uint64``.

Codes: A=0, C=1, G=2, T=3, so the complement of ``c`` is ``3 - c`` and
XOR with 1, 2 or 3 turns a base into each of the three others. Any other
character gets :data:`INVALID`. A 20-mer packs into the low 40 bits with
position 1 (PAM-distal) in the highest pair, so its PAM-distal half
(positions 1-10) is ``value >> 20`` and its PAM-proximal half
``value & HALF_MASK``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "BASES",
    "HALF_BITS",
    "HALF_MASK",
    "INVALID",
    "SPACER_NT",
    "encode",
    "mismatch_bits",
    "mismatch_masks",
    "pack",
    "pack_windows",
    "unpack",
]

SPACER_NT = 20
HALF_NT = SPACER_NT // 2
HALF_BITS = 2 * HALF_NT
HALF_MASK = np.uint64((1 << HALF_BITS) - 1)
INVALID = 4
BASES = "ACGT"

_LOOKUP = np.full(256, INVALID, dtype=np.uint8)
for _code, _base in enumerate(BASES):
    _LOOKUP[ord(_base)] = _LOOKUP[ord(_base.lower())] = _code
# Low bit of every 2-bit pair in a packed 20-mer.
_PAIR_LOW_BITS = np.uint64(int("01" * SPACER_NT, 2))


def encode(sequence: str) -> np.ndarray:
    """Encode a sequence as ``uint8`` codes, either case; non-ACGT becomes :data:`INVALID`."""
    return _LOOKUP[np.frombuffer(sequence.encode("latin-1"), dtype=np.uint8)]


def pack(kmer: str) -> int:
    """Pack a 20-mer of A, C, G and T into an integer."""
    value = 0
    for code in encode(kmer):
        value = (value << 2) | int(code)
    return value


def unpack(value: int, length: int = SPACER_NT) -> str:
    """Unpack an integer made by :func:`pack`."""
    return "".join(BASES[(int(value) >> (2 * (length - 1 - i))) & 3] for i in range(length))


def pack_windows(codes: np.ndarray, *, reverse_complement: bool = False) -> np.ndarray:
    """Pack every 20-nt window of ``codes``; entry ``p`` covers ``codes[p : p + 20]``.

    With ``reverse_complement`` each window is packed as its reverse
    complement. Windows containing :data:`INVALID` hold meaningless values
    and must be masked by the caller.
    """
    count = len(codes) - SPACER_NT + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    packed = np.zeros(count, dtype=np.uint64)
    for offset in range(SPACER_NT):
        if reverse_complement:
            column = (3 - codes[SPACER_NT - 1 - offset : SPACER_NT - 1 - offset + count]) & 3
        else:
            column = codes[offset : offset + count] & 3
        packed = (packed << np.uint64(2)) | column.astype(np.uint64)
    return packed


def mismatch_bits(left: np.ndarray, right: np.ndarray | np.uint64) -> np.ndarray:
    """Return one set bit per mismatched position, at the low bit of its pair."""
    difference = np.bitwise_xor(left, right)
    bits: np.ndarray = (difference | (difference >> np.uint64(1))) & _PAIR_LOW_BITS
    return bits


def mismatch_masks(bits: np.ndarray) -> np.ndarray:
    """Convert :func:`mismatch_bits` output to ``uint32`` masks with bit ``i`` for position ``i + 1``."""
    masks = np.zeros(len(bits), dtype=np.uint32)
    for index in range(SPACER_NT):
        shift = np.uint64(2 * (SPACER_NT - 1 - index))
        masks |= (((bits >> shift) & np.uint64(1)).astype(np.uint32)) << np.uint32(index)
    return masks
