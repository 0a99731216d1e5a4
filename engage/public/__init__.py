"""Public pages that belong to no domain area: home, language choice, statements, site feedback."""
