"""Paths to the test data and writers for small FASTA and VCF files."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data"
HBB_FASTA = DATA / "patient" / "hbb.fa"
HBB_VCF = DATA / "patient" / "hbb_patient.vcf"
YEAST_2BIT = DATA / "genomes" / "sacCer3.2bit"
CRISPOR_SAMPLE_FASTA = DATA / "crispr" / "crispor_sample_sacCer3.fa"
CRISPOR_SAMPLE_GUIDES = DATA / "crispr" / "crispor_sample_sacCer3_guides.tsv"

VCF_HEADER = (
    "##fileformat=VCFv4.3\n"
    "##contig=<ID={contig},length={length}>\n"
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tPATIENT\n"
)


def write_fasta(path: Path, records: dict[str, str], newline: str = "\n", width: int = 60) -> Path:
    """Write a FASTA file with the given line ending and line width."""
    lines = []
    for name, sequence in records.items():
        lines.append(f">{name}")
        lines.extend(sequence[i : i + width] for i in range(0, len(sequence), width))
    path.write_bytes((newline.join(lines) + newline).encode("latin-1"))
    return path


def write_vcf(path: Path, rows: list[str], contig: str = "HBB", length: int = 1475) -> Path:
    """Write a one-sample VCF; each row is the tab-separated record after the header."""
    path.write_text(VCF_HEADER.format(contig=contig, length=length) + "".join(r + "\n" for r in rows))
    return path
