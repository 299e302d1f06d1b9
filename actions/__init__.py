"""Custom Rasa actions: thin adapters from the dialogue to procedure_kb."""
