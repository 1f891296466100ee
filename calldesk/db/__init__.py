"""Storage: tables, the engine, migrations, and every query and transaction."""
