"""calldesk's rules: pure functions and values, no I/O beyond reading the config file, no store, no screens."""
