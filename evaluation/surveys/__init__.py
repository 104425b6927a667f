"""Participatory evaluation: questionnaires, campaigns sent to recipients with a personal link,
answers without an account, crossed readings (« regards croisés »)."""
