"""The staff API and pages (FastAPI)."""
