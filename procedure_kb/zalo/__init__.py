"""The Zalo Official Account as an external service: webhook events in, messages out."""
