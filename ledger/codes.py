"""Data classes and purposes as they appear on chain.

Both are short ASCII codes, left-aligned in a ``bytes32``, so the chain stores no free text and
an auditor can still read each event. Purposes are GA4GH Data Use Ontology (DUO) permission
terms, written as their CURIEs.
"""

from __future__ import annotations

DATA_CLASSES = ("genomic", "clinical")

# DUO permission terms (GA4GH Data Use Ontology, https://github.com/EBISPOT/DUO).
DUO_PURPOSES = {
    "GRU": "DUO:0000042",  # general research use
    "HMB": "DUO:0000006",  # health or medical or biomedical research
    "DS": "DUO:0000007",  # disease specific research
    "POA": "DUO:0000011",  # population origins or ancestry research only
}


def encode_label(text: str) -> bytes:
    """Encode an ASCII code of 1 to 32 characters as a left-aligned bytes32."""
    raw = text.encode("ascii")
    if not 1 <= len(raw) <= 32:
        raise ValueError(f"code {text!r} must be 1 to 32 ASCII characters")
    return raw.ljust(32, b"\0")


def decode_label(value: bytes) -> str:
    """Decode a left-aligned bytes32 code; undecodable bytes come back as 0x hex."""
    stripped = bytes(value).rstrip(b"\0")
    try:
        return stripped.decode("ascii")
    except UnicodeDecodeError:
        return "0x" + bytes(value).hex()


def normalise_data_class(name: str) -> str:
    """Return ``name`` if it is a known data class, else raise ValueError naming the choices."""
    if name not in DATA_CLASSES:
        raise ValueError(f"unknown data class {name!r}; use one of {', '.join(DATA_CLASSES)}")
    return name


def normalise_purpose(purpose: str) -> str:
    """Return the DUO CURIE for a DUO abbreviation or CURIE, or raise ValueError."""
    if purpose in DUO_PURPOSES:
        return DUO_PURPOSES[purpose]
    if purpose in DUO_PURPOSES.values():
        return purpose
    choices = ", ".join(f"{code} ({curie})" for code, curie in DUO_PURPOSES.items())
    raise ValueError(f"unknown purpose {purpose!r}; use a DUO permission term: {choices}")
