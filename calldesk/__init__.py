"""calldesk: a keyboard-driven terminal call desk for telephone lead follow-up."""

__version__ = "0.1.0"
