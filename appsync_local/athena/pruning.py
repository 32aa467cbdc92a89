"""Which objects a query reads: partition projection and `"$path"` predicates, as Athena applies them.

With partition projection Athena computes the partitions a query needs from its WHERE clause and reads only
their locations; a `"$path"` predicate likewise limits the files read (Trino pushes it down to the splits). So
an unreadable object in another hour, or another file of the same hour, does not fail a query that does not
read it. Here: for each table, the equalities (`=`, `IN`) on its partition column and on `"$path"` in the
top-level conjunction of every SELECT that reads the table alone; a table any such SELECT reads without them is
read whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlglot import exp

from appdef.analytics import PSEUDO_COLUMN_PATH


@dataclass(frozen=True)
class Pruning:
    """The values a table's reads are limited to; None for a column not limited."""

    partitions: frozenset[str] | None = None
    paths: frozenset[str] | None = None

    def keeps(self, partition: str | None, path: str) -> bool:
        if self.partitions is not None and partition not in self.partitions:
            return False
        return self.paths is None or path in self.paths


def _conjuncts(condition: exp.Expr | None) -> Iterable[exp.Expr]:
    if condition is None:
        return
    if isinstance(condition, exp.And):
        yield from _conjuncts(condition.left)
        yield from _conjuncts(condition.right)
    elif isinstance(condition, exp.Paren):
        yield from _conjuncts(condition.this)
    else:
        yield condition


def _values(condition: exp.Expr, column: str) -> frozenset[str] | None:
    """The string literals `condition` limits `column` to, or None when it does not."""
    if isinstance(condition, exp.EQ):
        sides = (condition.this, condition.expression)
        for this, other in (sides, sides[::-1]):
            if isinstance(this, exp.Column) and this.name == column and isinstance(other, exp.Literal):
                return frozenset({other.this}) if other.is_string else None
    if (
        isinstance(condition, exp.In)
        and isinstance(condition.this, exp.Column)
        and condition.this.name == column
    ):
        items = condition.expressions
        if items and all(isinstance(i, exp.Literal) and i.is_string for i in items):
            return frozenset(str(i.this) for i in items)
    return None


def _limit(conditions: list[exp.Expr], column: str | None) -> frozenset[str] | None:
    if column is None:
        return None
    found: frozenset[str] | None = None
    for condition in conditions:
        values = _values(condition, column)
        if values is not None:
            found = values if found is None else found & values
    return found


def prunings(query: exp.Expr, partition_columns: Mapping[str, str | None]) -> dict[str, Pruning]:
    """Table name -> what reading it is limited to (tables not named here are read whole)."""
    per_table: dict[str, list[Pruning]] = {}
    for select in query.find_all(exp.Select):
        source = select.args.get("from_") or select.args.get("from")
        table = source.this if source is not None else None
        if not isinstance(table, exp.Table) or table.name not in partition_columns:
            continue
        whole = select.args.get("joins")
        conditions = (
            [] if whole else list(_conjuncts(select.args["where"].this if select.args.get("where") else None))
        )
        per_table.setdefault(table.name, []).append(
            Pruning(_limit(conditions, partition_columns[table.name]), _limit(conditions, PSEUDO_COLUMN_PATH))
        )
    for table in query.find_all(exp.Table):  # read anywhere else (a join, a subquery's FROM): whole
        if table.name in partition_columns and table.name not in per_table:
            per_table[table.name] = [Pruning()]
    merged: dict[str, Pruning] = {}
    for name, found in per_table.items():
        partitions = [p.partitions for p in found]
        paths = [p.paths for p in found]
        merged[name] = Pruning(
            None if any(v is None for v in partitions) else frozenset().union(*partitions),  # type: ignore[arg-type]
            None if any(v is None for v in paths) else frozenset().union(*paths),  # type: ignore[arg-type]
        )
    return merged
