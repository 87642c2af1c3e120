"""``--map FIELD=COLUMN`` specs of file imports (feedback files, tracker exports)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from voc.errors import InvalidInput


def parse_mapping(specs: Iterable[str], *, fields: Sequence[str], example: str) -> dict[str, str]:
    """``["text=Comment,score=NPS"]`` -> ``{"text": "Comment", "score": "NPS"}``.

    ``fields`` are the names a spec may map; ``example`` (``"title=Summary"``) is shown when a
    part is not ``FIELD=COLUMN``.
    """
    mapping: dict[str, str] = {}
    for spec in specs:
        for part in filter(None, (p.strip() for p in spec.split(","))):
            target, sep, column = part.partition("=")
            target = target.strip().lower()
            if not sep or not column.strip():
                raise InvalidInput(f"--map {part!r}: expected FIELD=COLUMN, e.g. {example}")
            if target not in fields:
                raise InvalidInput(
                    f"--map {part!r}: unknown field {target!r}; known: {tuple(fields)}"
                )
            mapping[target] = column.strip()
    return mapping
