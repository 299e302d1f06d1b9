"""Vietnamese NLU components for the Rasa 3.6 pipeline."""
