"""Domain core of Lễ tân số: the procedure knowledge base and its services.

Nothing in this package imports Rasa; the bot and the actions are adapters over it.
"""
