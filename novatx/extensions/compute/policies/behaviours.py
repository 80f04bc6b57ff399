"""Policy defaults of C{/behaviours}: injecting failures is for admins."""

from __future__ import annotations

from novatx.extensions.compute.policies._rules import ADMIN, rules

CREATE = "novatx:behaviours:create"
LIST = "novatx:behaviours:list"
DELETE = "novatx:behaviours:delete"
CLOCK_SHOW = "novatx:behaviours:clock:show"
CLOCK_MOVE = "novatx:behaviours:clock:move"

RULES = rules(
    (CREATE, ADMIN, "Make a behaviour: a failure or delay injected on cue."),
    (LIST, ADMIN, "List behaviours and how many times each fired."),
    (DELETE, ADMIN, "Remove one behaviour, or every one of a project."),
    (CLOCK_SHOW, ADMIN, "Show the daemon's clock."),
    (CLOCK_MOVE, ADMIN, "Move the controlled clock forward."),
)
