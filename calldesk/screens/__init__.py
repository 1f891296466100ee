"""Textual screens and modals. They call calldesk.db from workers and hold no SQL."""
