"""Names close to popular package names: a typosquat check for the trust dialog.

A package whose normalised name is one edit (for short names) or two edits (for names of
seven characters or more) away from a name in `popular_packages.txt`, and is not one of
them itself, is flagged with a sentence naming both, so the user can check the spelling
before approving. Edits are insertions, deletions, substitutions and swaps of two
neighbouring letters (`reqeusts` is one edit from `requests`). Names of three characters
or fewer are not checked: nearly every short name is one edit from another.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from nbdesk.daemon.doc.requirements import requirement_name

SHORTEST_CHECKED = 4
TWO_EDITS_FROM = 7


@cache
def popular_names() -> frozenset[str]:
    text = resources.files(__package__).joinpath("popular_packages.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance, or `limit + 1` once it is certainly over."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def close_to(name: str) -> tuple[str, int] | None:
    """The popular name `name` most resembles and how many edits away, if it is close
    without being it."""
    popular = popular_names()
    if len(name) < SHORTEST_CHECKED or name in popular:
        return None
    limit = 2 if len(name) >= TWO_EDITS_FROM else 1
    best: tuple[str, int] | None = None
    for candidate in sorted(popular):
        distance = edit_distance(name, candidate, limit)
        if distance <= limit and (best is None or distance < best[1]):
            best = (candidate, distance)
    return best


def flags(requirements: list[str]) -> list[str]:
    """A sentence for each requirement whose name is close to a popular one; each starts
    with the requirement's own name (the page matches the sentence to its package)."""
    sentences = []
    for requirement in requirements:
        name = requirement_name(requirement)
        found = close_to(name)
        if found is not None:
            popular, distance = found
            edits = "one letter" if distance == 1 else "two letters"
            sentences.append(
                f"{name} is {edits} away from the popular package {popular}: check that "
                f"{name} is the package you mean before approving"
            )
    return sentences
