"""Users, roles and personal API tokens."""
