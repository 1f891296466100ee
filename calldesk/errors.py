"""The one exception type for user mistakes: the CLI prints it as a one-line error."""


class CalldeskError(Exception):
    """Something the user can fix (bad input, bad config, unreachable store)."""
