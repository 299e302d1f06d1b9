"""Rasa-side Python of Lễ tân số: Vietnamese NLU components and channel connectors."""
