"""The report queries: SQL files in Athena's dialect (Trino), shipped with the function and run by Athena.

Locally the same files run on DuckDB, translated by the local Athena (sqlglot); there is no second copy.
"""

from __future__ import annotations

from pathlib import Path

QUERIES = Path(__file__).parent / "queries"


def query(name: str) -> str:
    """The text of `queries/<name>.sql`."""
    return (QUERIES / f"{name}.sql").read_text()
