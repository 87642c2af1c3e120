"""Product requests: roadmap items, their links to themes and feedback, and the evidence."""
